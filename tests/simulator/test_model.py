"""The appliance model: templates, lazy countdown and action rules, on an injected clock."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import pytest

from simulator.appliances import APPLIANCES, get_template
from simulator.model import ApplianceModel

OK, BAD, FORBIDDEN = HTTPStatus.NO_CONTENT, HTTPStatus.BAD_REQUEST, HTTPStatus.FORBIDDEN


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make(name: str, **kwargs: Any) -> tuple[ApplianceModel, FakeClock]:
    clock = FakeClock()
    return ApplianceModel(get_template(name), clock=clock, **kwargs), clock


@pytest.mark.parametrize(
    ("name", "device_type"),
    [
        ("washer", 1),
        ("tumble_dryer", 2),
        ("dishwasher", 7),
        ("oven", 12),
        ("fridge_freezer", 21),
        ("hood", 18),
        ("coffee_machine", 17),
    ],
)
def test_templates_have_realistic_ident_and_state(name: str, device_type: int) -> None:
    template = APPLIANCES[name]
    ident = template.ident("000123456789")
    assert ident["DeviceType"] == device_type
    assert ident["DeviceIdentLabel"]["FabNumber"] == "000123456789"
    assert ident["DeviceIdentLabel"]["TechType"]
    assert ident["DeviceIdentLabel"]["MatNumber"].isdigit()
    assert ident["XKMIdentLabel"]["TechType"].startswith("EK0")
    state = template.initial_state()
    assert {"Status", "RemoteEnable", "RemainingTime", "ElapsedTime"} <= state.keys()
    state["RemoteEnable"][0] = 0  # a copy: the template is untouched
    assert template.initial_state()["RemoteEnable"][0] == 15


def test_type_specific_fields() -> None:
    assert APPLIANCES["washer"].state["SpinningSpeed"] == 1600
    assert APPLIANCES["washer"].state["RemainingTime"] == [0, 55]
    assert APPLIANCES["tumble_dryer"].state["DryingStep"] == 2
    assert APPLIANCES["oven"].state["TargetTemperature"][0] == 18000
    fridge = APPLIANCES["fridge_freezer"].state
    assert fridge["TargetTemperature"][:2] == [400, -1800]
    assert fridge["Temperature"][:2] == [420, -1790]
    assert APPLIANCES["hood"].state["VentilationStep"] == 2


def test_unknown_template_names_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="washer"):
        get_template("toaster")


def test_speed_must_be_positive() -> None:
    with pytest.raises(ValueError, match="speed"):
        make("washer", speed=0)


def test_running_programme_counts_down_with_speed_and_ends() -> None:
    model, clock = make("washer", speed=60.0)
    clock.now += 10  # 10 simulated minutes
    state = model.state
    assert state["RemainingTime"] == [0, 45]
    assert state["ElapsedTime"] == [0, 29]
    assert state["Status"] == 5
    clock.now += 30
    assert model.state["RemainingTime"] == [0, 15]
    clock.now += 1000
    state = model.state
    assert state["Status"] == 7
    assert state["ProgramPhase"] == 268
    assert state["RemainingTime"] == [0, 0]
    assert state["ElapsedTime"] == [1, 14]
    clock.now += 1000
    assert model.state["ElapsedTime"] == [1, 14]  # ended: no more counting


def test_partial_minutes_round_remaining_up_and_elapsed_down() -> None:
    model, clock = make("washer")
    clock.now += 30
    state = model.state
    assert state["RemainingTime"] == [0, 55]
    assert state["ElapsedTime"] == [0, 19]
    clock.now += 31
    assert model.state["RemainingTime"] == [0, 54]


def test_pause_stops_the_countdown_and_start_resumes_it() -> None:
    model, clock = make("washer", speed=60.0)
    assert model.apply({"ProcessAction": 3}) == OK
    clock.now += 20
    assert model.state["RemainingTime"] == [0, 55]
    assert model.state["Status"] == 6
    assert model.apply({"ProcessAction": 1}) == OK
    clock.now += 5
    assert model.state["RemainingTime"] == [0, 50]


def test_update_restarts_the_countdown_from_new_times() -> None:
    model, clock = make("dishwasher", speed=60.0)
    clock.now += 10
    assert model.state["RemainingTime"] == [2, 39]  # waiting: not counting
    model.update({"Status": 5, "RemainingTime": [0, 2], "ElapsedTime": [1, 0]})
    clock.now += 1
    assert model.state["RemainingTime"] == [0, 1]
    assert model.state["ElapsedTime"] == [1, 1]
    clock.now += 1
    state = model.state
    assert (state["Status"], state["ProgramPhase"]) == (7, 1800)


@pytest.mark.parametrize("name", ["fridge_freezer", "hood"])
def test_types_without_programme_never_count_down(name: str) -> None:
    model, clock = make(name, speed=1000.0)
    clock.now += 100
    assert model.state["Status"] == 5


@pytest.mark.parametrize(
    "fields",
    [
        {"RemainingTime": [1]},
        {"ElapsedTime": "0:10"},
        {"StartTime": [0, -1]},
        {"RemainingTime": [0, True]},
        {"RemainingTime": -1},
        {"ElapsedTime": True},
        {"StartTime": 1.5},
        {"Status": "5"},
        {"Note": object()},
    ],
)
def test_update_refuses_values_a_device_never_sends(fields: dict[str, Any]) -> None:
    model, _ = make("washer")
    with pytest.raises(ValueError, match=r"\w"):
        model.update(fields)
    assert model.state["Status"] == 5


def test_plain_minutes_count_down_and_stop_in_their_own_shape() -> None:
    """Plain integers of minutes (ha-miele-at-lan #31) are kept as integers."""
    model, clock = make("washer", speed=60.0)
    model.update({"RemainingTime": 10, "ElapsedTime": 79, "StartTime": 0})
    clock.now += 3  # three simulated minutes
    state = model.state
    assert (state["RemainingTime"], state["ElapsedTime"]) == (7, 82)
    assert state["StartTime"] == 0
    assert model.apply({"ProcessAction": 2}) == OK
    state = model.state
    assert (state["RemainingTime"], state["ElapsedTime"], state["Status"]) == (0, 0, 2)


def test_update_merges_new_fields() -> None:
    model, _ = make("washer")
    model.update({"SignalDoor": True, "BatteryLevel": 80})
    state = model.state
    assert state["SignalDoor"] is True
    assert state["BatteryLevel"] == 80


def test_start_needs_full_remote_control_and_a_startable_state() -> None:
    model, _ = make("dishwasher")
    model.update({"RemoteEnable": [7, 0, 0]})
    assert model.apply({"ProcessAction": 1}) == FORBIDDEN
    model.update({"RemoteEnable": [15, 0, 0]})
    assert model.apply({"ProcessAction": 1}) == OK
    assert model.state["Status"] == 5
    assert model.apply({"ProcessAction": 1}) == BAD  # already running
    model.update({"Status": 3})
    assert model.apply({"ProcessAction": 1}) == OK


def test_start_refused_when_remote_enable_is_malformed() -> None:
    model, _ = make("dishwasher")
    model.update({"RemoteEnable": "yes"})
    assert model.apply({"ProcessAction": 1}) == FORBIDDEN


def test_stop_ends_the_programme_and_a_second_stop_changes_nothing() -> None:
    model, clock = make("washer", speed=60.0)
    assert model.apply({"ProcessAction": 2}) == OK
    clock.now += 100
    state = model.state
    assert state["Status"] == 2
    assert state["ProgramPhase"] == 256
    assert state["ProgramID"] == 0
    assert state["RemainingTime"] == [0, 0]
    assert state["ElapsedTime"] == [0, 0]
    assert model.apply({"ProcessAction": 2}) == BAD
    assert model.apply({"ProcessAction": 3}) == BAD
    assert model.apply({"ProcessAction": 1}) == BAD  # Status 2 is not startable


def test_stop_and_pause_refused_without_remote_control() -> None:
    model, _ = make("washer")
    model.update({"RemoteEnable": [0, 0, 0]})
    assert model.apply({"ProcessAction": 2}) == FORBIDDEN
    assert model.apply({"ProcessAction": 3}) == FORBIDDEN
    assert model.state["Status"] == 5


def test_coffee_machine_starts_once_a_programme_waits() -> None:
    model, _ = make("coffee_machine")
    assert model.apply({"ProcessAction": 1}) == BAD
    model.update({"Status": 4, "RemainingTime": [0, 1]})
    assert model.apply({"ProcessAction": 1}) == OK


@pytest.mark.parametrize("name", ["oven", "hood"])
def test_light_switches_and_a_repeat_changes_nothing(name: str) -> None:
    model, _ = make(name)
    assert model.state["Light"] == 1
    assert model.apply({"Light": 1}) == BAD
    assert model.apply({"Light": 2}) == OK
    assert model.state["Light"] == 2
    assert model.apply({"Light": 1}) == OK
    assert model.apply({"Light": 3}) == BAD
    model.update({"RemoteEnable": [0, 0, 0]})
    assert model.apply({"Light": 2}) == FORBIDDEN


def test_light_unsupported_without_a_lamp() -> None:
    model, _ = make("washer")
    assert model.apply({"Light": 1}) == BAD


def test_fridge_freezer_refuses_every_write_by_default() -> None:
    model, _ = make("fridge_freezer")
    assert not model.writes_allowed
    for payload in ({"ProcessAction": 4}, {"DeviceAction": 2}, "garbage", {}):
        assert model.apply(payload) == FORBIDDEN
    assert model.state["Status"] == 5


def test_superfreeze_and_supercool_when_writes_are_allowed() -> None:
    model, _ = make("fridge_freezer", writes_allowed=True)
    assert model.apply({"ProcessAction": 5}) == BAD  # already off
    assert model.apply({"ProcessAction": 4}) == OK
    assert model.state["Status"] == 13
    assert model.apply({"ProcessAction": 4}) == BAD
    assert model.apply({"ProcessAction": 6}) == OK
    assert model.state["Status"] == 146
    assert model.apply({"ProcessAction": 5}) == OK
    assert model.state["Status"] == 14
    assert model.apply({"ProcessAction": 7}) == OK
    assert model.state["Status"] == 5
    assert model.apply({"ProcessAction": 1}) == BAD  # no programme to start
    model.update({"RemoteEnable": [0, 0, 0]})
    assert model.apply({"ProcessAction": 4}) == FORBIDDEN


def test_cooling_actions_unsupported_elsewhere() -> None:
    model, _ = make("washer")
    assert model.apply({"ProcessAction": 4}) == BAD
    assert model.apply({"ProcessAction": 6}) == BAD


def test_writes_can_be_forbidden_on_any_type() -> None:
    model, _ = make("washer", writes_allowed=False)
    assert model.apply({"ProcessAction": 3}) == FORBIDDEN


def test_wake_is_accepted_and_other_device_actions_are_not() -> None:
    model, _ = make("washer")
    assert model.apply({"DeviceAction": 2}) == OK
    assert model.apply({"DeviceAction": 1}) == BAD


@pytest.mark.parametrize(
    "payload",
    [
        None,
        [1],
        "ProcessAction",
        {},
        {"ProcessAction": 3, "Light": 1},
        {"Unknown": 1},
        {"ProcessAction": True},
        {"ProcessAction": "3"},
        {"ProcessAction": 9},
    ],
)
def test_malformed_actions_answer_400(payload: object) -> None:
    model, _ = make("washer")
    assert model.apply(payload) == BAD
    assert model.state["Status"] == 5
