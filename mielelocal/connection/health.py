"""Connection health per appliance: a small state machine fed by every request outcome.

States: ``unknown`` until the first outcome; ``healthy``; ``degraded`` after
``failures_to_degrade`` consecutive failures; ``unhealthy`` after ``failures_to_unhealthy``;
``sleeping`` (network module in standby, set by the manager; timeouts, HTTP errors and sleep
errors keep it, so a sleeping module does not flap) and ``pairing_lost`` (set by the reset
detector). A single failure never changes a healthy state on its own; a success from
``unhealthy`` moves to ``degraded``, and ``successes_to_recover`` consecutive successes restore
``healthy``. ``pairing_lost`` stays until successes prove the pairing or it is marked recovered.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from functools import partial
import logging
import time

from mielelocal.exceptions import (
    ConnectionHealthError,
    DeviceSleepError,
    MieleAuthError,
    MieleConfigError,
    MieleConnectionError,
    MieleError,
    MieleProtocolError,
    MieleResponseError,
    MieleSecurityError,
    MieleTimeoutError,
)

_LOGGER = logging.getLogger(__name__)

type StateCallback = Callable[[str, ConnectionState], Awaitable[None]]
type HealthCheck = Callable[[], Awaitable[bool]]
type DefaultCheck = Callable[[str], Awaitable[bool]]
type Listener = Callable[[], None]

# Failure kinds a module in standby produces: they keep ``sleeping`` instead of counting.
SLEEP_KINDS = frozenset({"sleep", "timeout", "response"})


class ConnectionState(StrEnum):
    """Connection health of one appliance (values double as Home Assistant enum states)."""

    UNKNOWN = "unknown"
    HEALTHY = "healthy"
    DEGRADED = "degraded"
    UNHEALTHY = "unhealthy"
    SLEEPING = "sleeping"
    PAIRING_LOST = "pairing_lost"


@dataclass(frozen=True, slots=True)
class HealthThresholds:
    """How many outcomes it takes to change state, and the size of the statistics window."""

    failures_to_degrade: int = 2
    failures_to_unhealthy: int = 4
    successes_to_recover: int = 2
    window: int = 20

    def __post_init__(self) -> None:
        for name in ("failures_to_degrade", "successes_to_recover", "window"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise MieleConfigError(name, "must be a positive integer")
        if (
            isinstance(self.failures_to_unhealthy, bool)
            or not isinstance(self.failures_to_unhealthy, int)
            or self.failures_to_unhealthy < self.failures_to_degrade
        ):
            raise MieleConfigError(
                "failures_to_unhealthy", "must be an integer >= failures_to_degrade"
            )


@dataclass(frozen=True, slots=True)
class DeviceHealth:
    """An immutable snapshot of one appliance's connection health."""

    state: ConnectionState = ConnectionState.UNKNOWN
    last_success: datetime | None = None
    last_error_kind: str | None = None
    consecutive_failures: int = 0
    consecutive_successes: int = 0
    response_time: float | None = None
    success_ratio: float | None = None
    reconnect_count: int = 0
    requests_total: int = 0


def error_kind(error: BaseException) -> str:
    """Classify an error into a short kind: timeout, connection, auth, security, ..."""
    kinds: tuple[tuple[type[BaseException], str], ...] = (
        (DeviceSleepError, "sleep"),
        (MieleTimeoutError, "timeout"),
        (TimeoutError, "timeout"),
        (MieleConnectionError, "connection"),
        (MieleAuthError, "auth"),
        (MieleSecurityError, "security"),
        (MieleProtocolError, "protocol"),
        (MieleResponseError, "response"),
    )
    return next((kind for cls, kind in kinds if isinstance(error, cls)), "error")


def _wall_time() -> float:
    """Seconds since the epoch, ``time.time`` looked up per call (a frozen test clock applies)."""
    return time.time()


