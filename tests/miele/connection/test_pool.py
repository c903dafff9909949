"""Per-host serialisation, the global limit, bounded waiting and idle closing."""

from __future__ import annotations

import asyncio
import time

import pytest

from mielelocal.connection import ConnectionPool, PoolStatistics
from mielelocal.exceptions import ConnectionPoolExhaustedError, MieleConfigError


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_one_request_per_host_at_a_time() -> None:
    pool = ConnectionPool(max_connections=10)
    in_flight: dict[str, int] = {"a": 0, "b": 0}
    most: dict[str, int] = {"a": 0, "b": 0}

    async def request(host: str) -> None:
        async with pool.slot(host):
            in_flight[host] += 1
            most[host] = max(most[host], in_flight[host])
            await asyncio.sleep(0.001)
            in_flight[host] -= 1

    await asyncio.gather(*(request(host) for host in ["a", "b"] * 5))
    assert most == {"a": 1, "b": 1}
    stats = pool.statistics()
    assert stats.acquired == 10
    assert stats.waits >= 8  # all but the first caller of each host waited
    assert (stats.open, stats.active, stats.timeouts) == (2, 0, 0)


async def test_statistics_while_in_flight() -> None:
    pool = ConnectionPool(max_connections=2)
    release = asyncio.Event()
    entered = asyncio.Event()

    async def hold() -> None:
        async with pool.slot("a"):
            entered.set()
            await release.wait()

    async with pool.slot("b"):
        pass
    task = asyncio.create_task(hold())
    await entered.wait()
    assert len(pool) == 2
    assert pool.active_connections == 1
    assert pool.idle_connections == 1
    release.set()
    await task
    assert pool.statistics() == PoolStatistics(
        open=2, active=0, idle=2, acquired=2, waits=0, timeouts=0
    )


async def test_global_limit_and_timeout() -> None:
    pool = ConnectionPool(max_connections=1, acquire_timeout=0.01)
    async with pool.slot("a"):
        with pytest.raises(
            ConnectionPoolExhaustedError, match="no connection slot to b"
        ):
            async with pool.slot("b"):
                pass
        with pytest.raises(
            ConnectionPoolExhaustedError, match="no connection slot to a"
        ):
            async with pool.slot("a"):
                pass
    stats = pool.statistics()
    assert (stats.acquired, stats.waits, stats.timeouts) == (1, 2, 2)
    # The host lock taken before the global wait was given back: "b" works now.
    async with pool.slot("b"):
        assert pool.active_connections == 1


async def test_cancelled_waiter_propagates_and_frees_nothing_it_did_not_take() -> None:
    pool = ConnectionPool(max_connections=1)
    release = asyncio.Event()

    async def hold() -> None:
        async with pool.slot("a"):
            await release.wait()

    holder = asyncio.create_task(hold())
    await asyncio.sleep(0)

    async def wait_for_b() -> None:
        async with pool.slot("b"):
            pass

    waiter = asyncio.create_task(wait_for_b())
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    release.set()
    await holder
    async with pool.slot("b"):  # neither lock nor permit leaked
        assert pool.active_connections == 1


async def test_idle_hosts_are_closed() -> None:
    clock = FakeClock()
    pool = ConnectionPool(idle_timeout=60, clock=clock)
    async with pool.slot("a"):
        pass
    clock.now = 30
    async with pool.slot("b"):
        pass
    assert len(pool) == 2
    clock.now = 61
    assert pool.close_idle() == 1  # "a" was idle for 61 s, "b" for 31 s
    assert len(pool) == 1
    clock.now = 200
    async with pool.slot("c"):  # entering a slot closes idle hosts too
        assert len(pool) == 1
    pool.close()
    assert len(pool) == 0


async def test_busy_host_is_never_closed() -> None:
    clock = FakeClock()
    pool = ConnectionPool(idle_timeout=1, clock=clock)
    async with pool.slot("a"):
        clock.now = 100
        assert pool.close_idle() == 0
        pool.close()
        assert len(pool) == 1


