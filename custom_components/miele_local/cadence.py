"""
How often an appliance's State is read: it follows what the appliance is doing.

The figures come from the household-day benchmark (``scripts/bench household``,
docs/benchmarks.md): fast only where a change is imminent, slow where nothing happens.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Final

from .miele.models import Status

if TYPE_CHECKING:
    from .miele.models import State

IMMINENT: Final = timedelta(seconds=5)
"""A programme about to end (its last two minutes), a pending door or failure signal."""
RUNNING: Final = timedelta(seconds=15)
"""A programme runs (or is paused) with more than two minutes left."""
IDLE: Final = timedelta(seconds=60)
"""Switched on but no programme running: selecting, waiting, finished, a fridge keeping cool."""
OFF: Final = timedelta(seconds=120)
"""Off, in standby, or not known yet."""
PUSHED: Final = timedelta(seconds=300)
"""While pushes arrive, polling is only the safety net behind them."""

BUSY_BACKOFF: Final = timedelta(seconds=30)
"""After an appliance answered "busy" (503), the next read waits at least this long."""

ENDING_WITHIN: Final = timedelta(minutes=2)
"""Remaining time (whole minutes, rounded up by the appliance) at which the end is imminent."""

_PROGRAMME: Final = frozenset({Status.RUNNING, Status.PAUSE, Status.RINSE_HOLD})
# Status 0 is what a module in deep standby serves (an all-zero sample), never a live status.
_ASLEEP: Final = frozenset({None, Status.RESERVED, Status.OFF, Status.NOT_CONNECTED})
# SignalInfo (salt or rinse aid low, ...) can stay up for days: it does not speed polling up.


def poll_interval(state: State | None, *, push_active: bool = False) -> timedelta:
    """Return the time until the next State read of an appliance last seen in `state`."""
    if push_active:
        return PUSHED
    if state is None or state.status in _ASLEEP:
        return OFF
    if state.signal_door or state.signal_failure or state.status == Status.FAILURE:
        return IMMINENT
    if state.status in _PROGRAMME and state.program_id:
        remaining = state.remaining_time
        if remaining is not None and remaining <= ENDING_WITHIN:
            return IMMINENT
        return RUNNING
    return IDLE
