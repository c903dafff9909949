"""Code tables: names per appliance type, options per type, and unknown codes."""

from __future__ import annotations

import logging

import pytest

from mielelocal import codes
from mielelocal.codes import (
    UnknownCodes,
    phase_key,
    phase_options,
    program_key,
    program_options,
)
from mielelocal.codes.dishwasher import DISHWASHER_PHASES
from mielelocal.models import DeviceType, ProgramType, State, Status


@pytest.mark.parametrize(
    ("device_type", "phase", "key"),
    [
        (DeviceType.WASHING_MACHINE, 256, "not_running"),
        (DeviceType.WASHING_MACHINE, 260, "main_wash"),
        (DeviceType.WASHING_MACHINE, 261, "rinse"),
        (DeviceType.WASHING_MACHINE, 266, "spin"),
        (DeviceType.WASHING_MACHINE, 295, "steam_smoothing"),
        (DeviceType.TUMBLE_DRYER, 514, "drying"),
        (DeviceType.TUMBLE_DRYER, 539, "safety_cooling"),
        (DeviceType.WASHER_DRYER, 260, "main_wash"),
        (DeviceType.WASHER_DRYER, 514, "drying"),
        (DeviceType.WASHER_DRYER, 280, "drying"),
        (DeviceType.DISHWASHER, 1795, "main_dishwash"),
        (DeviceType.DISHWASHER, 1801, "pre_dishwash"),
        (DeviceType.OVEN, 3073, "heating_up"),
        (DeviceType.OVEN, 3099, "pre_heating"),
        (DeviceType.DISH_WARMER, 3094, "keeping_warm"),
        (DeviceType.MICROWAVE, 3330, "process_running"),
        (DeviceType.COFFEE_SYSTEM, 4377, "grinding"),
        (DeviceType.ROBOT_VACUUM_CLEANER, 5903, "docked"),
        (DeviceType.STEAM_OVEN, 7940, "heating_up_phase"),
        (DeviceType.STEAM_OVEN_COMBI, 7961, "drying"),
        (DeviceType.STEAM_OVEN_MICRO, 7942, "process_running"),
        (DeviceType.OVEN_MICROWAVE, 3339, "cooling_phase"),
        (1, 260, "main_wash"),
    ],
)
def test_phase_key(device_type: int, phase: int, key: str) -> None:
    assert phase_key(device_type, phase) == key


@pytest.mark.parametrize(
    ("device_type", "phase"),
    [
        (DeviceType.WASHING_MACHINE, 1795),
        (DeviceType.TUMBLE_DRYER, 260),
        (DeviceType.FRIDGE, 0),
        (9999, 260),
    ],
)
def test_phase_key_unknown(device_type: int, phase: int) -> None:
    assert phase_key(device_type, phase) is None


@pytest.mark.parametrize(
    ("device_type", "program_id", "key"),
    [
        (DeviceType.WASHING_MACHINE, 1, "cottons"),
        (DeviceType.WASHING_MACHINE, 190, "eco_40_60"),
        (DeviceType.WASHER_DRYER, 46, "warm_air"),
        (DeviceType.TUMBLE_DRYER, 2, "cottons"),
        (DeviceType.DISHWASHER, 3, "eco"),
        (DeviceType.OVEN, 13, "fan_plus"),
        (DeviceType.STEAM_OVEN_COMBI, 8, "steam_cooking"),
        (DeviceType.DISH_WARMER, 3, "keep_warm"),
        (DeviceType.ROBOT_VACUUM_CLEANER, 1, "auto"),
        (DeviceType.COFFEE_SYSTEM, 24001, "espresso"),
        (DeviceType.COFFEE_SYSTEM, 24129, "espresso"),
        (DeviceType.COFFEE_SYSTEM, 24023, "chai_latte"),
        (DeviceType.COFFEE_SYSTEM, 24751, "descaling"),
    ],
)
def test_program_key(device_type: int, program_id: int, key: str) -> None:
    assert program_key(device_type, program_id) == key


def test_program_key_unknown() -> None:
    assert program_key(DeviceType.WASHING_MACHINE, 123456) is None
    assert program_key(DeviceType.HOOD, 1) is None
    assert program_key(4242, 1) is None