@dataclass(slots=True)
class _Record:
    """Mutable per-device bookkeeping behind :class:`DeviceHealth`."""

    window: int
    state: ConnectionState = ConnectionState.UNKNOWN
    last_success: float | None = None  # wall-clock seconds, made a datetime on snapshot
    last_error_kind: str | None = None
    consecutive_failures: int = 0
    consecutive_successes: int = 0
    reconnect_count: int = 0
    requests_total: int = 0
    last_activity: float | None = None
    last_success_at: float | None = None
    outcomes: deque[bool] = field(init=False)
    response_times: deque[float] = field(init=False)

    def __post_init__(self) -> None:
        self.outcomes = deque(maxlen=self.window)
        self.response_times = deque(maxlen=self.window)

    def snapshot(self) -> DeviceHealth:
        return DeviceHealth(
            state=self.state,
            last_success=(
                None
                if self.last_success is None
                else datetime.fromtimestamp(self.last_success, UTC)
            ),
            last_error_kind=self.last_error_kind,
            consecutive_failures=self.consecutive_failures,
            consecutive_successes=self.consecutive_successes,
            response_time=(
                sum(self.response_times) / len(self.response_times)
                if self.response_times
                else None
            ),
            success_ratio=(
                sum(self.outcomes) / len(self.outcomes) if self.outcomes else None
            ),
            reconnect_count=self.reconnect_count,
            requests_total=self.requests_total,
        )


