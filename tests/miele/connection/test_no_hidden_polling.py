"""
No hidden polling: ten simulated minutes of the real manager loop against real simulators.

The event loop's clock runs ``SPEED`` times faster than the wall clock (its selector waits
``1/SPEED`` of each timeout), so every ``asyncio.sleep``, aiohttp timeout and the manager's
maintenance loop run unchanged while ten minutes pass in a few seconds. The simulators
timestamp every request they receive with that clock.
"""

from __future__ import annotations

import asyncio
import selectors
import time
from typing import TYPE_CHECKING

from mielelocal import ConnectionManager, DeviceProfile
from simulator import SimulatedAppliance

if TYPE_CHECKING:
    from mielelocal import GroupCredentials
    from simulator import RequestRecord

SPEED = 50.0
RUN = 600.0  # simulated seconds
POLL_INTERVAL = 300.0
HEALTH_CHECK_INTERVAL = 60.0


class _FastSelector(selectors.DefaultSelector):  # type: ignore[misc,valid-type]
    """Waits 1/SPEED of every timeout the loop asks for."""

    def select(
        self, timeout: float | None = None
    ) -> list[tuple[selectors.SelectorKey, int]]:
        return super().select(None if timeout is None else timeout / SPEED)  # type: ignore[no-any-return]


class _FastLoop(asyncio.SelectorEventLoop):
    """An event loop whose clock runs SPEED times faster than ``time.monotonic``."""

    def __init__(self) -> None:
        super().__init__(_FastSelector())
        self._origin = time.monotonic()

    def time(self) -> float:
        return self._origin + (time.monotonic() - self._origin) * SPEED


async def _ten_minutes(
    credentials: GroupCredentials,
) -> tuple[list[RequestRecord], list[RequestRecord], list[float], float]:
    """Poll one appliance every 300 s and leave another alone, for ten minutes."""
    loop = asyncio.get_running_loop()
    polled = SimulatedAppliance("washer", credentials=credentials, host="127.0.0.1")
    idle = SimulatedAppliance("dishwasher", credentials=credentials, host="127.0.0.1")
    poll_times: list[float] = []
    async with (
        polled,
        idle,
        ConnectionManager(
            connection_timeout=300.0,  # 6 s of wall clock: no timeouts under load
            health_check_interval=HEALTH_CHECK_INTERVAL,
            clock=loop.time,
        ) as manager,
    ):
        start = loop.time()
        for sim in (polled, idle):
            await manager.get_client(
                sim.device_id, DeviceProfile(sim.device_id, sim.host, credentials)
            )
        manager.set_poll_interval(polled.device_id, POLL_INTERVAL)
        client = await manager.get_client(
            polled.device_id, DeviceProfile(polled.device_id, polled.host, credentials)
        )
        for poll in range(int(RUN / POLL_INTERVAL) + 1):  # at 0, 300 and 600 s
            await asyncio.sleep(start + poll * POLL_INTERVAL - loop.time())
            poll_times.append(loop.time())
            await manager.execute_with_retry(
                polled.device_id, lambda: client.get_device_state(polled.device_id)
            )
    return list(polled.requests), list(idle.requests), poll_times, start


def test_idle_appliance_sees_only_its_polls_and_quiet_checks(
    socket_enabled: None, credentials: GroupCredentials
) -> None:
    loop = _FastLoop()
    try:
        polled, idle, poll_times, start = loop.run_until_complete(
            _ten_minutes(credentials)
        )
    finally:
        loop.close()

    # The polled appliance: exactly its three State reads (0, 300, 600 s), nothing else.
    assert len(poll_times) == 3
    assert [record.path.rsplit("/", 1)[-1] for record in polled] == ["State"] * 3
    for record, polled_at in zip(polled, poll_times, strict=True):
        assert 0 <= record.received_at - polled_at < 30

    # The appliance nothing asks for: one Ident check per quiet health_check_interval,
    # each after a whole interval of silence.
    assert {record.path.rsplit("/", 1)[-1] for record in idle} == {"Ident"}
    assert 6 <= len(idle) <= RUN / HEALTH_CHECK_INTERVAL
    previous = start
    for record in idle:
        assert record.received_at - previous >= HEALTH_CHECK_INTERVAL
        previous = record.received_at
