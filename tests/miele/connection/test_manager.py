"""The connection manager against simulated appliances on 127.0.0.1 (real sockets)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

import aiohttp
import pytest

from mielelocal.client import MieleClient
from mielelocal.connection import (
    ConnectionManager,
    ConnectionState,
    DeviceProfile,
    HealthThresholds,
    Jitter,
    backoff_delay,
    is_retryable,
)
from mielelocal.connection.profile import ConnectionSettings
from mielelocal.credentials import GroupCredentials
from mielelocal.exceptions import (
    ConnectionLostError,
    ConnectionPoolExhaustedError,
    DeviceSleepError,
    MieleAuthError,
    MieleBusyError,
    MieleConfigError,
    MieleConnectionError,
    MieleProtocolError,
    MieleResponseError,
    MieleSecurityError,
    MieleTimeoutError,
    ReconnectionError,
)
from tests.miele.connection.conftest import eventually

if TYPE_CHECKING:
    from collections.abc import Coroutine

    from simulator import SimulatedAppliance
    from tests.conftest import SimulatorFactory
    from tests.miele.connection.conftest import RecordingSleep


def profile_for(
    sim: SimulatedAppliance, credentials: GroupCredentials
) -> DeviceProfile:
    return DeviceProfile(sim.device_id, sim.host, credentials)


def puts(sim: SimulatedAppliance) -> int:
    return sum(record.method == "PUT" for record in sim.requests)


# -- pure parts -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("jitter", "rand", "expected"),
    [
        (Jitter.FULL, 1.0, [2.0, 4.0, 8.0, 10.0, 10.0]),
        (Jitter.FULL, 0.0, [0.0] * 5),
        (Jitter.EQUAL, 0.0, [1.0, 2.0, 4.0, 5.0, 5.0]),
        (Jitter.EQUAL, 0.5, [1.5, 3.0, 6.0, 7.5, 7.5]),
    ],
)
def test_backoff_schedule(jitter: Jitter, rand: float, expected: list[float]) -> None:
    assert [
        backoff_delay(n, base=2.0, cap=10.0, jitter=jitter, rand=lambda: rand)
        for n in range(5)
    ] == expected


@pytest.mark.parametrize(
    ("error", "retryable"),
    [
        (MieleConnectionError("c"), True),
        (MieleTimeoutError("t"), True),
        (MieleResponseError("r", 500), True),
        (MieleResponseError("r", 400), False),
        (MieleResponseError("r", 404), False),
        (MieleBusyError("b"), True),
        (MieleAuthError("a", 401), False),
        (MieleAuthError("a", 404), False),
        (MieleAuthError("a", 403), False),
        (MieleSecurityError("s"), False),
        (MieleProtocolError("p"), False),
        (ConnectionPoolExhaustedError("p"), False),
    ],
)
def test_is_retryable(error: MieleConnectionError, retryable: bool) -> None:
    assert is_retryable(error) is retryable


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"max_connections": 0}, "max_connections"),
        ({"retry_delay": -1}, "retry_delay"),
        ({"retry_max_delay": 0}, "retry_max_delay"),
        ({"wake_delay": True}, "wake_delay"),
        ({"wake_attempts": -1}, "wake_attempts"),
        ({"jitter": "none"}, "jitter"),
    ],
)
def test_manager_settings_are_validated(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(MieleConfigError) as err:
        ConnectionManager(**kwargs)  # type: ignore[arg-type]
    assert err.value.field == field


async def test_from_settings_and_lifecycle() -> None:
    manager = ConnectionManager.from_settings(
        ConnectionSettings(max_connections=3, health_check_interval=5.0), jitter="full"
    )
    assert manager.settings.max_connections == 3
    assert manager.get_connection_pool().max_connections == 3
    async with manager:
        pass
    with pytest.raises(ReconnectionError, match="closed"):
        await manager.start()


async def test_removing_an_unknown_device_and_closing_an_unstarted_manager() -> None:
    manager = ConnectionManager()
    await manager.remove_device("000000000001")
    assert manager.get_health_monitor().devices == ()
    assert manager.get_device_resetter().last_evidence("000000000001") is None
    await manager.close()
    with pytest.raises(ReconnectionError, match="closed"):
        await manager.start()


async def test_maintenance_runs_through_the_given_task_factory() -> None:
    created: list[tuple[str, asyncio.Task[None]]] = []

    def create_task(coro: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(coro, name=name)
        created.append((name, task))
        return task

    manager = ConnectionManager.from_settings(
        ConnectionSettings(health_check_interval=5.0), create_task=create_task
    )
    await manager.start()
    await manager.start()  # idempotent: still one task
    assert [name for name, _ in created] == ["miele_local connection maintenance"]
    task = created[0][1]
    assert not task.done()
    await manager.close()
    assert task.cancelled()


# -- clients ------------------------------------------------------------------------------


async def test_get_client_caches_and_recreates(
    simulator_factory: SimulatorFactory,
    credentials: GroupCredentials,
    manager: ConnectionManager,
) -> None:
    sim = await simulator_factory(credentials=credentials)
    profile = profile_for(sim, credentials)
    client = await manager.get_client(sim.device_id, profile)
    assert isinstance(client, MieleClient)
    assert client.host == sim.host
    assert await manager.get_client(sim.device_id, profile) is client
    other = await simulator_factory(credentials=credentials, fab_number=sim.device_id)
    moved = await manager.get_client(sim.device_id, profile_for(other, credentials))
    assert moved is not client
    assert moved.host == other.host
    assert manager.get_health_monitor().get_health(sim.device_id).reconnect_count == 1
    ident = await manager.execute_with_retry(
        sim.device_id, lambda: moved.get_ident(sim.device_id)
    )
    assert ident.fab_number == sim.device_id
    assert sim.requests == []  # the new host was used
    with pytest.raises(MieleConfigError, match="does not match"):
        await manager.get_client("000000000001", profile)


async def test_failure_to_create_a_client(credentials: GroupCredentials) -> None:
    def broken_factory(profile: DeviceProfile) -> MieleClient:
        raise MieleConfigError("timeout", "must be a positive number of seconds")

    async with ConnectionManager(client_factory=broken_factory) as manager:
        with pytest.raises(ReconnectionError, match="000177753917") as err:
            await manager.get_client(
                "000177753917", DeviceProfile("000177753917", "127.0.0.1", credentials)
            )
    assert isinstance(err.value.__cause__, MieleConfigError)


async def test_injected_session_is_never_closed(
    simulator_factory: SimulatorFactory, credentials: GroupCredentials
) -> None:
    sim = await simulator_factory(credentials=credentials)
    async with aiohttp.ClientSession() as session:
        async with ConnectionManager(session=session) as manager:
            client = await manager.get_client(
                sim.device_id, profile_for(sim, credentials)
            )
            await manager.execute_with_retry(
                sim.device_id, lambda: client.get_state(sim.device_id)
            )
        assert not session.closed


async def test_remove_device_forgets_everything(
    simulator_factory: SimulatorFactory,
    credentials: GroupCredentials,
    manager: ConnectionManager,
) -> None:
    sim = await simulator_factory(credentials=credentials)
    profile = profile_for(sim, credentials)
    client = await manager.get_client(sim.device_id, profile)
    await manager.execute_with_retry(
        sim.device_id, lambda: client.get_state(sim.device_id)
    )
    monitor = manager.get_health_monitor()
    assert monitor.get_health(sim.device_id).requests_total == 1
    await manager.remove_device(sim.device_id)
    assert monitor.get_health(sim.device_id).requests_total == 0
    assert await manager.get_client(sim.device_id, profile) is not client


# -- serialisation and the pool -----------------------------------------------------------


async def test_concurrent_callers_are_serialised_per_host(
    simulator_factory: SimulatorFactory,
    credentials: GroupCredentials,
    manager: ConnectionManager,
) -> None:
    washer = await simulator_factory(credentials=credentials)
    fridge = await simulator_factory("fridge_freezer", credentials=credentials)
    clients = {
        sim.device_id: await manager.get_client(
            sim.device_id, profile_for(sim, credentials)
        )
        for sim in (washer, fridge)
    }

    async def read(device_id: str) -> object:
        client = clients[device_id]
        return await manager.execute_with_retry(
            device_id, lambda: client.get_state(device_id)
        )

    # Half through the manager, half straight on the client: both enter the pool slot.
    direct = [clients[washer.device_id].get_ident(washer.device_id) for _ in range(10)]
    managed = [read(sim.device_id) for sim in (washer, fridge) for _ in range(10)]
    results = await asyncio.gather(*managed, *direct)
    assert len(results) == 30
    assert washer.max_concurrent == 1
    assert fridge.max_concurrent == 1
    assert washer.overlapping_requests == 0
    assert len(washer.requests) == 20
    pool = manager.get_connection_pool()
    stats = pool.statistics()
    assert (len(pool), pool.active_connections, pool.idle_connections) == (2, 0, 2)
    assert stats.acquired == 30
    assert stats.waits > 0
    assert stats.timeouts == 0


async def test_pool_exhaustion_is_raised_at_once_and_not_recorded(
    simulator_factory: SimulatorFactory, credentials: GroupCredentials
) -> None:
    sim = await simulator_factory(credentials=credentials)
    sim.set_fault("timeout")
    async with ConnectionManager(connection_timeout=0.5, pool_timeout=0.05) as manager:
        client = await manager.get_client(sim.device_id, profile_for(sim, credentials))
        stuck = asyncio.create_task(client.get_state(sim.device_id))
        await asyncio.sleep(0.1)
        with pytest.raises(ConnectionPoolExhaustedError):
            await manager.execute_with_retry(
                sim.device_id, lambda: client.get_state(sim.device_id)
            )
        with pytest.raises(ConnectionPoolExhaustedError):
            await manager.execute_once(
                sim.device_id, lambda: client.start(sim.device_id)
            )
        with pytest.raises(MieleTimeoutError):
            await stuck
        assert manager.get_connection_pool().statistics().timeouts == 2
        assert (
            manager.get_health_monitor().get_health(sim.device_id).requests_total == 0
        )


# -- retries and backoff ----------------------------------------------------------------


async def test_backoff_then_connection_lost(
    simulator_factory: SimulatorFactory,
    credentials: GroupCredentials,
    manager: ConnectionManager,
    fake_sleep: RecordingSleep,
) -> None:
    sim = await simulator_factory(credentials=credentials)
    client = await manager.get_client(sim.device_id, profile_for(sim, credentials))
    states: list[ConnectionState] = []

    async def on_change(device_id: str, state: ConnectionState) -> None:
        states.append(state)

    monitor = manager.get_health_monitor()
    monitor.register_state_callback(sim.device_id, on_change)
    await manager.execute_with_retry(
        sim.device_id, lambda: client.get_state(sim.device_id)
    )
    sim.set_fault("offline")
    with pytest.raises(ConnectionLostError, match="4 attempt") as err:
        await manager.execute_with_retry(
            sim.device_id, lambda: client.get_state(sim.device_id)
        )
    assert type(err.value.__cause__) is MieleConnectionError
    # retry_delay 1, cap 3, equal jitter with rand 0.5: 0.75 * min(3, 2**n)
    assert fake_sleep.delays == [0.75, 1.5, 2.25]
    health = monitor.get_health(sim.device_id)
    assert health.state is ConnectionState.UNHEALTHY
    assert health.last_error_kind == "connection"
    assert health.consecutive_failures == 4
    assert states == [
        ConnectionState.HEALTHY,
        ConnectionState.DEGRADED,
        ConnectionState.UNHEALTHY,
    ]
    sim.set_fault("none")
    for _ in range(2):
        await manager.execute_with_retry(
            sim.device_id, lambda: client.get_state(sim.device_id)
        )
    assert states[-2:] == [ConnectionState.DEGRADED, ConnectionState.HEALTHY]


async def test_transient_failure_is_retried(
    simulator_factory: SimulatorFactory,
    credentials: GroupCredentials,
    manager: ConnectionManager,
    fake_sleep: RecordingSleep,
) -> None:
    sim = await simulator_factory(credentials=credentials)
    client = await manager.get_client(sim.device_id, profile_for(sim, credentials))
    sim.set_fault("timeout")  # the probe times out too: not asleep, just unreachable

    calls = 0

    async def read_and_heal() -> object:
        nonlocal calls
        calls += 1
        if calls == 3:
            sim.set_fault("none")
        return await client.get_state(sim.device_id)

    state = await manager.execute_with_retry(sim.device_id, read_and_heal)
    assert state is not None
    assert fake_sleep.delays == [0.75, 1.5]
    # Two failed reads degraded the connection: the success is confirmed by an Ident read.
    assert [record.status for record in sim.requests] == [None] * 4 + [200, 200]
    assert sim.requests[-1].path == f"/Devices/{sim.device_id}/Ident"
    health = manager.get_health_monitor().get_health(sim.device_id)
    assert health.state is ConnectionState.HEALTHY
    assert health.requests_total == 4
    assert health.success_ratio == pytest.approx(2 / 4)
    assert health.response_time is not None


async def test_http_500_is_retried_when_sleep_detection_is_off(
    simulator_factory: SimulatorFactory,
    credentials: GroupCredentials,
    fake_sleep: RecordingSleep,
) -> None:
    sim = await simulator_factory(credentials=credentials)
    sim.set_fault("error500")
    async with ConnectionManager(
        retry_count=2,
        wake_attempts=0,
        sleep=fake_sleep,
        rand=lambda: 1.0,
        jitter="full",
    ) as manager:
        client = await manager.get_client(sim.device_id, profile_for(sim, credentials))
        with pytest.raises(ConnectionLostError) as err:
            await manager.execute_with_retry(
                sim.device_id, lambda: client.get_state(sim.device_id)
            )
    assert isinstance(err.value.__cause__, MieleResponseError)
    assert fake_sleep.delays == [2.0, 4.0]
    assert len(sim.requests) == 3
    assert puts(sim) == 0


async def test_per_call_retries_override_the_setting(
    simulator_factory: SimulatorFactory,
    credentials: GroupCredentials,
    manager: ConnectionManager,
    fake_sleep: RecordingSleep,
) -> None:
    sim = await simulator_factory(credentials=credentials)
    client = await manager.get_client(sim.device_id, profile_for(sim, credentials))
    sim.set_fault("offline")
    with pytest.raises(ConnectionLostError, match="2 attempt"):
        await manager.execute_with_retry(
            sim.device_id, lambda: client.get_state(sim.device_id), retries=1
        )
    assert fake_sleep.delays == [0.75]
    with pytest.raises(ValueError, match="negative"):
        await manager.execute_with_retry(
            sim.device_id, lambda: client.get_state(sim.device_id), retries=-1
        )


@pytest.mark.parametrize(
    ("fault", "error", "kind"),
    [
        ("bad_signature", MieleSecurityError, "security"),
        ("garbage", MieleProtocolError, "protocol"),
    ],
)
async def test_security_and_protocol_errors_are_not_retried(
    simulator_factory: SimulatorFactory,
    credentials: GroupCredentials,
    manager: ConnectionManager,
    fake_sleep: RecordingSleep,
    fault: str,
    error: type[Exception],
    kind: str,
) -> None:
    sim = await simulator_factory(credentials=credentials)
    client = await manager.get_client(sim.device_id, profile_for(sim, credentials))
    sim.set_fault(fault)
    with pytest.raises(error):
        await manager.execute_with_retry(
            sim.device_id, lambda: client.get_state(sim.device_id)
        )
    assert len(sim.requests) == 1
    assert fake_sleep.delays == []
    assert (
        manager.get_health_monitor().get_health(sim.device_id).last_error_kind == kind
    )


async def test_auth_error_on_read_counts_as_failure(
    simulator_factory: SimulatorFactory,
    credentials: GroupCredentials,
    manager: ConnectionManager,
) -> None:
    sim = await simulator_factory(credentials=credentials)
    wrong = GroupCredentials(credentials.group_id, bytes(64))
    client = await manager.get_client(sim.device_id, profile_for(sim, wrong))
    with pytest.raises(MieleAuthError):
        await manager.execute_with_retry(
            sim.device_id, lambda: client.get_state(sim.device_id)
        )
    assert len(sim.requests) == 1
    health = manager.get_health_monitor().get_health(sim.device_id)
    assert (health.last_error_kind, health.consecutive_failures) == ("auth", 1)


async def test_waits_are_cancellable(
    simulator_factory: SimulatorFactory, credentials: GroupCredentials
) -> None:
    sim = await simulator_factory(credentials=credentials)
    sim.set_fault("offline")
    async with ConnectionManager(retry_delay=60.0) as manager:
        client = await manager.get_client(sim.device_id, profile_for(sim, credentials))
        task = asyncio.create_task(
            manager.execute_with_retry(
                sim.device_id, lambda: client.get_state(sim.device_id)
            )
        )
        monitor = manager.get_health_monitor()
        await eventually(lambda: monitor.get_health(sim.device_id).requests_total > 0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert task.cancelled()


# -- actions ----------------------------------------------------------------------------


@pytest.mark.parametrize("fault", ["timeout", "offline", "error500"])
async def test_actions_are_sent_exactly_once(
    simulator_factory: SimulatorFactory,
    credentials: GroupCredentials,
    manager: ConnectionManager,
    fake_sleep: RecordingSleep,
    fault: str,
) -> None:
    sim = await simulator_factory(credentials=credentials)
    client = await manager.get_client(sim.device_id, profile_for(sim, credentials))
    sim.set_fault(fault)
    with pytest.raises(
        MieleConnectionError if fault != "error500" else MieleResponseError
    ):
        await manager.execute_once(sim.device_id, lambda: client.stop(sim.device_id))
    with pytest.raises(
        MieleConnectionError if fault != "error500" else MieleResponseError
    ):
        await manager.execute_with_retry(
            sim.device_id, lambda: client.stop(sim.device_id), idempotent=False
        )
    # The simulator records a request once its handler ends.
    await eventually(lambda: puts(sim) >= (0 if fault == "offline" else 2))
    await asyncio.sleep(0.05)
    assert puts(sim) == (0 if fault == "offline" else 2)
    assert fake_sleep.delays == []
    assert sim.actions == []
    assert (
        manager.get_health_monitor().get_health(sim.device_id).consecutive_failures == 2
    )


async def test_refused_action_is_not_a_connection_failure(
    simulator_factory: SimulatorFactory,
    credentials: GroupCredentials,
    manager: ConnectionManager,
) -> None:
    fridge = await simulator_factory(
        "fridge_freezer", credentials=credentials, writes_allowed=False
    )
    washer = await simulator_factory(credentials=credentials)  # already running
    monitor = manager.get_health_monitor()
    fridge_client = await manager.get_client(
        fridge.device_id, profile_for(fridge, credentials)
    )
    await manager.execute_with_retry(
        fridge.device_id, lambda: fridge_client.get_state(fridge.device_id)
    )
    with pytest.raises(MieleAuthError):  # 403: fridges refuse every write
        await manager.execute_once(
            fridge.device_id,
            lambda: fridge_client.set_superfreeze(fridge.device_id, True),
        )
    washer_client = await manager.get_client(
        washer.device_id, profile_for(washer, credentials)
    )
    await manager.execute_with_retry(
        washer.device_id, lambda: washer_client.get_state(washer.device_id)
    )
    with pytest.raises(MieleResponseError):  # 400: a write that changes nothing
        await manager.execute_once(
            washer.device_id, lambda: washer_client.start(washer.device_id)
        )
    for sim in (fridge, washer):
        assert puts(sim) == 1
        health = monitor.get_health(sim.device_id)
        assert (health.state, health.consecutive_failures) == (
            ConnectionState.HEALTHY,
            0,
        )
        assert health.requests_total == 1
    await manager.execute_once(
        washer.device_id, lambda: washer_client.wake(washer.device_id)
    )
    assert monitor.get_health(washer.device_id).requests_total == 2


# -- sleep ------------------------------------------------------------------------------


async def test_sleeping_module_is_woken_and_read_again(
    simulator_factory: SimulatorFactory,
    credentials: GroupCredentials,
    manager: ConnectionManager,
    fake_sleep: RecordingSleep,
) -> None:
    fake_sleep.real_limit = 0.2
    sim = await simulator_factory(credentials=credentials, wake_delay=0.05)
    client = await manager.get_client(sim.device_id, profile_for(sim, credentials))
    sim.set_fault("sleep")
    state = await manager.execute_with_retry(
        sim.device_id, lambda: client.get_ident(sim.device_id)
    )
    assert state.fab_number == sim.device_id
    assert sim.actions == [{"DeviceAction": 2}]
    assert fake_sleep.delays == [0.1]  # one wake round, no backoff
    assert manager.get_health_monitor().get_health(sim.device_id).state is (
        ConnectionState.HEALTHY
    )


async def test_module_that_stays_asleep(
    simulator_factory: SimulatorFactory,
    credentials: GroupCredentials,
    manager: ConnectionManager,
    fake_sleep: RecordingSleep,
) -> None:
    sim = await simulator_factory(credentials=credentials, wake_delay=60.0)
    client = await manager.get_client(sim.device_id, profile_for(sim, credentials))
    states: list[ConnectionState] = []

    async def on_change(device_id: str, state: ConnectionState) -> None:
        states.append(state)

    manager.get_health_monitor().register_state_callback(sim.device_id, on_change)
    sim.set_fault("sleep")
    with pytest.raises(DeviceSleepError, match="2 wake-up") as err:
        await manager.execute_with_retry(
            sim.device_id, lambda: client.get_state(sim.device_id)
        )
    assert isinstance(err.value.__cause__, MieleResponseError)
    assert fake_sleep.delays == [0.1, 0.1]
    assert len(sim.actions) == 2
    assert states[-1] is ConnectionState.SLEEPING
    assert manager.get_health_monitor().get_health(sim.device_id).state is (
        ConnectionState.SLEEPING
    )


async def test_module_asleep_across_polls_does_not_flap(
    simulator_factory: SimulatorFactory,
    credentials: GroupCredentials,
    manager: ConnectionManager,
) -> None:
    sim = await simulator_factory(credentials=credentials, wake_delay=60.0)
    client = await manager.get_client(sim.device_id, profile_for(sim, credentials))
    monitor = manager.get_health_monitor()
    await manager.execute_with_retry(
        sim.device_id, lambda: client.get_state(sim.device_id)
    )
    states: list[ConnectionState] = []

    async def on_change(device_id: str, state: ConnectionState) -> None:
        states.append(state)

    monitor.register_state_callback(sim.device_id, on_change)
    sim.set_fault("sleep")
    for _ in range(4):  # polls, with a background health check in between
        with pytest.raises(DeviceSleepError):
            await manager.execute_with_retry(
                sim.device_id, lambda: client.get_state(sim.device_id)
            )
        assert not await monitor.check_device(sim.device_id)
    assert len(sim.actions) == 8  # the wake-ups never help
    assert states == [ConnectionState.DEGRADED, ConnectionState.SLEEPING]
    assert monitor.get_health(sim.device_id).state is ConnectionState.SLEEPING
    sim.set_fault("none")
    await manager.execute_with_retry(
        sim.device_id, lambda: client.get_state(sim.device_id)
    )
    assert states[-1] is ConnectionState.HEALTHY


async def test_timeout_with_answering_host_is_treated_as_sleep(
    simulator_factory: SimulatorFactory,
    credentials: GroupCredentials,
    manager: ConnectionManager,
    fake_sleep: RecordingSleep,
) -> None:
    sim = await simulator_factory(credentials=credentials)
    client = await manager.get_client(sim.device_id, profile_for(sim, credentials))
    calls = 0

    async def read_timing_out_twice() -> object:
        nonlocal calls
        calls += 1
        if calls <= 2:
            raise MieleTimeoutError("no answer in time")
        return await client.get_state(sim.device_id)

    await manager.execute_with_retry(sim.device_id, read_timing_out_twice)
    assert [record.path for record in sim.requests if record.method == "GET"] == [
        "/",
        "/",
        f"/Devices/{sim.device_id}/State",
        f"/Devices/{sim.device_id}/Ident",  # two failures degraded it: confirm at once
    ]
    assert len(sim.actions) == 2
    assert fake_sleep.delays == [0.1, 0.1]
    health = manager.get_health_monitor().get_health(sim.device_id)
    assert health.state is ConnectionState.HEALTHY


async def test_500_with_awake_state_is_a_plain_retry(
    simulator_factory: SimulatorFactory,
    credentials: GroupCredentials,
    manager: ConnectionManager,
    fake_sleep: RecordingSleep,
) -> None:
    sim = await simulator_factory(credentials=credentials)
    sim.update_state(StandbyState=0)
    client = await manager.get_client(sim.device_id, profile_for(sim, credentials))
    calls = 0

    async def dop2_refused_once() -> object:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise MieleResponseError("DOP2 refused", 500)
        return await client.get_ident(sim.device_id)

    await manager.execute_with_retry(sim.device_id, dop2_refused_once)
    assert sim.actions == []
    assert fake_sleep.delays == [0.75]


async def test_500_then_timeouts_is_sleep_and_failed_wakes_are_tolerated(
    simulator_factory: SimulatorFactory,
    credentials: GroupCredentials,
    fake_sleep: RecordingSleep,
) -> None:
    sim = await simulator_factory(credentials=credentials)
    async with ConnectionManager(
        connection_timeout=0.2, wake_attempts=1, sleep=fake_sleep
    ) as manager:
        await manager.get_client(sim.device_id, profile_for(sim, credentials))
        sim.set_fault("timeout")

        async def refused_with_500() -> object:
            raise MieleResponseError("DOP2 refused", 500)

        with pytest.raises(DeviceSleepError):
            await manager.execute_with_retry(sim.device_id, refused_with_500)
    assert fake_sleep.delays == [3.0]  # one wake round (the wake-up itself timed out)


async def test_500_with_unreadable_state_is_a_plain_retry(
    simulator_factory: SimulatorFactory,
    credentials: GroupCredentials,
    fake_sleep: RecordingSleep,
) -> None:
    sim = await simulator_factory(credentials=credentials)
    async with ConnectionManager(retry_count=0, sleep=fake_sleep) as manager:
        await manager.get_client(sim.device_id, profile_for(sim, credentials))
        sim.set_fault("bad_signature")

        async def refused_with_500() -> object:
            raise MieleResponseError("DOP2 refused", 500)

        with pytest.raises(ConnectionLostError):
            await manager.execute_with_retry(sim.device_id, refused_with_500)
    assert sim.actions == []
    assert fake_sleep.delays == []


# -- background checks and logging -------------------------------------------------------


async def test_background_health_checks(
    simulator_factory: SimulatorFactory, credentials: GroupCredentials
) -> None:
    washer = await simulator_factory(credentials=credentials)
    fridge = await simulator_factory("fridge_freezer", credentials=credentials)
    custom_calls: list[bool] = []

    async def custom_check() -> bool:
        custom_calls.append(True)
        return False

    async with ConnectionManager(health_check_interval=0.04) as manager:
        for sim in (washer, fridge):
            await manager.get_client(sim.device_id, profile_for(sim, credentials))
        monitor = manager.get_health_monitor()
        monitor.register_health_check(fridge.device_id, custom_check)
        await eventually(
            lambda: (
                monitor.get_health(washer.device_id).state is ConnectionState.HEALTHY
                and len(custom_calls) >= 2
            )
        )
        assert await monitor.check_device(washer.device_id)
    assert {record.path for record in washer.requests} == {
        f"/Devices/{washer.device_id}/Ident"
    }
    assert fridge.requests == []
    assert monitor.get_health(fridge.device_id).state is ConnectionState.DEGRADED


async def test_default_check_without_client_fails() -> None:
    async with ConnectionManager() as manager:
        assert not await manager.get_health_monitor().check_device("000177753917")


async def test_no_key_in_any_log_line(
    simulator_factory: SimulatorFactory,
    credentials: GroupCredentials,
    manager: ConnectionManager,
    fake_sleep: RecordingSleep,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    fake_sleep.real_limit = 0.2
    sim = await simulator_factory(credentials=credentials, wake_delay=0.05)
    profile = profile_for(sim, credentials)
    client = await manager.get_client(sim.device_id, profile)
    for fault in ("none", "sleep", "offline", "bad_signature", "reset"):
        sim.set_fault(fault)
        with contextlib.suppress(
            MieleConnectionError, MieleSecurityError, MieleAuthError
        ):
            await manager.execute_with_retry(
                sim.device_id, lambda: client.get_state(sim.device_id)
            )
    resetter = manager.get_device_resetter()
    assert await resetter.detect_factory_reset(client, sim.device_id)
    assert (await resetter.recover_from_reset(sim.device_id, profile))[0]
    await manager.get_client(
        sim.device_id,
        DeviceProfile(sim.device_id, sim.host, GroupCredentials.generate()),
    )
    assert "Retry 1/3" in caplog.text
    assert "lost its pairing" in caplog.text
    key_hex = credentials.group_key_hex
    for record in caplog.records:
        line = record.getMessage()
        assert key_hex not in line.upper()
        assert key_hex[:32] not in line.upper()
    assert repr(profile).find(key_hex) == -1


@pytest.mark.parametrize(
    ("check_passes", "checks_run", "final_state"),
    [
        (False, 1, ConnectionState.DEGRADED),  # the first failed check ends the attempt
        (True, 2, ConnectionState.HEALTHY),  # the read counts once, two checks follow
    ],
)
async def test_recovery_confirmation_with_three_successes_to_recover(
    simulator_factory: SimulatorFactory,
    credentials: GroupCredentials,
    fake_sleep: RecordingSleep,
    check_passes: bool,
    checks_run: int,
    final_state: ConnectionState,
) -> None:
    sim = await simulator_factory(credentials=credentials)
    thresholds = HealthThresholds(successes_to_recover=3)
    async with ConnectionManager(sleep=fake_sleep, thresholds=thresholds) as manager:
        client = await manager.get_client(sim.device_id, profile_for(sim, credentials))
        monitor = manager.get_health_monitor()
        checks = 0

        async def check() -> bool:
            nonlocal checks
            checks += 1
            return check_passes

        monitor.register_health_check(sim.device_id, check)
        for _ in range(2):
            await monitor.record_failure(sim.device_id, "timeout")
        assert monitor.get_health(sim.device_id).state is ConnectionState.DEGRADED
        await manager.execute_with_retry(
            sim.device_id, lambda: client.get_state(sim.device_id)
        )
        assert checks == checks_run
        assert monitor.state_of(sim.device_id) is final_state
        if check_passes:
            await manager.execute_with_retry(
                sim.device_id, lambda: client.get_state(sim.device_id)
            )
            assert checks == checks_run  # healthy: no confirmation


async def test_no_recovery_confirmation_for_a_paused_appliance(
    simulator_factory: SimulatorFactory,
    credentials: GroupCredentials,
    fake_sleep: RecordingSleep,
) -> None:
    """A paused appliance gets the caller's read and nothing more."""
    sim = await simulator_factory(credentials=credentials)
    async with ConnectionManager(sleep=fake_sleep) as manager:
        client = await manager.get_client(sim.device_id, profile_for(sim, credentials))
        monitor = manager.get_health_monitor()
        for _ in range(2):
            await monitor.record_failure(sim.device_id, "timeout")
        manager.set_paused(sim.device_id, True)
        await manager.execute_with_retry(
            sim.device_id, lambda: client.get_state(sim.device_id)
        )
        assert [record.path.rsplit("/", 1)[-1] for record in sim.requests] == ["State"]
        assert monitor.state_of(sim.device_id) is ConnectionState.DEGRADED
        manager.set_paused(sim.device_id, False)
        await manager.execute_with_retry(
            sim.device_id, lambda: client.get_state(sim.device_id)
        )
        assert monitor.state_of(sim.device_id) is ConnectionState.HEALTHY


async def test_set_poll_interval_reaches_the_health_monitor() -> None:
    async with ConnectionManager() as manager:
        manager.set_poll_interval("000177753917", 300)
        monitor = manager.get_health_monitor()
        assert monitor.poll_interval("000177753917") == 300.0
        manager.set_poll_interval("000177753917", None)
        assert monitor.poll_interval("000177753917") is None
