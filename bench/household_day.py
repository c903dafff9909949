"""
The scripted day of one household: what happens on each appliance, and when.

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


def day(rng: random.Random, offset: float = 0.0) -> dict[str, list[Change]]:
    """One household day's changes per appliance, sorted, shifted by ``offset`` seconds."""
    plan = {
        "washer": _programme(
            rng,
            "washer",
            on_at=7.5 * HOUR,
            minutes=119,
            off_after=2700,
            programme=1,
            phase=260,
        )
        + _programme(
            rng,
            "washer",
            on_at=17.75 * HOUR,
            minutes=49,
            off_after=1200,
            programme=3,
            phase=260,
        ),
        "tumble_dryer": _programme(
            rng,
            "tumble_dryer",
            on_at=10.5 * HOUR,
            minutes=90,
            off_after=1800,
            programme=3,
            phase=514,
        )
        + _programme(
            rng,
            "tumble_dryer",
            on_at=19.25 * HOUR,
            minutes=70,
            off_after=2400,
            programme=3,
            phase=514,
        ),
        "dishwasher": _programme(
            rng,
            "dishwasher",
            on_at=13.25 * HOUR,
            minutes=179,
            off_after=3600,
            programme=6,
            phase=1794,
        )
        + _programme(
            rng,
            "dishwasher",
            on_at=20.5 * HOUR,
            minutes=139,
            off_after=600,
            programme=6,
            phase=1794,
        ),
        "oven": _programme(
            rng,
            "oven",
            on_at=11.8 * HOUR,
            minutes=40,
            off_after=300,
            programme=13,
            phase=3074,
        )
        + _programme(
            rng,
            "oven",
            on_at=18.3 * HOUR,
            minutes=25,
            off_after=180,
            programme=13,
            phase=3074,
        ),
        "fridge_freezer": _fridge(rng),
    }
    return {
        appliance: sorted(
            (Change(c.at + offset, c.kind, c.fields) for c in changes),
            key=lambda change: change.at,
        )
        for appliance, changes in plan.items()
    }
