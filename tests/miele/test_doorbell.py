"""The doorbell: a read per push, at most one per ``MIN_READ_INTERVAL`` of its clock."""

from __future__ import annotations

import asyncio

from mielelocal.doorbell import MIN_READ_INTERVAL, Doorbell


async def test_rings_fold_into_one_read_per_interval() -> None:
    """A read at once; rings within the interval wait for its end, then read once."""
    loop = asyncio.get_running_loop()
    read_at: list[float] = []
    doorbell = Doorbell(loop, lambda: read_at.append(loop.time()))
    doorbell.ring()
    await asyncio.sleep(0.01)
    assert doorbell.reads == 1
    for _ in range(20):
        doorbell.ring()
    await asyncio.sleep(MIN_READ_INTERVAL + 0.2)
    assert doorbell.reads == 2
    assert read_at[1] - read_at[0] >= MIN_READ_INTERVAL * 0.99


async def test_own_clock_sets_the_interval() -> None:
    """With a clock that jumped ahead, the next ring reads at once."""
    now = [0.0]
    reads: list[float] = []
    doorbell = Doorbell(
        asyncio.get_running_loop(), lambda: reads.append(now[0]), clock=lambda: now[0]
    )
    doorbell.ring()
    await asyncio.sleep(0.01)
    now[0] = 60.0
    doorbell.ring()
    await asyncio.sleep(0.01)
    assert reads == [0.0, 60.0]


async def test_cancel_drops_a_postponed_read() -> None:
    doorbell = Doorbell(asyncio.get_running_loop(), lambda: None)
    doorbell.ring()
    await asyncio.sleep(0.01)
    doorbell.ring()
    doorbell.cancel()
    doorbell.cancel()  # nothing pending: no effect
    await asyncio.sleep(MIN_READ_INTERVAL + 0.2)
    assert doorbell.reads == 1
