"""Which process controls (start, stop, pause) an appliance offers, and when each is allowed.

The gating follows the Miele app as publicly described by the ha-miele-at-lan project (its
PR #43, with its tests); nothing here is verified on hardware yet. A hardware report changes
one line of :data:`PROCESS_GATES`.

Where public descriptions disagree the more permissive rule is kept, because the appliance
itself refuses a write it cannot carry out (403 or 400) and changes nothing: a control too
many is safe, a hidden one cannot be used at all. So:

- Laundry keeps Pause (the app does not offer it; the protocol defines it for every appliance).
- Stop is offered from "programmed" to "paused" (the app stops laundry only while waiting or
  running) and never needs remote control (as the app).
- A missing ``RemoteEnable`` blocks nothing (as the app); only a first level with bit 0 clear
  (0, never 7 or 15) does.
- Ovens keep Stop only: the app never starts, pauses or resumes an oven over the State, and a
  remote start of a heating appliance is not a write to offer just because it may be refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING

from .families import DISHWASHERS, DRYERS, OVENS, WASHERS
from .models import DeviceType, Status

if TYPE_CHECKING:
    from collections.abc import Mapping

    from .models import State


class ProcessControl(StrEnum):
    """A process control (the values are the button keys)."""

    START = "start"
    STOP = "stop"
    PAUSE = "pause"


@dataclass(frozen=True, slots=True)
class Gate:
    """When one control is allowed."""

    statuses: frozenset[Status]
    """The statuses in which the control is offered."""
    remote_start: bool = True
    """Refused while ``RemoteEnable[0]`` says remote start is off (bit 0 clear)."""
    mobile_start_when_programmed: bool = False
    """In Status 3 (programmed), only with mobile start on and no delay set."""


_PROGRAMME = frozenset(
    {Status.PROGRAMMED, Status.WAITING_TO_START, Status.RUNNING, Status.PAUSE}
)
_STOP = Gate(_PROGRAMME, remote_start=False)
_PAUSE = Gate(frozenset({Status.RUNNING}))

PROCESS_GATES: Mapping[frozenset[DeviceType], Mapping[ProcessControl, Gate]] = (
    MappingProxyType(
        {
            WASHERS | DRYERS: {
                # Waiting to start, resume, or programmed with mobile start and no delay.
                ProcessControl.START: Gate(
                    frozenset(
                        {Status.PROGRAMMED, Status.WAITING_TO_START, Status.PAUSE}
                    ),
                    mobile_start_when_programmed=True,
                ),
                ProcessControl.STOP: _STOP,
                ProcessControl.PAUSE: _PAUSE,
            },
            DISHWASHERS: {
                # The app checks no mobile start on dishwashers (a G7310 started so).
                ProcessControl.START: Gate(
                    frozenset(
                        {Status.PROGRAMMED, Status.WAITING_TO_START, Status.PAUSE}
                    )
                ),
                ProcessControl.STOP: _STOP,
                ProcessControl.PAUSE: _PAUSE,
            },
            OVENS: {ProcessControl.STOP: _STOP},
        }
    )
)
"""The process controls of each appliance family and their gates (others have none)."""


def process_controls(device_type: DeviceType | int) -> Mapping[ProcessControl, Gate]:
    """Return the process controls an appliance of ``device_type`` offers (maybe none)."""
    for family, gates in PROCESS_GATES.items():
        if device_type in family:
            return gates
    return {}


def remote_start_off(state: State) -> bool:
    """Whether ``RemoteEnable[0]`` is reported with bit 0 clear (0: remote start is off)."""
    levels = state.remote_enable
    return levels is not None and len(levels) > 0 and not levels[0] & 1


def mobile_start_ready(state: State) -> bool:
    """Mobile start is not reported off (``RemoteEnable[2]`` bit 0) and no delay is set."""
    levels = state.remote_enable or ()
    mobile_off = len(levels) > 2 and not levels[2] & 1
    delayed = state.start_time is not None and state.start_time.total_seconds() > 0
    return not mobile_off and not delayed


def control_allowed(gate: Gate, state: State) -> bool:
    """Whether a control with ``gate`` is allowed in ``state`` (unknown Status: never)."""
    if state.status not in gate.statuses:
        return False
    if gate.remote_start and remote_start_off(state):
        return False
    if gate.mobile_start_when_programmed and state.status == Status.PROGRAMMED:
        return mobile_start_ready(state)
    return True
