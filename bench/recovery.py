"""Recovery: how fast the default ``ConnectionManager`` sees an outage and its end.

State is polled like the integration does (every 30 s by default).

The appliance is a ``python -m simulator`` process switched with its control API
(``POST /fault {"mode": "offline"}``: its port refuses connections). Each trial switches at
a different point of the poll cycle, so the trials cover early and late outages.
"""

from __future__ import annotations

import asyncio
from contextlib import suppress
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING

import aiohttp

from mielelocal.connection.health import ConnectionState
from mielelocal.connection.manager import ConnectionManager
from mielelocal.connection.profile import DeviceProfile
from mielelocal.credentials import GroupCredentials
from mielelocal.exceptions import MieleError

from .procs import SimulatorProcess

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from mielelocal.client import MieleClient

DEVICE_ID = "000187654321"
POLL_INTERVAL = 30.0
"""A poll every 30 s, the fixed interval of earlier releases (the cadence now varies)."""
FIRST_BACKOFF = 2.0
"""The first retry step of the default manager (``retry_delay``), before jitter."""


@dataclass(frozen=True, slots=True)
class RecoveryTrial:
    """Timings of one outage, in seconds."""

    offline_after_poll: float
    offline_to_unhealthy: float
    online_after_unhealthy: float
    online_to_first_state: float
    online_to_healthy: float


class _Observer:
    """Records health transitions and fresh States with their loop times."""

    def __init__(self) -> None:
        self.transitions: list[tuple[float, ConnectionState]] = []
        self.fresh_states: list[float] = []
        self._changed = asyncio.Event()

    def _now(self) -> float:
        return asyncio.get_running_loop().time()

    async def on_state(self, device_id: str, state: ConnectionState) -> None:
        """Health monitor state callback."""
        self.transitions.append((self._now(), state))
        self._changed.set()

    def on_fresh_state(self) -> None:
        """Record a successful State read."""
        self.fresh_states.append(self._now())
        self._changed.set()

    async def wait_until[T](self, found: Callable[[], T | None]) -> T:
        """Wait until ``found()`` returns something other than None."""
        while (value := found()) is None:
            self._changed.clear()
            await self._changed.wait()
        return value

    def reached(self, state: ConnectionState, since: float) -> float | None:
        """Return the first time at or after ``since`` the health became ``state``."""
        return next(
            (at for at, seen in self.transitions if at >= since and seen is state), None
        )

    def fresh_since(self, since: float) -> float | None:
        """Return when the first fresh State came at or after ``since``."""
        return next((at for at in self.fresh_states if at >= since), None)


async def _poll(
    manager: ConnectionManager,
    client: MieleClient,
    interval: float,
    observer: _Observer,
) -> None:
    """Read State like a Home Assistant coordinator: next poll one interval after this one."""
    loop = asyncio.get_running_loop()
    read = partial(client.get_state, DEVICE_ID)
    while True:
        with suppress(MieleError):
            await manager.execute_with_retry(DEVICE_ID, read)
            observer.on_fresh_state()
        await asyncio.sleep(int(loop.time()) + 0.25 + interval - loop.time())


async def _trial(
    fraction: float,
    interval: float,
    observer: _Observer,
    set_fault: Callable[[str], Awaitable[None]],
) -> RecoveryTrial:
    loop = asyncio.get_running_loop()
    last_poll = await observer.wait_until(partial(observer.fresh_since, loop.time()))
    await asyncio.sleep(last_poll + fraction * interval - loop.time())
    offline_at = loop.time()
    await set_fault("offline")
    unhealthy_at = await observer.wait_until(
        partial(observer.reached, ConnectionState.UNHEALTHY, offline_at)
    )
    await asyncio.sleep(fraction * interval)
    online_at = loop.time()
    await set_fault("none")
    first_state = await observer.wait_until(partial(observer.fresh_since, online_at))
    healthy_at = await observer.wait_until(
        partial(observer.reached, ConnectionState.HEALTHY, online_at)
    )
    return RecoveryTrial(
        offline_after_poll=offline_at - last_poll,
        offline_to_unhealthy=unhealthy_at - offline_at,
        online_after_unhealthy=online_at - unhealthy_at,
        online_to_first_state=first_state - online_at,
        online_to_healthy=healthy_at - online_at,
    )


async def run(*, trials: int, interval: float = POLL_INTERVAL) -> list[RecoveryTrial]:
    """Run ``trials`` outages against the default manager, switching across the cycle."""
    sim = SimulatorProcess(GroupCredentials.generate(), DEVICE_ID)
    observer = _Observer()
    async with (
        sim.running(),
        aiohttp.ClientSession() as control,
        ConnectionManager() as manager,
    ):

        async def set_fault(mode: str) -> None:
            url = f"http://127.0.0.1:{sim.control_port}/fault"
            async with control.post(url, json={"mode": mode}) as response:
                response.raise_for_status()

        manager.get_health_monitor().register_state_callback(
            DEVICE_ID, observer.on_state
        )
        client = await manager.get_client(
            DEVICE_ID, DeviceProfile(DEVICE_ID, sim.host, sim.credentials)
        )
        poller = asyncio.create_task(_poll(manager, client, interval, observer))
        try:
            return [
                await _trial((index + 0.5) / trials, interval, observer, set_fault)
                for index in range(trials)
            ]
        finally:
            poller.cancel()
            await asyncio.gather(poller, return_exceptions=True)


def table(trials: list[RecoveryTrial], interval: float) -> str:
    """Render the trials as a Markdown table."""
    lines = [
        (
            "| trial | offline, s after a poll | offline → `unhealthy` "
            "| online, s after `unhealthy` | online → first fresh State | online → `healthy` |"
        ),
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    lines.extend(
        f"| {index} | {t.offline_after_poll:.1f} s | {t.offline_to_unhealthy:.1f} s "
        f"| {t.online_after_unhealthy:.1f} s | {t.online_to_first_state:.1f} s "
        f"| {t.online_to_healthy:.1f} s |"
        for index, t in enumerate(trials, 1)
    )
    lines.append("")
    lines.append(f"Poll interval {interval:g} s; ConnectionManager defaults.")
    return "\n".join(lines)
