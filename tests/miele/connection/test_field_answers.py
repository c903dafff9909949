"""
The connection layer and two answers of real modules the simulator does not give.

503: the module is busy; reads are retried with the usual backoff and the health stays as it
was (the module answered). 404 to signed document reads: the module does not know the
household key; never retried, and evidence of a lost pairing like 401/403.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from mielelocal.connection import ConnectionManager, ConnectionState, DeviceProfile
from mielelocal.exceptions import MieleAuthError, MieleBusyError
from mielelocal.models import State, Status
from tests.miele.test_client import CREDS, DEVICE, STATE, FakeAppliance, Reply, serving

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from tests.miele.connection.conftest import RecordingSleep

pytestmark = pytest.mark.usefixtures("socket_enabled")

STATE_PATH = f"/Devices/{DEVICE}/State"
IDENT_PATH = f"/Devices/{DEVICE}/Ident"
BUSY = Reply(status=503, sign="none")


@pytest.fixture
async def appliance() -> AsyncIterator[FakeAppliance]:
    async with serving(FakeAppliance()) as fake:
        fake.json("GET", STATE_PATH, STATE)
        yield fake


@pytest.fixture
def profile(appliance: FakeAppliance) -> DeviceProfile:
    return DeviceProfile(DEVICE, appliance.host, CREDS)


def requests(appliance: FakeAppliance) -> list[tuple[str, str]]:
    return [(seen.method, seen.path) for seen in appliance.seen]


async def test_busy_read_is_retried_and_no_failure(
    appliance: FakeAppliance,
    profile: DeviceProfile,
    manager: ConnectionManager,
    fake_sleep: RecordingSleep,
) -> None:
    client = await manager.get_client(DEVICE, profile)
    monitor = manager.get_health_monitor()
    states: list[ConnectionState] = []

    async def on_change(_device_id: str, state: ConnectionState) -> None:
        states.append(state)

    monitor.register_state_callback(DEVICE, on_change)
    await manager.execute_with_retry(DEVICE, lambda: client.get_state(DEVICE))
    ok = appliance.routes["GET", STATE_PATH]
    appliance.routes["GET", STATE_PATH] = BUSY
    calls = 0

    async def read_until_free() -> State:
        nonlocal calls
        calls += 1
        if calls == 3:
            appliance.routes["GET", STATE_PATH] = ok
        return await client.get_state(DEVICE)

    state = await manager.execute_with_retry(DEVICE, read_until_free)
    assert state.status is Status.RUNNING
    # The manager's backoff (retry_delay 1, cap 3, equal jitter at 0.5), no wake-up.
    assert fake_sleep.delays == [0.75, 1.5]
    assert requests(appliance) == [("GET", STATE_PATH)] * 4
    health = monitor.get_health(DEVICE)
    assert health.state is ConnectionState.HEALTHY
    assert (health.consecutive_failures, health.last_error_kind) == (0, None)
    assert health.requests_total == 2  # the busy answers are recorded as nothing
    assert states == [ConnectionState.HEALTHY]


async def test_still_busy_after_the_retries_raises_the_busy_error(
    appliance: FakeAppliance,
    profile: DeviceProfile,
    manager: ConnectionManager,
    fake_sleep: RecordingSleep,
) -> None:
    client = await manager.get_client(DEVICE, profile)
    await manager.execute_with_retry(DEVICE, lambda: client.get_state(DEVICE))
    appliance.routes["GET", STATE_PATH] = BUSY
    with pytest.raises(MieleBusyError) as err:
        await manager.execute_with_retry(DEVICE, lambda: client.get_state(DEVICE))
    assert type(err.value) is MieleBusyError
    assert err.value.status == 503
    assert fake_sleep.delays == [0.75, 1.5, 2.25]
    assert requests(appliance) == [("GET", STATE_PATH)] * 5
    health = manager.get_health_monitor().get_health(DEVICE)
    assert health.state is ConnectionState.HEALTHY
    assert (health.consecutive_failures, health.requests_total) == (0, 1)


async def test_busy_action_is_sent_once_and_no_failure(
    appliance: FakeAppliance,
    profile: DeviceProfile,
    manager: ConnectionManager,
    fake_sleep: RecordingSleep,
) -> None:
    client = await manager.get_client(DEVICE, profile)
    await manager.execute_with_retry(DEVICE, lambda: client.get_state(DEVICE))
    appliance.routes["PUT", STATE_PATH] = BUSY
    with pytest.raises(MieleBusyError):
        await manager.execute_once(DEVICE, lambda: client.start(DEVICE))
    with pytest.raises(MieleBusyError):
        await manager.execute_with_retry(
            DEVICE, lambda: client.start(DEVICE), idempotent=False
        )
    assert requests(appliance) == [("GET", STATE_PATH)] + [("PUT", STATE_PATH)] * 2
    assert fake_sleep.delays == []
    health = manager.get_health_monitor().get_health(DEVICE)
    assert (health.state, health.consecutive_failures) == (ConnectionState.HEALTHY, 0)


async def test_busy_answer_passes_the_default_health_check(
    appliance: FakeAppliance, profile: DeviceProfile, manager: ConnectionManager
) -> None:
    """The active check asks whether the module is reachable: a busy one is."""
    await manager.get_client(DEVICE, profile)
    appliance.routes["GET", IDENT_PATH] = BUSY
    monitor = manager.get_health_monitor()
    assert await monitor.check_device(DEVICE)
    assert monitor.get_health(DEVICE).consecutive_failures == 0
    assert requests(appliance) == [("GET", IDENT_PATH)]


async def test_unknown_key_404_is_never_retried(
    appliance: FakeAppliance,
    profile: DeviceProfile,
    manager: ConnectionManager,
    fake_sleep: RecordingSleep,
) -> None:
    client = await manager.get_client(DEVICE, profile)
    appliance.routes["GET", STATE_PATH] = Reply(status=404, sign="none")
    with pytest.raises(MieleAuthError) as err:
        await manager.execute_with_retry(DEVICE, lambda: client.get_state(DEVICE))
    assert err.value.status == 404
    assert requests(appliance) == [("GET", STATE_PATH)]
    assert fake_sleep.delays == []
    health = manager.get_health_monitor().get_health(DEVICE)
    assert health.last_error_kind == "auth"


async def test_unknown_key_404_is_evidence_of_a_lost_pairing(
    appliance: FakeAppliance, profile: DeviceProfile, manager: ConnectionManager
) -> None:
    client = await manager.get_client(DEVICE, profile)
    appliance.routes["GET", STATE_PATH] = Reply(status=404, sign="none")
    appliance.routes["GET", "/"] = Reply(status=404, sign="none")
    resetter = manager.get_device_resetter()
    assert await resetter.detect_factory_reset(client, DEVICE)
    evidence = resetter.last_evidence(DEVICE)
    assert evidence is not None
    assert evidence.ident_refused
    assert evidence.state_refused
    assert "signed Ident read refused (HTTP 404)" in evidence.reasons
    assert "signed State read refused (HTTP 404)" in evidence.reasons
    state = manager.get_health_monitor().get_health(DEVICE).state
    assert state is ConnectionState.PAIRING_LOST