def test_field_reports() -> None:
    """Names reported from the field that Home Assistant's tables lack or name differently."""
    # A G7310 dishwasher reports ProgramID 5 while running "Normal".
    assert program_key(DeviceType.DISHWASHER, 5) == "normal"
    # A washer running Cottons reports ProgramType 1, which Miele itself calls "Program".
    assert codes.program_type_key(ProgramType.parse(1)) == "program"
    # A washer-dryer reports 65535 when no programme runs.
    assert phase_key(DeviceType.WASHER_DRYER, 65535) == "not_running"


def test_custom_programmes_and_coffee_profiles() -> None:
    assert program_key(DeviceType.OVEN, 97) == "custom_program_1"
    assert program_key(DeviceType.OVEN, 116) == "custom_program_20"
    assert program_key(DeviceType.TUMBLE_DRYER, 13920) == "custom_program_20"
    assert program_key(DeviceType.OVEN, 117) is None
    assert program_key(DeviceType.COFFEE_SYSTEM, 24000 + 32 * 4 + 23) == "chai_latte"
    assert program_key(DeviceType.COFFEE_SYSTEM, 24160) is None
    assert program_key(DeviceType.COFFEE_SYSTEM, 16021) == "appliance_settings"


def test_options_are_per_appliance_type() -> None:
    washer = program_options(DeviceType.WASHING_MACHINE)
    oven = program_options(DeviceType.OVEN)
    assert "cottons" in washer
    assert "fan_plus" not in washer
    assert "fan_plus" in oven
    assert "cottons" not in oven
    assert washer == sorted(set(washer))
    assert phase_options(DeviceType.DISHWASHER) == sorted(
        set(DISHWASHER_PHASES.values())
    )
    assert "main_wash" not in phase_options(DeviceType.DISHWASHER)
    assert program_options(DeviceType.HOOD) == []
    assert phase_options(4242) == []


def test_status_and_program_type_names() -> None:
    assert codes.status_key(Status.RUNNING) == "running"
    assert codes.status_key(99) is None
    assert codes.program_type_key(99) is None
    assert "locked" in codes.status_options()
    assert codes.program_type_options() == sorted(
        member.name.lower() for member in ProgramType
    )


def _state(**fields: int) -> State:
    raw = {"Status": 5, "ProgramType": 0, "ProgramID": 1, "ProgramPhase": 260}
    return State.from_json({**raw, **fields})


def test_unknown_codes_logged_once_and_listed(caplog: pytest.LogCaptureFixture) -> None:
    unknown = UnknownCodes("Washer")
    caplog.set_level(logging.DEBUG, logger=codes.__name__)
    unknown.check(DeviceType.WASHING_MACHINE, _state())
    assert unknown.as_dict() == {}
    odd = _state(Status=99, ProgramType=9, ProgramID=4242, ProgramPhase=1795)
    unknown.check(DeviceType.WASHING_MACHINE, odd)
    unknown.check(DeviceType.WASHING_MACHINE, odd)
    unknown.check(DeviceType.WASHING_MACHINE, _state(ProgramID=4241))
    assert unknown.as_dict() == {
        "program_id": [4241, 4242],
        "program_phase": [1795],
        "program_type": [9],
        "status": [99],
    }
    messages = [r.getMessage() for r in caplog.records if r.name == codes.__name__]
    assert len(messages) == 5
    assert all(record.levelno == logging.DEBUG for record in caplog.records)
    assert (
        "Washer (device type 1) reported program_id 4242, which has no name" in messages
    )


def test_unknown_codes_ignore_what_an_appliance_type_does_not_name() -> None:
    """A fridge has no programme tables: its ProgramID is not an unknown code."""
    unknown = UnknownCodes("Fridge")
    unknown.check(DeviceType.FRIDGE, _state(ProgramID=4242, ProgramPhase=4242))
    unknown.check(DeviceType.FRIDGE, State.from_json({}))
    assert unknown.as_dict() == {}


@pytest.mark.parametrize(
    ("step", "key"),
    [
        (0, "extra_dry"),
        (2, "normal"),
        (7, "smoothing"),
        (8, None),
        (-1, None),
        (None, None),
    ],
)
def test_drying_step_key(step: int | None, key: str | None) -> None:
    assert codes.drying_step_key(step) == key


@pytest.mark.parametrize(
    ("standby", "key"),
    [
        (1, "network_idle"),
        (2, "deep_standby"),
        (3, "going_to_standby"),
        (0, None),
        (None, None),
    ],
)
def test_standby_state_key(standby: int | None, key: str | None) -> None:
    """0 means the module does not know (a deep-standby sample): shown as unknown."""
    assert codes.standby_state_key(standby) == key
