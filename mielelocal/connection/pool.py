"""Per-host serialisation with a global connection limit.

A Miele Wi-Fi module serves one request at a time, so every HTTP exchange with a host enters
:meth:`ConnectionPool.slot`: one per host at a time, at most ``max_connections`` hosts at once.

The slots are plain counters: a free slot is taken without suspending. Only a caller that
has to wait gets a future, queued first in, first out (one queue per host, one global); a
released slot is handed to the first live waiter, so a waiter is woken only when it owns
what it waited for.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass
from functools import lru_cache
import logging
import time
from typing import TYPE_CHECKING

from mielelocal.credentials import validate_host
from mielelocal.exceptions import ConnectionPoolExhaustedError

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import TracebackType

_LOGGER = logging.getLogger(__name__)

# Spellings of one host ("Washer.local", " washer.local") share one slot; cached, as every
# HTTP exchange enters a slot.
_normalised_host = lru_cache(maxsize=256)(validate_host)

type _Waiters = deque[asyncio.Future[None]]


@dataclass(slots=True)
class _HostEntry:
    """The slot of one host and the bookkeeping that decides when it is idle."""

    last_used: float
    busy: bool = False  # held, possibly while waiting for a global slot
    users: int = 0  # holders plus waiters
    waiters: _Waiters | None = None  # made on first contention (a deque is 760 bytes)


@dataclass(frozen=True, slots=True)
class PoolStatistics:
    """A snapshot of the pool's counters."""

    open: int
    active: int
    idle: int
    acquired: int
    waits: int
    timeouts: int


def _hand_over(waiters: _Waiters) -> bool:
    """Give a released slot to the first live waiter; tell whether there was one."""
    while waiters:
        waiter = waiters.popleft()
        if not waiter.done():
            waiter.set_result(None)
            return True
    return False


def _release_host(entry: _HostEntry) -> None:
    # The emptiness check first: nobody waits in the usual case.
    if not (entry.waiters and _hand_over(entry.waiters)):
        entry.busy = False


def _expire(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError())


