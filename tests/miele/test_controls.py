"""The process controls per appliance family and the gates that allow each one."""

from __future__ import annotations

import pytest

from mielelocal import families
from mielelocal.controls import (
    PROCESS_GATES,
    ProcessControl,
    control_allowed,
    process_controls,
)
from mielelocal.models import DeviceType, State

START, STOP, PAUSE = ProcessControl.START, ProcessControl.STOP, ProcessControl.PAUSE
ALL = {START, STOP, PAUSE}
WASHER, DISHWASHER, OVEN = (
    DeviceType.WASHING_MACHINE,
    DeviceType.DISHWASHER,
    DeviceType.OVEN,
)


def test_control_values_are_the_button_keys() -> None:
    assert [control.value for control in ProcessControl] == ["start", "stop", "pause"]


@pytest.mark.parametrize(
    ("device_type", "expected"),
    [
        (DeviceType.WASHING_MACHINE, ALL),
        (DeviceType.TUMBLE_DRYER, ALL),
        (DeviceType.WASHER_DRYER, ALL),
        (DeviceType.WASHING_MACHINE_PROFESSIONAL, ALL),
        (DeviceType.DISHWASHER, ALL),
        (DeviceType.OVEN, {STOP}),
        (DeviceType.STEAM_OVEN_COMBI, {STOP}),
        (DeviceType.FRIDGE, set()),
        (DeviceType.COFFEE_SYSTEM, set()),
        (999, set()),
    ],
)
def test_process_controls_per_family(
    device_type: DeviceType | int, expected: set[ProcessControl]
) -> None:
    assert set(process_controls(device_type)) == expected


def test_every_family_with_controls_runs_programs() -> None:
    for family in PROCESS_GATES:
        assert family <= families.CYCLE_APPLIANCES


# (appliance, control, State fields, allowed): one block per rule.
RULES = [
    # Start: remote start not off (bit 0 of RemoteEnable[0]: 15 and 7 allow, 0 refuses).
    (WASHER, START, {"Status": 4, "RemoteEnable": [15, 0, 0]}, True),
    (WASHER, START, {"Status": 4, "RemoteEnable": [7, 0, 0]}, True),
    (WASHER, START, {"Status": 4, "RemoteEnable": [0, 0, 0]}, False),
    (WASHER, START, {"Status": 4, "RemoteEnable": [14, 0, 0]}, False),
    (WASHER, START, {"Status": 4, "RemoteEnable": 7}, True),  # a single level
    # A missing RemoteEnable blocks nothing: the appliance decides.
    (WASHER, START, {"Status": 4}, True),
    (WASHER, START, {"Status": 4, "RemoteEnable": []}, True),
    # Resume: a paused programme is started again.
    (DISHWASHER, START, {"Status": 6, "RemoteEnable": [15, 0, 0]}, True),
    (DISHWASHER, START, {"Status": 6, "RemoteEnable": [0, 0, 0]}, False),
    # Laundry, programmed: only with mobile start (RemoteEnable[2] bit 0) and no delay.
    (WASHER, START, {"Status": 3, "RemoteEnable": [15, 0, 1], "StartTime": 0}, True),
    (
        WASHER,
        START,
        {"Status": 3, "RemoteEnable": [15, 0, 1], "StartTime": [0, 0]},
        True,
    ),
    (
        WASHER,
        START,
        {"Status": 3, "RemoteEnable": [15, 0, 1], "StartTime": [0, 30]},
        False,
    ),
    (WASHER, START, {"Status": 3, "RemoteEnable": [15, 0, 1], "StartTime": 30}, False),
    (WASHER, START, {"Status": 3, "RemoteEnable": [15, 0, 0]}, False),
    (WASHER, START, {"Status": 3, "RemoteEnable": [0, 0, 1]}, False),
    # Dishwashers, programmed: the app checks no mobile start.
    (DISHWASHER, START, {"Status": 3, "RemoteEnable": [15, 0, 0]}, True),
    (DISHWASHER, START, {"Status": 3, "RemoteEnable": [0, 0, 0]}, False),
    # Never while running, off or finished.
    (WASHER, START, {"Status": 5, "RemoteEnable": [15, 0, 1]}, False),
    (WASHER, START, {"Status": 1, "RemoteEnable": [15, 0, 1]}, False),
    (DISHWASHER, START, {"Status": 7, "RemoteEnable": [15, 0, 1]}, False),
    # Stop: from programmed to paused, with no RemoteEnable check at all.
    (WASHER, STOP, {"Status": 3, "RemoteEnable": [0, 0, 0]}, True),
    (WASHER, STOP, {"Status": 4, "RemoteEnable": [0, 0, 0]}, True),
    (WASHER, STOP, {"Status": 5, "RemoteEnable": [0, 0, 0]}, True),
    (DISHWASHER, STOP, {"Status": 6}, True),
    (OVEN, STOP, {"Status": 5, "RemoteEnable": [15, 0, 0]}, True),
    (WASHER, STOP, {"Status": 1, "RemoteEnable": [15, 0, 0]}, False),
    (WASHER, STOP, {"Status": 2, "RemoteEnable": [15, 0, 0]}, False),
    (WASHER, STOP, {"Status": 7, "RemoteEnable": [15, 0, 0]}, False),
    # Pause: running, remote start not off.
    (DISHWASHER, PAUSE, {"Status": 5, "RemoteEnable": [15, 0, 0]}, True),
    (DISHWASHER, PAUSE, {"Status": 5, "RemoteEnable": [7, 0, 0]}, True),
    (DISHWASHER, PAUSE, {"Status": 5, "RemoteEnable": [0, 0, 0]}, False),
    (DISHWASHER, PAUSE, {"Status": 6, "RemoteEnable": [15, 0, 0]}, False),
    (WASHER, PAUSE, {"Status": 4, "RemoteEnable": [15, 0, 0]}, False),
    # An unknown or missing Status allows nothing.
    (WASHER, START, {"Status": 99, "RemoteEnable": [15, 0, 1]}, False),
    (WASHER, STOP, {"Status": 99, "RemoteEnable": [15, 0, 1]}, False),
    (DISHWASHER, PAUSE, {"RemoteEnable": [15, 0, 1]}, False),
]


@pytest.mark.parametrize(("device_type", "control", "fields", "allowed"), RULES)
def test_control_allowed(
    device_type: DeviceType,
    control: ProcessControl,
    fields: dict[str, object],
    allowed: bool,
) -> None:
    gate = process_controls(device_type)[control]
    assert control_allowed(gate, State.from_json(fields)) is allowed
