"""Parsing of Ident and State, and enums that keep unknown codes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from mielelocal.exceptions import MieleProtocolError
from mielelocal.models import (
    DeviceAction,
    DeviceType,
    Ident,
    LightAction,
    ProcessAction,
    ProgramType,
    RemoteEnable,
    State,
    Status,
)

WASHER_STATE: dict[str, Any] = {
    "Status": 5,
    "ProgramType": 1,
    "ProgramID": 1,
    "ProgramPhase": 260,
    "RemainingTime": [0, 55],
    "StartTime": [0, 0],
    "TargetTemperature": [4000, -32768, -32768],
    "Temperature": [-32768, -32768, -32768],
    "SignalInfo": False,
    "SignalFailure": False,
    "SignalDoor": False,
    "RemoteEnable": [15, 0, 0],
    "ProcessAction": 0,
    "DeviceAction": 0,
    "Light": 0,
    "StandbyState": 1,
    "ElapsedTime": [0, 19],
    "SpinningSpeed": 1600,
}

WASHER_IDENT: dict[str, Any] = {
    "DeviceType": 1,
    "DeviceName": "Waschmaschine",
    "ProtocolVersion": 4,
    "DeviceIdentLabel": {
        "FabNumber": "000177753917",
        "FabIndex": "64",
        "TechType": "WCI870",
        "MatNumber": "11385780",
        "SWIDs": ["4164", 20570, None],
    },
    "XKMIdentLabel": {"TechType": "EK057", "ReleaseVersion": "08.32"},
}


def test_enums_have_the_protocol_values() -> None:
    assert {m.name: m.value for m in ProcessAction} == {
        "START": 1,
        "STOP": 2,
        "PAUSE": 3,
        "SUPERFREEZE_ON": 4,
        "SUPERFREEZE_OFF": 5,
        "SUPERCOOL_ON": 6,
        "SUPERCOOL_OFF": 7,
    }
    assert {m.name: m.value for m in LightAction} == {"ON": 1, "OFF": 2}
    assert {m.name: m.value for m in DeviceAction} == {"WAKE": 2}
    assert {m.name: m.value for m in RemoteEnable} == {
        "DISABLED": 0,
        "NOT_POSSIBLE_NOW": 7,
        "FULL": 15,
    }
    assert Status.parse(5) is Status.RUNNING
    assert Status.parse(255) is Status.NOT_CONNECTED
    assert ProgramType.parse(1) is ProgramType.PROGRAM


@pytest.mark.parametrize(
    ("code", "member"),
    [
        (1, DeviceType.WASHING_MACHINE),
        (2, DeviceType.TUMBLE_DRYER),
        (7, DeviceType.DISHWASHER),
        (12, DeviceType.OVEN),
        (13, DeviceType.OVEN_MICROWAVE),
        (14, DeviceType.HOB_HIGHLIGHT),
        (15, DeviceType.STEAM_OVEN),
        (16, DeviceType.MICROWAVE),
        (17, DeviceType.COFFEE_SYSTEM),
        (18, DeviceType.HOOD),
        (19, DeviceType.FRIDGE),
        (20, DeviceType.FREEZER),
        (21, DeviceType.FRIDGE_FREEZER),
        (23, DeviceType.ROBOT_VACUUM_CLEANER),
        (24, DeviceType.WASHER_DRYER),
        (25, DeviceType.DISH_WARMER),
        (27, DeviceType.HOB_INDUCTION),
        (31, DeviceType.STEAM_OVEN_COMBI),
        (32, DeviceType.WINE_CABINET),
        (33, DeviceType.WINE_CONDITIONING_UNIT),
        (34, DeviceType.WINE_STORAGE_CONDITIONING_UNIT),
    ],
)
def test_device_types_of_docs_protocol_md(code: int, member: DeviceType) -> None:
    parsed = DeviceType.parse(code)
    assert parsed is member


@pytest.mark.parametrize("enum", [DeviceType, Status, ProgramType, ProcessAction])
def test_unknown_codes_stay_plain_int(enum: type[DeviceType]) -> None:
    parsed = enum.parse(9999)
    assert parsed == 9999
    assert type(parsed) is int


@pytest.mark.parametrize(
    "code",
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 144, 145, 146, 255],
)
def test_status_codes_of_docs_protocol_md(code: int) -> None:
    assert isinstance(Status.parse(code), Status)


def test_ident_from_json() -> None:
    ident = Ident.from_json(WASHER_IDENT)
    assert ident.device_type is DeviceType.WASHING_MACHINE
    assert ident.device_name == "Waschmaschine"
    assert ident.protocol_version == 4
    assert ident.fab_number == "000177753917"
    assert ident.fab_index == "64"
    assert ident.tech_type == "WCI870"
    assert ident.mat_number == "11385780"
    assert ident.sw_ids == ("4164", "20570")
    assert ident.xkm_tech_type == "EK057"
    assert ident.xkm_release_version == "08.32"
    assert ident.raw["DeviceName"] == "Waschmaschine"
    assert "raw" not in repr(ident)


def test_ident_raw_is_read_only_and_ident_hashable() -> None:
    ident = Ident.from_json(WASHER_IDENT)
    with pytest.raises(TypeError):
        ident.raw["DeviceType"] = 2  # type: ignore[index]
    assert hash(ident) == hash(Ident.from_json(WASHER_IDENT))


def test_ident_accepts_the_other_xkm_spelling_and_missing_optionals() -> None:
    ident = Ident.from_json(
        {
            "DeviceType": 250,
            "DeviceIdentLabel": {"FabNumber": "000123456789", "SWIDs": "nope"},
            "XkmIdentLabel": {"TechType": "EK039W", "ReleaseVersion": 31},
        }
    )
    assert ident.device_type == 250
    assert type(ident.device_type) is int
    assert ident.device_name == ""
    assert ident.protocol_version is None
    assert ident.fab_index is None
    assert ident.tech_type is None
    assert ident.mat_number is None
    assert ident.sw_ids == ()
    assert ident.xkm_tech_type == "EK039W"
    assert ident.xkm_release_version == "31"


def test_ident_without_xkm_label() -> None:
    ident = Ident.from_json(
        {"DeviceType": 7, "DeviceIdentLabel": {"FabNumber": 123456789012}}
    )
    assert ident.fab_number == "123456789012"
    assert ident.xkm_tech_type is None
    assert ident.xkm_release_version is None


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ([], "Ident is not a JSON object"),
        (None, "Ident is not a JSON object"),
        ({"DeviceType": 1}, "no DeviceIdentLabel"),
        ({"DeviceType": 1, "DeviceIdentLabel": []}, "no DeviceIdentLabel"),
        ({"DeviceType": 1, "DeviceIdentLabel": {}}, "no valid FabNumber"),
        (
            {"DeviceType": 1, "DeviceIdentLabel": {"FabNumber": "../../x"}},
            "no valid FabNumber",
        ),
        (
            {"DeviceType": 1, "DeviceIdentLabel": {"FabNumber": True}},
            "no valid FabNumber",
        ),
        ({"DeviceIdentLabel": {"FabNumber": "1"}}, "no integer DeviceType"),
        (
            {"DeviceType": "1", "DeviceIdentLabel": {"FabNumber": "1"}},
            "no integer DeviceType",
        ),
    ],
)
def test_ident_wrong_shape(obj: object, message: str) -> None:
    with pytest.raises(MieleProtocolError, match=message):
        Ident.from_json(obj)


def test_state_from_json_washer_example() -> None:
    state = State.from_json(WASHER_STATE)
    assert state.status is Status.RUNNING
    assert state.program_type is ProgramType.PROGRAM
    assert state.program_id == 1
    assert state.program_phase == 260
    assert state.remaining_time == timedelta(minutes=55)
    assert state.start_time == timedelta(0)
    assert state.elapsed_time == timedelta(minutes=19)
    assert state.target_temperatures == (40.0, None, None)
    assert state.temperatures == (None, None, None)
    assert (state.signal_info, state.signal_failure, state.signal_door) == (
        False,
        False,
        False,
    )
    assert state.remote_enable == (15, 0, 0)
    assert state.process_action == 0
    assert state.device_action == 0
    assert state.light == 0
    assert state.standby_state == 1
    assert state.spinning_speed == 1600
    assert state.drying_step is None
    assert state.ventilation_step is None
    assert state.battery_level is None
    assert state.plate_steps is None
    assert state.plate_remaining_heat is None
    assert state.raw["SpinningSpeed"] == 1600
    assert state.is_running
    assert state.remote_control_enabled
    assert not state.can_start


def test_state_other_fields() -> None:
    state = State.from_json(
        {
            "Status": 4,
            "RemoteEnable": [15],
            "RemainingTime": [1, 30],
            "Temperature": [-1850, 2150, 32767, -32767, -32766],
            "DryingStep": 2,
            "VentilationStep": 3,
            "BatteryLevel": 87,
            "PlateStep": [0, 3, 117],
            "PlateRemainingHeat": 1,
            "SignalDoor": 1,
            "SignalInfo": 0,
        }
    )
    assert state.remaining_time == timedelta(hours=1, minutes=30)
    assert state.temperatures == (-18.5, 21.5, None, None, None)
    assert (state.drying_step, state.ventilation_step) == (2, 3)
    assert state.battery_level == 87
    assert state.plate_steps == (0, 3, 117)
    assert state.plate_remaining_heat == (1,)
    assert state.signal_door is True
    assert state.signal_info is False
    assert state.can_start
    assert not state.is_running


@pytest.mark.parametrize(
    ("status", "remote_enable", "can_start"),
    [
        (4, [15, 0, 0], True),
        (4, [7, 0, 0], False),
        (4, [0, 0, 0], False),
        (4, [], False),
        (4, None, False),
        (3, [15, 0, 0], False),
        (5, [15, 0, 0], False),
        (None, [15, 0, 0], False),
    ],
)
def test_can_start(status: object, remote_enable: object, can_start: bool) -> None:
    state = State.from_json({"Status": status, "RemoteEnable": remote_enable})
    assert state.can_start is can_start


def test_state_malformed_fields_become_none() -> None:
    state = State.from_json(
        {
            "Status": "5",
            "ProgramType": 1.5,
            "ProgramID": None,
            "ProgramPhase": True,
            "RemainingTime": [0],
            "StartTime": [-1, 0],
            "ElapsedTime": "0:19",
            "TargetTemperature": 4000,
            "Temperature": [2100, "x"],
            "SignalInfo": "yes",
            "SignalFailure": 2,
            "SignalDoor": None,
            "RemoteEnable": {"0": 15},
            "Light": [1],
            "SpinningSpeed": {},
            "PlateStep": "3",
        }
    )
    assert state.status is None
    assert state.program_type is None
    assert state.program_id is None
    assert state.program_phase is None
    assert state.remaining_time is None
    assert state.start_time is None
    assert state.elapsed_time is None
    assert state.target_temperatures == (40.0,)
    assert state.temperatures is None
    assert state.signal_info is None
    assert state.signal_failure is None
    assert state.signal_door is None
    assert state.remote_enable is None
    assert state.light is None
    assert state.spinning_speed is None
    assert state.plate_steps is None
    assert not state.remote_control_enabled
    assert not state.is_running


def test_state_empty_object_and_unknown_codes() -> None:
    assert State.from_json({}).status is None
    state = State.from_json({"Status": 77, "ProgramType": 9})
    assert state.status == 77
    assert type(state.status) is int
    assert state.program_type == 9


@pytest.mark.parametrize("obj", [[], "State", None, 5])
def test_state_top_level_must_be_an_object(obj: object) -> None:
    with pytest.raises(MieleProtocolError, match="State is not a JSON object"):
        State.from_json(obj)


def test_state_is_frozen_and_hashable() -> None:
    state = State.from_json(WASHER_STATE)
    with pytest.raises(AttributeError):
        state.status = Status.OFF  # type: ignore[misc]
    assert state == State.from_json(dict(WASHER_STATE))
    assert hash(state) == hash(State.from_json(WASHER_STATE))