@pytest.mark.parametrize(
    ("spelling", "other"),
    [
        ("127.0.0.1:8080", " 127.0.0.1:8080"),
        ("washer.local:8080", "WASHER.Local:8080 "),
    ],
)
async def test_spellings_of_one_host_share_one_slot(spelling: str, other: str) -> None:
    pool = ConnectionPool(max_connections=10)
    in_flight = most = 0

    async def request(host: str) -> None:
        nonlocal in_flight, most
        async with pool.slot(host):
            in_flight += 1
            most = max(most, in_flight)
            await asyncio.sleep(0.001)
            in_flight -= 1

    await asyncio.gather(*(request(host) for host in [spelling, other] * 3))
    assert most == 1
    assert len(pool) == 1


async def test_invalid_host_is_refused_before_taking_a_slot() -> None:
    pool = ConnectionPool()
    with pytest.raises(MieleConfigError) as err:
        async with pool.slot("http://washer/"):
            pass
    assert err.value.field == "host"
    assert pool.statistics() == PoolStatistics(0, 0, 0, 0, 0, 0)


async def test_uncontended_slot_is_taken_without_suspending() -> None:
    """Nobody holds or waits: entering never yields to the loop (so needs no timeout)."""
    pool = ConnectionPool(max_connections=2, acquire_timeout=0.01)
    ran: list[str] = []
    for host in ("a", "b", "a"):
        other = asyncio.get_running_loop().call_soon(ran.append, host)
        async with pool.slot(host):
            assert ran == []  # the callback did not get a turn
            assert pool.active_connections == 1
        other.cancel()
    stats = pool.statistics()
    assert (stats.acquired, stats.waits, stats.timeouts, stats.active) == (3, 0, 0, 0)


async def test_waiting_for_a_busy_host_is_still_bounded() -> None:
    pool = ConnectionPool(max_connections=2, acquire_timeout=0.01)
    async with pool.slot("a"):
        with pytest.raises(ConnectionPoolExhaustedError):
            async with pool.slot("a"):
                raise AssertionError("entered a busy host")
    async with pool.slot("a"):
        pass
    stats = pool.statistics()
    assert (stats.acquired, stats.waits, stats.timeouts) == (2, 1, 1)


async def _hold(pool: ConnectionPool, host: str, release: asyncio.Event) -> None:
    async with pool.slot(host):
        await release.wait()


async def _holder(
    pool: ConnectionPool, host: str
) -> tuple[asyncio.Task[None], asyncio.Event]:
    """Start a task holding ``host``'s slot until the returned event is set."""
    release = asyncio.Event()
    holder = asyncio.create_task(_hold(pool, host, release))
    await asyncio.sleep(0)  # holding now
    return holder, release


async def _enter_in_turn(
    pool: ConnectionPool, hosts: list[str], order: list[str]
) -> list[asyncio.Task[None]]:
    """Start one waiter per host, each queued before the next one starts."""

    async def enter(host: str, label: str) -> None:
        async with pool.slot(host):
            order.append(label)
            await asyncio.sleep(0)

    tasks = []
    for index, host in enumerate(hosts):
        tasks.append(asyncio.create_task(enter(host, f"{host}{index}")))
        await asyncio.sleep(0)  # queued now
    return tasks


async def test_waiters_for_one_host_enter_first_in_first_out() -> None:
    pool = ConnectionPool(max_connections=10)
    holder, release = await _holder(pool, "a")
    order: list[str] = []
    waiters = await _enter_in_turn(pool, ["a"] * 5, order)
    assert order == []
    assert pool.statistics().waits == 5
    release.set()
    await asyncio.gather(holder, *waiters)
    assert order == ["a0", "a1", "a2", "a3", "a4"]
    assert pool.statistics() == PoolStatistics(
        open=1, active=0, idle=1, acquired=6, waits=5, timeouts=0
    )


async def test_global_waiters_enter_first_in_first_out_and_are_not_overtaken() -> None:
    pool = ConnectionPool(max_connections=1)
    holder, release = await _holder(pool, "a")
    order: list[str] = []
    waiters = await _enter_in_turn(pool, ["b", "c", "d"], order)
    release.set()
    await asyncio.sleep(0)  # the holder left and handed its global slot to "b"
    # A newcomer for an idle host finds the global slot taken and queues behind "c", "d".
    waiters += await _enter_in_turn(pool, ["e"], order)
    await asyncio.gather(holder, *waiters)
    assert order == ["b0", "c1", "d2", "e0"]
    assert pool.active_connections == 0


