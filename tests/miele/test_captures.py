"""
Real captured States: the parser reads them as the appliance meant, and the simulator's
templates carry them unchanged.

Each capture (simulator/fixtures/<appliance>/capture.json) names its public source.
"""

from __future__ import annotations

from datetime import timedelta
import json
from typing import Any

import pytest

from mielelocal import codes
from mielelocal.models import DeviceType, ProgramType, State, Status
from simulator.appliances import APPLIANCES, FIXTURES


def _load(name: str) -> dict[str, Any]:
    capture: dict[str, Any] = json.loads((FIXTURES / name / "capture.json").read_text())
    return capture


ALL = sorted(path.parent.name for path in FIXTURES.glob("*/capture.json"))


@pytest.mark.parametrize("name", ALL)
def test_capture_names_its_source_and_template(name: str) -> None:
    capture = _load(name)
    assert capture["source"].startswith("https://github.com/")
    assert capture["template"] in APPLIANCES


@pytest.mark.parametrize("name", ALL)
def test_simulator_template_carries_the_capture(name: str) -> None:
    """Every captured field is in the template's State with the captured value."""
    capture = _load(name)
    state = APPLIANCES[capture["template"]].initial_state()
    assert {key: state.get(key) for key in capture["state"]} == capture["state"]


def test_washer_running_cottons() -> None:
    state = State.from_json(_load("washer")["state"])
    assert state.status is Status.RUNNING
    assert state.program_type is ProgramType.PROGRAM
    assert state.program_id == 1
    assert state.program_phase == 260
    # Named as Miele names them: type 1 is "Program", programme 1 Cottons, phase Main wash.
    assert codes.program_type_key(state.program_type) == "program"
    assert codes.program_key(DeviceType.WASHING_MACHINE, state.program_id) == "cottons"
    assert (
        codes.phase_key(DeviceType.WASHING_MACHINE, state.program_phase) == "main_wash"
    )
    assert state.remaining_time == timedelta(minutes=55)
    assert state.elapsed_time == timedelta(minutes=19)
    assert state.target_temperatures == (40.0, None, None)
    assert state.temperatures == (None, None, None)
    assert state.spinning_speed == 1600
    assert state.remote_control_enabled


def test_oven_off_reports_no_light() -> None:
    state = State.from_json(_load("oven_off")["state"])
    assert state.status is Status.OFF
    assert state.light == 0  # neither on (1) nor off (2): nothing to switch while off
    assert state.temperatures == (None, None, None)
    assert state.standby_state == 1
    assert state.remote_control_enabled


def test_hob_with_four_cool_zones() -> None:
    state = State.from_json(_load("hob")["state"])
    assert state.status is Status.OFF
    assert state.plate_steps == (0, 0, 0, 0)
    assert state.plate_remaining_heat == (0, 0, 0, 0)
    assert state.plate_remaining_minutes == (0, 0, 0, 0)
    assert not state.remote_control_enabled  # RemoteEnable 7: enabled, not possible now


def test_fridge_freezer_two_zones() -> None:
    state = State.from_json(_load("fridge_freezer_ek044w")["state"])
    assert state.status is Status.RUNNING
    assert state.target_temperatures == (4.0, -18.0)
    assert state.temperatures == (4.0, -18.0, None)
    assert state.signal_door is False