class ConnectionHealthMonitor:
    """Tracks outcomes per appliance, notifies on transitions and runs active checks."""

    def __init__(
        self,
        thresholds: HealthThresholds | None = None,
        *,
        default_check: DefaultCheck | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = _wall_time,
    ) -> None:
        self.thresholds = thresholds or HealthThresholds()
        self._default_check = default_check
        self._clock = clock
        self._wall_clock = wall_clock
        self._records: dict[str, _Record] = {}
        self._callbacks: dict[str, list[StateCallback]] = {}
        self._checks: dict[str, HealthCheck] = {}
        self._listeners: dict[str, list[Listener]] = {}
        self._poll_intervals: dict[str, float] = {}
        self._paused: set[str] = set()

    def _record(self, device_id: str) -> _Record:
        record = self._records.get(device_id)
        if record is None:
            record = self._records[device_id] = _Record(self.thresholds.window)
        return record

    def get_health(self, device_id: str) -> DeviceHealth:
        """Return a snapshot (``unknown`` with empty statistics for an unseen device)."""
        record = self._records.get(device_id)
        return record.snapshot() if record else DeviceHealth()

    def state_of(self, device_id: str) -> ConnectionState:
        """Return just the state of one appliance (cheaper than :meth:`get_health`)."""
        record = self._records.get(device_id)
        return record.state if record else ConnectionState.UNKNOWN

    @property
    def devices(self) -> tuple[str, ...]:
        """Appliances with any recorded history."""
        return tuple(self._records)

    def last_success_at(self, device_id: str) -> float | None:
        """Monotonic clock time of the last success (``None``: none since the history began)."""
        record = self._records.get(device_id)
        return record.last_success_at if record else None

    def track(self, device_id: str) -> None:
        """Start tracking an appliance (so quiet-device checks include it)."""
        record = self._record(device_id)
        if record.last_activity is None:
            record.last_activity = self._clock()

    # -- outcomes -------------------------------------------------------------------------

    async def record_success(self, device_id: str, response_time: float) -> None:
        """Record a successful exchange that took ``response_time`` seconds."""
        record = self._record(device_id)
        self._count_success(record, response_time)
        new_state = self._after_success(record)
        if new_state is record.state:  # the usual case: no transition to await
            self._notify_listeners(device_id)
        else:
            await self._transition(device_id, record, new_state)

    def record_healthy_success(self, device_id: str, response_time: float) -> bool:
        """Record a success of a ``healthy`` appliance without awaiting anything.

        A success never changes ``healthy``, so no callback is due. Returns ``False``,
        recording nothing, in any other state: then await :meth:`record_success`.
        """
        record = self._records.get(device_id)
        if record is None or record.state is not ConnectionState.HEALTHY:
            return False
        self._count_success(record, response_time)
        if self._listeners.get(device_id):
            self._notify_listeners(device_id)
        return True

    def _count_success(self, record: _Record, response_time: float) -> None:
        record.requests_total += 1
        record.last_activity = record.last_success_at = self._clock()
        record.last_success = self._wall_clock()
        record.consecutive_failures = 0
        record.consecutive_successes += 1
        record.outcomes.append(True)
        record.response_times.append(max(0.0, response_time))

    async def record_failure(self, device_id: str, error: BaseException | str) -> None:
        """Record a failed exchange: an exception or an error kind such as ``"timeout"``."""
        record = self._record(device_id)
        kind = error if isinstance(error, str) else error_kind(error)
        record.requests_total += 1
        record.last_activity = self._clock()
        record.last_error_kind = kind
        record.consecutive_successes = 0
        if not (record.state is ConnectionState.SLEEPING and kind in SLEEP_KINDS):
            record.consecutive_failures += 1  # expected standby answers are no streak
        record.outcomes.append(False)
        await self._transition(device_id, record, self._after_failure(record))

    def _after_success(self, record: _Record) -> ConnectionState:
        state = record.state
        if state in (ConnectionState.UNKNOWN, ConnectionState.SLEEPING):
            return ConnectionState.HEALTHY
        if record.consecutive_successes >= self.thresholds.successes_to_recover:
            return ConnectionState.HEALTHY
        if state is ConnectionState.UNHEALTHY:
            return ConnectionState.DEGRADED
        return state

    def _after_failure(self, record: _Record) -> ConnectionState:
        state = record.state
        failures = record.consecutive_failures
        if state is ConnectionState.PAIRING_LOST:
            return state
        if failures >= self.thresholds.failures_to_unhealthy:
            return ConnectionState.UNHEALTHY
        if failures >= self.thresholds.failures_to_degrade and state in (
            ConnectionState.UNKNOWN,
            ConnectionState.HEALTHY,
            ConnectionState.SLEEPING,
        ):
            return ConnectionState.DEGRADED
        return state

    async def mark_sleeping(self, device_id: str) -> None:
        """Mark the network module as in standby (it did not wake up); resets the streak."""
        record = self._record(device_id)
        record.consecutive_failures = 0
        await self._transition(device_id, record, ConnectionState.SLEEPING)

    async def mark_pairing_lost(self, device_id: str) -> None:
        """Mark the pairing as lost (factory reset); only recovery clears this."""
        await self._transition(
            device_id, self._record(device_id), ConnectionState.PAIRING_LOST
        )

    async def mark_recovered(self, device_id: str) -> None:
        """Pairing or connectivity was restored: back to ``healthy``."""
        record = self._record(device_id)
        record.consecutive_failures = 0
        await self._transition(device_id, record, ConnectionState.HEALTHY)

    def record_reconnect(self, device_id: str) -> None:
        """Count a re-created client (new host or keys, or recovery after a reset)."""
        self._record(device_id).reconnect_count += 1
        self._notify_listeners(device_id)

    async def clear_history(self, device_id: str) -> None:
        """Forget outcomes and counters (back to ``unknown``); subscribers are kept."""
        record = self._records.pop(device_id, None)
        if record is not None and record.state is not ConnectionState.UNKNOWN:
            await self._run_callbacks(device_id, ConnectionState.UNKNOWN)
        self._notify_listeners(device_id)

    def remove_device(self, device_id: str) -> None:
        """Forget an appliance entirely: history, callbacks, checks and listeners."""
        self._records.pop(device_id, None)
        self._callbacks.pop(device_id, None)
        self._checks.pop(device_id, None)
        self._listeners.pop(device_id, None)
        self._poll_intervals.pop(device_id, None)
        self._paused.discard(device_id)

    async def _transition(
        self, device_id: str, record: _Record, new_state: ConnectionState
    ) -> None:
        old_state = record.state
        record.state = new_state
        if new_state is not old_state:
            # Debug only: the caller (Home Assistant's coordinator) logs the outage once.
            _LOGGER.debug("Connection to %s: %s -> %s", device_id, old_state, new_state)
            await self._run_callbacks(device_id, new_state)
        self._notify_listeners(device_id)

    async def _run_callbacks(self, device_id: str, new_state: ConnectionState) -> None:
        for callback in list(self._callbacks.get(device_id, ())):
            try:
                await callback(device_id, new_state)
            except Exception:
                _LOGGER.exception("State callback for %s failed", device_id)

    def _notify_listeners(self, device_id: str) -> None:
        listeners = self._listeners.get(device_id)
        if not listeners:
            return
        for listener in list(listeners):
            try:
                listener()
            except Exception:
                _LOGGER.exception("Health listener for %s failed", device_id)

    # -- subscriptions --------------------------------------------------------------------

    def register_state_callback(self, device_id: str, callback: StateCallback) -> None:
        """Await ``callback(device_id, new_state)`` on every state transition."""
        self._callbacks.setdefault(device_id, []).append(callback)

    def unregister_state_callback(
        self, device_id: str, callback: StateCallback
    ) -> None:
        """Remove a state callback; unknown callbacks are ignored."""
        callbacks = self._callbacks.get(device_id, [])
        if callback in callbacks:
            callbacks.remove(callback)

    def add_listener(self, device_id: str, listener: Listener) -> Callable[[], None]:
        """Call ``listener()`` after every recorded outcome; returns the unsubscribe."""
        listeners = self._listeners.setdefault(device_id, [])
        listeners.append(listener)

        def unsubscribe() -> None:
            if listener in listeners:
                listeners.remove(listener)

        return unsubscribe

    def register_health_check(self, device_id: str, check: HealthCheck) -> None:
        """Use ``check()`` instead of the default signed Ident read for this appliance."""
        self._checks[device_id] = check

    # -- active checks --------------------------------------------------------------------

    async def check_device(self, device_id: str) -> bool:
        """Run the appliance's health check once and record its outcome.

        Returns whether it passed. Raises :class:`ConnectionHealthError` when there is
        neither a registered nor a default check.
        """
        check = self._checks.get(device_id)
        default = self._default_check
        if check is None:
            if default is None:
                raise ConnectionHealthError(f"no health check for {device_id}")
            check = partial(default, device_id)
        started = self._clock()
        try:
            passed = await check()
        except MieleError as err:
            await self.record_failure(device_id, err)
            return False
        except Exception:
            _LOGGER.exception("Health check for %s raised", device_id)
            await self.record_failure(device_id, "check")
            return False
        if passed:
            await self.record_success(device_id, self._clock() - started)
        else:
            await self.record_failure(device_id, "check")
        return passed

    def set_poll_interval(self, device_id: str, seconds: float | None) -> None:
        """Tell how often the appliance's owner polls it (``None``: it does not).

        A polled appliance gets an active check only once a poll is overdue (see
        :meth:`check_quiet_devices`), so checks never outnumber polls.
        """
        if seconds is None:
            self._poll_intervals.pop(device_id, None)
            return
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            raise MieleConfigError("poll_interval", "must be a number of seconds")
        if not 0 < seconds < float("inf"):
            raise MieleConfigError("poll_interval", "must be a positive number")
        self._poll_intervals[device_id] = float(seconds)

    def poll_interval(self, device_id: str) -> float | None:
        """Return the poll interval set for the appliance, if any."""
        return self._poll_intervals.get(device_id)

    def set_paused(self, device_id: str, paused: bool) -> None:
        """Pause or resume the active checks of one appliance.

        A paused appliance is never checked on the monitor's own account (quiet checks,
        recovery confirmation): its owner sends nothing unasked (polling turned off, or a
        household key the appliance refused). Outcomes are still recorded.
        """
        if paused:
            self._paused.add(device_id)
        else:
            self._paused.discard(device_id)

    def is_paused(self, device_id: str) -> bool:
        """Tell whether the appliance's active checks are paused."""
        return device_id in self._paused

    async def check_quiet_devices(self, quiet_for: float) -> None:
        """Check, concurrently, every tracked appliance nothing was asked of for a while.

        That is ``quiet_for`` seconds, plus the appliance's poll interval when one is set:
        an appliance that is polled is checked only when a poll is overdue. Paused
        appliances are never checked.
        """
        now = self._clock()
        quiet = [
            device_id
            for device_id, record in self._records.items()
            if device_id not in self._paused
            and record.last_activity is not None
            and now - record.last_activity
            >= quiet_for + self._poll_intervals.get(device_id, 0.0)
            and (device_id in self._checks or self._default_check is not None)
        ]
        await asyncio.gather(*(self.check_device(device_id) for device_id in quiet))