class ConnectionPool:
    """Per-host slots plus a global limit; waiting is bounded by ``acquire_timeout``."""

    def __init__(
        self,
        max_connections: int = 10,
        *,
        acquire_timeout: float = 30.0,
        idle_timeout: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_connections = max_connections
        self._acquire_timeout = acquire_timeout
        self._idle_timeout = idle_timeout
        self._clock = clock
        self._next_sweep = clock() + idle_timeout / 4
        self._hosts: dict[str, _HostEntry] = {}
        self._global_waiters: _Waiters = deque()
        self._active = 0  # global slots held
        self._acquired = 0
        self._waits = 0
        self._timeouts = 0

    def __len__(self) -> int:
        """Open host connections (in flight or idle)."""
        return len(self._hosts)

    @property
    def active_connections(self) -> int:
        """Hosts with a request in flight right now."""
        return self._active

    @property
    def idle_connections(self) -> int:
        """Open hosts without a request in flight."""
        return len(self._hosts) - self._active

    def statistics(self) -> PoolStatistics:
        """Return the current counters."""
        return PoolStatistics(
            open=len(self),
            active=self._active,
            idle=self.idle_connections,
            acquired=self._acquired,
            waits=self._waits,
            timeouts=self._timeouts,
        )

    def slot(self, host: str) -> _Slot:
        """Hold the host's only slot and one global slot for one HTTP exchange.

        ``host`` is normalised first (an invalid one raises :class:`MieleConfigError`).
        Entering raises :class:`ConnectionPoolExhaustedError` when no slot frees up within
        ``acquire_timeout``. Cancellation while waiting propagates. The returned object
        holds no state of its own: one may be entered many times, also concurrently.
        """
        return _Slot(self, _normalised_host(host))

    def _try_enter(self, host: str) -> _HostEntry | None:
        """Count a new user of ``host`` and take both slots if that needs no wait.

        Returns ``None`` when the slots were taken, else the entry to wait on.
        """
        if self._clock() >= self._next_sweep:
            self.close_idle()
        entry = self._hosts.get(host)
        if entry is None:
            entry = self._hosts[host] = _HostEntry(self._clock())
        entry.users += 1
        if (
            not entry.busy
            and self._active < self.max_connections
            and not self._global_waiters
        ):
            entry.busy = True
            self._active += 1
            self._acquired += 1
            return None
        return entry

    async def _enter_waiting(self, host: str, entry: _HostEntry) -> None:
        """Wait in line for the host's slot, then for a global one (one deadline for both)."""
        self._waits += 1
        _LOGGER.debug("Waiting for a connection slot to %s", host)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._acquire_timeout
        try:
            if entry.busy:
                await self._wait_in_line(loop, deadline, entry)
            else:
                entry.busy = True
            try:
                if self._active < self.max_connections and not self._global_waiters:
                    self._active += 1
                else:
                    await self._wait_in_line(loop, deadline)
            except BaseException:
                _release_host(entry)
                raise
        except BaseException as err:
            entry.users -= 1
            if isinstance(err, TimeoutError):
                self._timeouts += 1
                raise ConnectionPoolExhaustedError(
                    f"no connection slot to {host} within {self._acquire_timeout:g} s"
                ) from None
            raise
        self._acquired += 1

    async def _wait_in_line(
        self,
        loop: asyncio.AbstractEventLoop,
        deadline: float,
        entry: _HostEntry | None = None,
    ) -> None:
        """Queue for ``entry``'s host slot (``None``: a global slot) until it is handed over.

        Raises TimeoutError at ``deadline``. A waiter cancelled just after the hand-over
        passes the slot on, so a slot is never lost.
        """
        if entry is None:
            waiters = self._global_waiters
        elif entry.waiters is None:
            waiters = entry.waiters = deque()
        else:
            waiters = entry.waiters
        waiter = loop.create_future()
        waiters.append(waiter)
        timer = loop.call_at(deadline, _expire, waiter)
        try:
            await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                if entry is None:
                    self._release_global()
                else:
                    _release_host(entry)
            elif waiter in waiters:
                waiters.remove(waiter)
            raise
        finally:
            timer.cancel()

    def _release_global(self) -> None:
        if not (self._global_waiters and _hand_over(self._global_waiters)):
            self._active -= 1

    def _exit(self, host: str) -> None:
        entry = self._hosts[host]  # never swept while it has a user
        entry.last_used = self._clock()
        entry.users -= 1
        self._release_global()
        _release_host(entry)

    def close_idle(self) -> int:
        """Drop host entries unused for ``idle_timeout``; return how many were closed.

        :meth:`slot` sweeps at most every quarter of ``idle_timeout``, so a request never
        pays for a scan of every host.
        """
        now = self._clock()
        self._next_sweep = now + self._idle_timeout / 4
        stale = [
            host
            for host, entry in self._hosts.items()
            if not entry.users and now - entry.last_used >= self._idle_timeout
        ]
        for host in stale:
            del self._hosts[host]
        if stale:
            _LOGGER.debug("Closed %d idle host connection(s)", len(stale))
        return len(stale)

    def close(self) -> None:
        """Forget every host without a user (call at shutdown)."""
        for host in [host for host, entry in self._hosts.items() if not entry.users]:
            del self._hosts[host]


class _Slot:
    """One host's slot as a plain async context manager (stateless, so reusable)."""

    __slots__ = ("_enter_waiting", "_exit", "_host", "_try_enter")

    def __init__(self, pool: ConnectionPool, host: str) -> None:
        self._try_enter = pool._try_enter  # noqa: SLF001 - the pool's own helper
        self._enter_waiting = pool._enter_waiting  # noqa: SLF001
        self._exit = pool._exit  # noqa: SLF001
        self._host = host

    async def __aenter__(self) -> None:
        entry = self._try_enter(self._host)
        if entry is not None:
            await self._enter_waiting(self._host, entry)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._exit(self._host)
