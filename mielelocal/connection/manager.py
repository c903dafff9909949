"""The connection manager: one client per appliance, retries, wake-ups and health.

Reads go through :meth:`ConnectionManager.execute_with_retry`, which retries only
connection errors, timeouts, HTTP 500 and HTTP 503 (busy) with capped exponential backoff and
jitter, and wakes a sleeping network module. Actions go through
:meth:`ConnectionManager.execute_once`: sent exactly once. Every outcome (one per attempt) is
recorded in the health monitor, except a busy answer (:class:`MieleBusyError`): the module
answered, so it is no evidence of a connection problem, and it is no success either (no data
came back); it is recorded as nothing and leaves the health state as it was.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
import contextlib
from enum import StrEnum
import logging
import random
import time
from typing import TYPE_CHECKING, Any, Self

import aiohttp

from mielelocal.client import MieleClient
from mielelocal.exceptions import (
    ConnectionLostError,
    ConnectionPoolExhaustedError,
    DeviceSleepError,
    MieleAuthError,
    MieleBusyError,
    MieleConfigError,
    MieleConnectionError,
    MieleError,
    MieleResponseError,
    MieleTimeoutError,
    ReconnectionError,
)

from .health import (
    ConnectionHealthMonitor,
    ConnectionState,
    HealthThresholds,
    error_kind,
)
from .pool import ConnectionPool
from .profile import ConnectionSettings, DeviceProfile
from .reset import DeviceResetter

if TYPE_CHECKING:
    from types import TracebackType

_LOGGER = logging.getLogger(__name__)

type ClientFactory = Callable[[DeviceProfile], MieleClient]
type Sleep = Callable[[float], Awaitable[None]]
type TaskFactory = Callable[[Coroutine[Any, Any, None], str], asyncio.Task[None]]


class Jitter(StrEnum):
    """How a backoff delay is randomised."""

    FULL = "full"  # uniform in [0, delay]
    EQUAL = "equal"  # delay / 2 plus uniform in [0, delay / 2]


def backoff_delay(
    attempt: int,
    *,
    base: float,
    cap: float,
    jitter: Jitter,
    rand: Callable[[], float] = random.random,
) -> float:
    """Delay before retry ``attempt`` (0-based): ``base * 2**attempt`` capped, then jittered."""
    delay = min(cap, base * 2.0**attempt)
    if jitter is Jitter.FULL:
        return delay * rand()
    return delay / 2 + delay / 2 * rand()


def _create_task(coro: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None]:
    """Default task factory: a plain :func:`asyncio.create_task`."""
    return asyncio.create_task(coro, name=name)


def is_retryable(error: MieleError) -> bool:
    """Tell whether a read may be retried: connection, timeout, HTTP 500 and busy (503)."""
    if isinstance(error, ConnectionPoolExhaustedError):
        return False
    if isinstance(error, MieleBusyError):
        return True
    if isinstance(error, MieleResponseError):
        return error.status == 500
    return isinstance(error, MieleConnectionError)


class ConnectionManager:
    """Keeps many appliances reachable; see the module docstring and ``docs/design.md``."""

    def __init__(
        self,
        max_connections: int = 10,
        connection_timeout: float = 10.0,
        health_check_interval: float = 60.0,
        retry_count: int = 3,
        retry_delay: float = 2.0,
        *,
        session: aiohttp.ClientSession | None = None,
        retry_max_delay: float = 30.0,
        jitter: Jitter | str = Jitter.EQUAL,
        wake_delay: float = 3.0,
        wake_attempts: int = 2,
        pool_timeout: float = 30.0,
        idle_timeout: float = 300.0,
        thresholds: HealthThresholds | None = None,
        client_factory: ClientFactory | None = None,
        sleep: Sleep = asyncio.sleep,
        rand: Callable[[], float] = random.random,
        clock: Callable[[], float] = time.monotonic,
        create_task: TaskFactory | None = None,
    ) -> None:
        self.settings = ConnectionSettings(
            max_connections,
            connection_timeout,
            health_check_interval,
            retry_count,
            retry_delay,
        )
        for name, value in (
            ("retry_max_delay", retry_max_delay),
            ("wake_delay", wake_delay),
            ("pool_timeout", pool_timeout),
            ("idle_timeout", idle_timeout),
        ):
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or value <= 0
            ):
                raise MieleConfigError(name, "must be a positive number")
        if (
            isinstance(wake_attempts, bool)
            or not isinstance(wake_attempts, int)
            or wake_attempts < 0
        ):
            raise MieleConfigError("wake_attempts", "must be an integer >= 0")
        try:
            self._jitter = Jitter(jitter)
        except ValueError:
            raise MieleConfigError("jitter", "must be 'full' or 'equal'") from None
        self._retry_max_delay = float(retry_max_delay)
        self._wake_delay = float(wake_delay)
        self._wake_attempts = wake_attempts
        self._session = session
        self._owns_session = session is None
        self._client_factory = client_factory or self._create_client
        self._sleep = sleep
        self._rand = rand
        self._clock = clock
        self._create_task = create_task or _create_task
        self._pool = ConnectionPool(
            max_connections,
            acquire_timeout=pool_timeout,
            idle_timeout=idle_timeout,
            clock=clock,
        )
        self._monitor = ConnectionHealthMonitor(
            thresholds, default_check=self._default_check, clock=clock
        )
        self._resetter = DeviceResetter(
            self._monitor,
            get_client=self.get_client,
            forget_device=self._forget_pairing,
            clock=clock,
        )
        self._clients: dict[str, tuple[DeviceProfile, MieleClient]] = {}
        self._maintenance: asyncio.Task[None] | None = None
        self._closed = False

    @classmethod
    def from_settings(cls, settings: ConnectionSettings, **options: Any) -> Self:
        """Create a manager from :class:`ConnectionSettings` plus keyword-only options."""
        return cls(
            settings.max_connections,
            settings.connection_timeout,
            settings.health_check_interval,
            settings.retry_count,
            settings.retry_delay,
            **options,
        )

    # -- lifecycle ------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def start(self) -> None:
        """Create the HTTP session (unless injected) and start the background health checks."""
        if self._closed:
            raise ReconnectionError("the connection manager is closed")
        if self._session is None:
            self._session = aiohttp.ClientSession()
        if self._maintenance is None:
            self._maintenance = self._create_task(
                self._maintain(), "miele_local connection maintenance"
            )

    async def close(self) -> None:
        """Stop background checks, close clients and the session this manager created."""
        self._closed = True
        if self._maintenance is not None:
            self._maintenance.cancel()
            await asyncio.wait([self._maintenance])
            self._maintenance = None
        clients = [client for _, client in self._clients.values()]
        self._clients.clear()
        for client in clients:
            await client.close()
        if self._owns_session and self._session is not None:
            await self._session.close()
            self._session = None
        self._pool.close()

    async def _maintain(self) -> None:
        """Close idle host entries and check quiet appliances, forever."""
        interval = self.settings.health_check_interval
        while True:
            await asyncio.sleep(interval / 4)
            self._pool.close_idle()
            await self._monitor.check_quiet_devices(interval)

    # -- accessors ------------------------------------------------------------------------

    def get_health_monitor(self) -> ConnectionHealthMonitor:
        """Return the health monitor shared by every appliance."""
        return self._monitor

    def get_connection_pool(self) -> ConnectionPool:
        """Return the pool that serialises requests per host."""
        return self._pool

    def get_device_resetter(self) -> DeviceResetter:
        """Return the factory-reset detector and recoverer."""
        return self._resetter

    def set_poll_interval(self, device_id: str, seconds: float | None) -> None:
        """Tell the manager how often the caller polls the appliance (``None``: not at all).

        The background health check then runs for it only once a poll is overdue by
        ``health_check_interval``: it never adds requests to an appliance that is polled.
        Call again whenever the polling interval changes.
        """
        self._monitor.set_poll_interval(device_id, seconds)

    def set_paused(self, device_id: str, paused: bool) -> None:
        """Pause (or resume) every request the manager sends on its own to the appliance.

        While paused, neither the background health check nor the confirmation of a
        recovery sends anything: only the caller's own requests reach the appliance (its
        owner turned polling off, or the appliance refused the household key).
        """
        self._monitor.set_paused(device_id, paused)

    # -- clients --------------------------------------------------------------------------

    async def get_client(self, device_id: str, profile: DeviceProfile) -> MieleClient:
        """Return the cached client for ``device_id``, creating it on first use.

        A changed host or key re-creates the client and counts as a reconnect. Creation
        failures raise :class:`ReconnectionError`. Starts the manager if needed.
        """
        if profile.device_id != device_id:
            raise MieleConfigError(
                "device_id", "does not match the profile's device_id"
            )
        await self.start()
        cached = self._clients.get(device_id)
        if cached is not None:
            cached_profile, client = cached
            if (cached_profile.host, cached_profile.credentials) == (
                profile.host,
                profile.credentials,
            ):
                return client
            await client.close()
            del self._clients[device_id]
            self._monitor.record_reconnect(device_id)
            _LOGGER.debug(
                "Profile of %s changed: new client for %s", device_id, profile.host
            )
        try:
            client = self._client_factory(profile)
        except MieleError as err:
            raise ReconnectionError(
                f"cannot create a client for {device_id} ({error_kind(err)})"
            ) from err
        self._clients[device_id] = (profile, client)
        self._monitor.track(device_id)
        return client

    def _create_client(self, profile: DeviceProfile) -> MieleClient:
        # A slot is stateless: one serves every request of the client.
        slot = self._pool.slot(profile.host)
        return MieleClient(
            profile.host,
            profile.credentials,
            session=self._session,
            timeout=self.settings.connection_timeout,
            limiter=lambda: slot,
        )

    async def remove_device(self, device_id: str) -> None:
        """Close the appliance's client; forget its health, subscribers and reset evidence."""
        await self._drop_client(device_id)
        self._monitor.remove_device(device_id)
        self._resetter.forget(device_id)

    async def _forget_pairing(self, device_id: str) -> None:
        await self._drop_client(device_id)
        await self._monitor.clear_history(device_id)

    async def _drop_client(self, device_id: str) -> None:
        cached = self._clients.pop(device_id, None)
        if cached is not None:
            await cached[1].close()

    def _cached_client(self, device_id: str) -> MieleClient | None:
        cached = self._clients.get(device_id)
        return cached[1] if cached else None

    async def _default_check(self, device_id: str) -> bool:
        """Run the default active health check: one signed Ident read (busy: it answered)."""
        client = self._cached_client(device_id)
        if client is None:
            return False
        with contextlib.suppress(MieleBusyError):
            await client.get_ident(device_id)
        return True

    # -- execution ------------------------------------------------------------------------

    async def execute_once[T](
        self, device_id: str, op: Callable[[], Awaitable[T]]
    ) -> T:
        """Run an action exactly once and re-raise any failure as is.

        Transport failures count against health; an answer refusing the action (403 with
        writes disabled, 400) or a busy one (503) does not.
        """
        started = self._clock()
        try:
            result = await op()
        except MieleAuthError, ConnectionPoolExhaustedError:
            raise
        except MieleResponseError as err:
            if err.status == 500:
                await self._monitor.record_failure(device_id, err)
            raise
        except MieleError as err:
            await self._monitor.record_failure(device_id, err)
            raise
        await self._monitor.record_success(device_id, self._clock() - started)
        return result

    async def execute_with_retry[T](
        self,
        device_id: str,
        op: Callable[[], Awaitable[T]],
        *,
        idempotent: bool = True,
        retries: int | None = None,
    ) -> T:
        """Run a read, retrying connection errors, timeouts, HTTP 500 and busy answers (503).

        Other errors are raised at once. A sleeping module is woken up to ``wake_attempts``
        times (then :class:`DeviceSleepError`); exhausted retries raise
        :class:`ConnectionLostError` chained from the last error, or the last
        :class:`MieleBusyError` itself when the module was still busy (it answered, so the
        connection was not lost). A busy answer is not recorded in the health monitor.
        ``retries`` overrides ``retry_count`` for this call. ``idempotent=False`` delegates
        to :meth:`execute_once`.
        """
        if not idempotent:
            return await self.execute_once(device_id, op)
        max_retries = self.settings.retry_count if retries is None else retries
        if max_retries < 0:
            raise ValueError("retries must not be negative")
        monitor = self._monitor
        attempt = wakes = 0
        last_error: MieleError
        while True:
            started = self._clock()
            try:
                result = await op()
            except ConnectionPoolExhaustedError:
                raise
            except MieleBusyError as err:
                last_error = err  # it answered: neither a failure nor a success
            except MieleError as err:
                await monitor.record_failure(device_id, err)
                if not is_retryable(err):
                    raise
                last_error = err
            else:
                elapsed = self._clock() - started
                if not monitor.record_healthy_success(device_id, elapsed):
                    await monitor.record_success(device_id, elapsed)
                    if monitor.state_of(device_id) is ConnectionState.DEGRADED:
                        await self._confirm_recovery(device_id)
                return result
            client = self._cached_client(device_id)
            if (
                client is not None
                and self._wake_attempts
                and await self._looks_asleep(client, device_id, last_error)
            ):
                if wakes >= self._wake_attempts:
                    await self._monitor.mark_sleeping(device_id)
                    raise DeviceSleepError(
                        f"{device_id} stayed asleep after {wakes} wake-up(s)"
                    ) from last_error
                wakes += 1
                await self._wake(client, device_id)
                continue
            if attempt >= max_retries:
                if isinstance(last_error, MieleBusyError):
                    raise last_error
                raise ConnectionLostError(
                    f"{device_id}: no answer after {attempt + 1} attempt(s) "
                    f"({error_kind(last_error)})"
                ) from last_error
            delay = backoff_delay(
                attempt,
                base=self.settings.retry_delay,
                cap=self._retry_max_delay,
                jitter=self._jitter,
                rand=self._rand,
            )
            attempt += 1
            _LOGGER.debug(
                "Retry %d/%d for %s in %.2f s after %s",
                attempt,
                max_retries,
                device_id,
                delay,
                error_kind(last_error),
            )
            await self._sleep(delay)

    async def _confirm_recovery(self, device_id: str) -> None:
        """Confirm a recovery at once instead of one poll interval later.

        Called after a success left the appliance ``degraded`` (coming back, or one
        failure streak): health checks follow, up to the successes still needed to be
        ``healthy`` again. Nothing is sent for a paused appliance.
        """
        monitor = self._monitor
        if monitor.is_paused(device_id):
            return
        while monitor.state_of(device_id) is ConnectionState.DEGRADED:
            # Each passing check counts one success, so this ends at healthy at the latest.
            if not await monitor.check_device(device_id):
                return

    async def _looks_asleep(
        self, client: MieleClient, device_id: str, error: MieleError
    ) -> bool:
        """Whether a failed read looks like a network module in standby.

        A timeout while the host still answers an unsigned probe, or a 500 while State
        reports ``StandbyState`` 1 (or cannot be read either: 500 or timeout), means asleep;
        a busy answer (503) never does.
        """
        if isinstance(error, MieleTimeoutError):
            try:
                await client.probe()
            except MieleError:
                return False
            return True
        if not isinstance(error, MieleResponseError) or error.status != 500:
            return False
        try:
            state = await client.get_state(device_id)
        except MieleTimeoutError:
            return True
        except MieleResponseError as err:
            return err.status == 500
        except MieleError:
            return False
        return state.standby_state == 1

    async def _wake(self, client: MieleClient, device_id: str) -> None:
        """Send one wake-up action (best effort), then give the module ``wake_delay``."""
        _LOGGER.debug("Waking %s", device_id)
        try:
            await client.wake(device_id)
        except MieleError as err:
            _LOGGER.debug("Wake-up of %s failed (%s)", device_id, error_kind(err))
        await self._sleep(self._wake_delay)
