"""
Per-host serialisation with a global connection limit.

A Miele Wi-Fi module serves one request at a time, so every HTTP exchange with a host enters
:meth:`ConnectionPool.slot`: one per host at a time, at most ``max_connections`` hosts at once.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from functools import lru_cache
import logging
import time
from typing import TYPE_CHECKING

from custom_components.miele_local.miele.credentials import validate_host
from custom_components.miele_local.miele.exceptions import ConnectionPoolExhaustedError

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from types import TracebackType

_LOGGER = logging.getLogger(__name__)

# Spellings of one host ("Washer.local", " washer.local") share one slot; cached, as every
# HTTP exchange enters a slot.
_normalised_host = lru_cache(maxsize=256)(validate_host)


@dataclass(slots=True)
class _HostEntry:
    """The lock of one host and the bookkeeping that decides when it is idle."""

    lock: asyncio.Lock
    last_used: float
    users: int = 0  # holders plus waiters


@dataclass(frozen=True, slots=True)
class PoolStatistics:
    """A snapshot of the pool's counters."""

    open: int
    active: int
    idle: int
    acquired: int
    waits: int
    timeouts: int


class ConnectionPool:
    """Per-host locks plus a global semaphore; waiting is bounded by ``acquire_timeout``."""

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
        self._global = asyncio.Semaphore(max_connections)
        self._hosts: dict[str, _HostEntry] = {}
        self._active = 0
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
        """
        Hold the host's only slot and one global slot for one HTTP exchange.

        ``host`` is normalised first (an invalid one raises :class:`MieleConfigError`).
        Entering raises :class:`ConnectionPoolExhaustedError` when no slot frees up within
        ``acquire_timeout``. Cancellation while waiting propagates.
        """
        return _Slot(self._enter, self._release, _normalised_host(host))

    async def _enter(self, host: str) -> None:
        """Count a new user of ``host`` (sweeping idle hosts when due), then acquire."""
        if self._clock() >= self._next_sweep:
            self.close_idle()
        entry = self._hosts.get(host)
        if entry is None:
            entry = self._hosts[host] = _HostEntry(asyncio.Lock(), self._clock())
        entry.users += 1
        try:
            if entry.users == 1 and not self._global.locked():
                # Nobody holds or waits for this host and a global slot is free: neither
                # acquire can suspend, so no timeout is needed.
                await entry.lock.acquire()
                await self._global.acquire()
            else:
                await self._acquire_waiting(host, entry)
        except BaseException:
            entry.users -= 1
            raise
        self._acquired += 1
        self._active += 1

    async def _acquire_waiting(self, host: str, entry: _HostEntry) -> None:
        self._waits += 1
        _LOGGER.debug("Waiting for a connection slot to %s", host)
        try:
            async with asyncio.timeout(self._acquire_timeout):
                await entry.lock.acquire()
                try:
                    await self._global.acquire()
                except BaseException:
                    entry.lock.release()
                    raise
        except TimeoutError:
            self._timeouts += 1
            raise ConnectionPoolExhaustedError(
                f"no connection slot to {host} within {self._acquire_timeout:g} s"
            ) from None

    def _release(self, host: str) -> None:
        entry = self._hosts[host]  # never swept while it has a user
        self._active -= 1
        entry.last_used = self._clock()
        self._global.release()
        entry.lock.release()
        entry.users -= 1

    def close_idle(self) -> int:
        """
        Drop host entries unused for ``idle_timeout``; return how many were closed.

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
    """One use of :meth:`ConnectionPool.slot`: a plain async context manager."""

    __slots__ = ("_enter", "_host", "_release")

    def __init__(
        self,
        enter: Callable[[str], Awaitable[None]],
        release: Callable[[str], None],
        host: str,
    ) -> None:
        self._enter = enter
        self._release = release
        self._host = host

    async def __aenter__(self) -> None:
        await self._enter(self._host)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._release(self._host)
