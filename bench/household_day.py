"""The scripted day of one household: what happens on each appliance, and when.

Times are seconds since midnight; every programme block moves by a random offset of up to
``JITTER`` so that successive days differ. A quarter of the programmes end a few minutes
before their countdown says (a dishwasher's drying cut short, a washer's light load),
which only polling at the running cadence can catch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from simulator.appliances import get_template

if TYPE_CHECKING:
    from collections.abc import Mapping
    import random

HOUR: Final = 3600.0
DAY: Final = 24 * HOUR
JITTER: Final = 20 * 60.0

SWITCHED_ON: Final = "switched on"
STARTED: Final = "programme started"
FINISHED: Final = "programme finished"
SWITCHED_OFF: Final = "switched off"
DOOR_OPENED: Final = "door alarm"
DOOR_CLOSED: Final = "door closed"
SUPERCOOL_ON: Final = "supercooling on"
SUPERCOOL_OFF: Final = "supercooling off"
TICK: Final = "countdown minute"
"""RemainingTime and ElapsedTime move every minute of a programme: a change, not an event."""

HOUSEHOLD: Final = ("washer", "tumble_dryer", "dishwasher", "oven", "fridge_freezer")
OFF_STATE: Final[Mapping[str, Any]] = {
    "Status": 1,
    "ProgramType": 0,
    "ProgramID": 0,
    "ProgramPhase": 0,
    "RemainingTime": [0, 0],
    "ElapsedTime": [0, 0],
}


@dataclass(frozen=True, slots=True)
class Change:
    """One change on an appliance; ``fields`` None: the appliance's own countdown does it."""

    at: float
    kind: str
    fields: Mapping[str, Any] | None = None


def _programme(
    rng: random.Random,
    appliance: str,
    *,
    on_at: float,
    minutes: int,
    off_after: float,
    programme: int,
    phase: int,
) -> list[Change]:
    """Switched on, started a minute later, finished, switched off ``off_after`` s later."""
    template = get_template(appliance)
    on_at += rng.uniform(-JITTER, JITTER)
    start = on_at + 60.0
    countdown_end = start + minutes * 60.0
    early = rng.randint(1, 8) * 60.0 if rng.random() < 0.25 else 0.0
    end = countdown_end - early
    changes = [
        Change(on_at, SWITCHED_ON, {**OFF_STATE, "Status": 2}),
        Change(
            start,
            STARTED,
            {
                "Status": 5,
                "ProgramType": 1,
                "ProgramID": programme,
                "ProgramPhase": phase,
                "RemainingTime": [minutes // 60, minutes % 60],
                "ElapsedTime": [0, 0],
            },
        ),
        Change(
            end,
            FINISHED,
            {
                "Status": 7,
                "ProgramPhase": template.finish_phase,
                "RemainingTime": [0, 0],
            }
            if early
            else None,
        ),
        Change(end + off_after, SWITCHED_OFF, OFF_STATE),
    ]
    ticks = [Change(start + 60.0 * k, TICK) for k in range(1, minutes)]
    return changes + [tick for tick in ticks if tick.at < end]


def _fridge(rng: random.Random) -> list[Change]:
    """Door alarms while cooking and unloading shopping; supercooling for a party."""
    changes: list[Change] = []
    for opened, seconds in ((7.2 * HOUR, 90.0), (18.7 * HOUR, 150.0)):
        at = opened + rng.uniform(-JITTER, JITTER)
        changes.append(Change(at, DOOR_OPENED, {"SignalDoor": True}))
        changes.append(Change(at + seconds, DOOR_CLOSED, {"SignalDoor": False}))
    start = 16 * HOUR + rng.uniform(-JITTER, JITTER)
    changes.append(Change(start, SUPERCOOL_ON, {"Status": 14}))
    changes.append(Change(start + 6 * HOUR, SUPERCOOL_OFF, {"Status": 5}))
    return changes


PROGRAMMES: Final = (
    # appliance, switched on (h), minutes, switched off (s after the end), ProgramID, phase
    ("washer", 7.5, 119, 2700, 1, 260),
    ("washer", 17.75, 49, 1200, 3, 260),
    ("tumble_dryer", 10.5, 90, 1800, 3, 514),
    ("tumble_dryer", 19.25, 70, 2400, 3, 514),
    ("dishwasher", 13.25, 179, 3600, 6, 1794),
    ("dishwasher", 20.5, 139, 600, 6, 1794),
    ("oven", 11.8, 40, 300, 13, 3074),
    ("oven", 18.3, 25, 180, 13, 3074),
)


def day(rng: random.Random, offset: float = 0.0) -> dict[str, list[Change]]:
    """One household day's changes per appliance, sorted, shifted by ``offset`` seconds."""
    plan: dict[str, list[Change]] = {appliance: [] for appliance in HOUSEHOLD}
    for appliance, on_at, minutes, off_after, programme, phase in PROGRAMMES:
        plan[appliance] += _programme(
            rng,
            appliance,
            on_at=on_at * HOUR,
            minutes=minutes,
            off_after=off_after,
            programme=programme,
            phase=phase,
        )
    plan["fridge_freezer"] = _fridge(rng)
    return {
        appliance: sorted(
            (Change(c.at + offset, c.kind, c.fields) for c in changes),
            key=lambda change: change.at,
        )
        for appliance, changes in plan.items()
    }
