"""How often an appliance's State is read: it follows what the appliance is doing.

The figures come from the household-day benchmark (``scripts/bench household``,
docs/benchmarks.md): fast only where a change is imminent, slow where nothing happens.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final

from mielelocal.models import Status

if TYPE_CHECKING:
    from mielelocal.models import State

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
IMMINENT_FOR: Final = timedelta(minutes=3)
"""
How long one reason keeps the IMMINENT cadence (a door left open, a failure nobody clears,
a remaining time stuck at zero); then the cadence the appliance would have without it.
"""

_PROGRAM: Final = frozenset({Status.RUNNING, Status.PAUSE, Status.RINSE_HOLD})
# Status 0 is what a module in deep standby serves (an all-zero sample), never a live status.
_ASLEEP: Final = frozenset({None, Status.RESERVED, Status.OFF, Status.NOT_CONNECTED})
# SignalInfo (salt or rinse aid low, ...) can stay up for days: it does not speed polling up.


def imminent_reasons(state: State | None) -> frozenset[str]:
    """Return why a change looks imminent in `state` (empty: nothing is about to happen)."""
    if state is None or state.status in _ASLEEP:
        return frozenset()
    reasons = {
        reason
        for reason, present in (
            ("door", state.signal_door),
            ("failure", state.signal_failure or state.status == Status.FAILURE),
        )
        if present
    }
    if state.status in _PROGRAM and state.program_id:
        remaining = state.remaining_time
        if remaining is not None and remaining <= ENDING_WITHIN:
            reasons.add(f"ending {state.program_id}")
    return frozenset(reasons)


def poll_interval(
    state: State | None, *, push_active: bool = False, calm: bool = False
) -> timedelta:
    """Return the time until the next State read of an appliance last seen in `state`.

    `calm`: leave the reasons for IMMINENT out (they lasted `IMMINENT_FOR` already).
    """
    if push_active:
        return PUSHED
    if state is None or state.status in _ASLEEP:
        return OFF
    if not calm and imminent_reasons(state):
        return IMMINENT
    if state.status in _PROGRAM and state.program_id:
        return RUNNING
    return IDLE


class Cadence:
    """`poll_interval` over time: each reason for IMMINENT holds it for `IMMINENT_FOR` at most."""

    def __init__(self) -> None:
        """Start with no reason seen."""
        self._reasons: frozenset[str] = frozenset()
        self._since: datetime | None = None

    def interval(
        self, state: State | None, now: datetime, *, push_active: bool = False
    ) -> timedelta:
        """Return the time until the next read of an appliance seen in `state` at `now`.

        The IMMINENT window starts when a reason first shows and starts again when a new
        one joins; once it has passed, the calm cadence applies until every reason is gone.
        """
        reasons = imminent_reasons(state)
        if not reasons:
            self._since = None
        elif self._since is None or not reasons <= self._reasons:
            self._since = now
        self._reasons = reasons
        calm = self._since is not None and now - self._since >= IMMINENT_FOR
        return poll_interval(state, push_active=push_active, calm=calm)