@pytest.mark.parametrize(
    ("max_connections", "hosts"),
    [(10, ["a", "a"]), (1, ["b", "c"]), (1, ["b", "b"])],
    ids=["host slot", "global slot", "global slot, then the host's"],
)
async def test_a_waiter_cancelled_after_the_hand_over_passes_the_slot_on(
    max_connections: int, hosts: list[str]
) -> None:
    pool = ConnectionPool(max_connections=max_connections)
    holder, release = await _holder(pool, "a")
    order: list[str] = []
    first, second = await _enter_in_turn(pool, hosts, order)
    release.set()
    await asyncio.sleep(0)  # the holder exits and hands its slot to "first" ...
    first.cancel()  # ... which is cancelled before it resumes
    with pytest.raises(asyncio.CancelledError):
        await first
    await asyncio.gather(holder, second)
    assert order == [f"{hosts[1]}1"]
    stats = pool.statistics()
    assert (stats.active, stats.acquired, stats.timeouts) == (0, 2, 0)
    for host in hosts:  # nothing leaked: every host is free again
        async with pool.slot(host):
            assert pool.active_connections == 1


async def test_a_cancelled_waiter_leaves_the_queue_without_blocking_the_rest() -> None:
    pool = ConnectionPool(max_connections=10)
    holder, release = await _holder(pool, "a")
    order: list[str] = []
    first, middle, last = await _enter_in_turn(pool, ["a", "a", "a"], order)
    middle.cancel()
    with pytest.raises(asyncio.CancelledError):
        await middle
    release.set()
    await asyncio.gather(holder, first, last)
    assert order == ["a0", "a2"]
    assert pool.statistics().active == 0


async def test_one_deadline_covers_the_host_and_the_global_wait() -> None:
    pool = ConnectionPool(max_connections=1, acquire_timeout=0.2)
    holder_a, release_a = await _holder(pool, "a")  # holds the only global slot
    # Holds host "b" while it waits for the global slot; leaves after 120 ms.
    holder_b, _ = await _holder(pool, "b")
    asyncio.get_running_loop().call_later(0.12, holder_b.cancel)
    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(ConnectionPoolExhaustedError, match="no connection slot to b"):
        # Host "b" after 120 ms, then a global wait for the rest of the same 200 ms
        # (a fresh deadline per stage would give up after 320 ms).
        async with pool.slot("b"):
            pass
    assert 0.19 <= loop.time() - started < 0.3
    with pytest.raises(asyncio.CancelledError):
        await holder_b
    release_a.set()
    await holder_a
    stats = pool.statistics()
    assert (stats.active, stats.acquired, stats.waits, stats.timeouts) == (0, 1, 2, 1)
    async with pool.slot("b"):  # host "b" was given back by the timed-out waiter
        pass


async def test_a_waiter_cancelled_before_the_release_is_skipped() -> None:
    pool = ConnectionPool(max_connections=10)
    order: list[str] = []
    async with pool.slot("a"):
        first, second = await _enter_in_turn(pool, ["a", "a"], order)
        first.cancel()  # its future is cancelled now, the task resumes later
    # The release skipped the cancelled waiter and handed the slot to the second.
    with pytest.raises(asyncio.CancelledError):
        await first
    await second
    assert order == ["a1"]
    assert (pool.active_connections, pool.statistics().acquired) == (0, 2)


async def test_a_release_finding_only_cancelled_waiters_frees_the_slot() -> None:
    pool = ConnectionPool(max_connections=10)
    order: list[str] = []
    async with pool.slot("a"):
        (waiter,) = await _enter_in_turn(pool, ["a"], order)
        waiter.cancel()  # still queued when the slot is released
    with pytest.raises(asyncio.CancelledError):
        await waiter
    waits = pool.statistics().waits
    async with pool.slot("a"):  # free again: taken without waiting
        assert pool.statistics().waits == waits
    assert order == []
    assert pool.active_connections == 0


async def test_a_deadline_passing_after_the_hand_over_does_not_take_the_slot_back() -> (
    None
):
    pool = ConnectionPool(max_connections=10, acquire_timeout=0.01)
    order: list[str] = []
    async with pool.slot("a"):
        (waiter,) = await _enter_in_turn(pool, ["a"], order)
        time.sleep(0.02)  # noqa: ASYNC251 - the deadline passes while the loop is busy
        await asyncio.sleep(0)  # the expiry is due in the same turn as this release
    await waiter
    assert order == ["a0"]
    assert pool.statistics().timeouts == 0
