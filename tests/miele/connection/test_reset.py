"""Factory-reset detection and recovery against a simulated appliance."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from mielelocal.connection import (
    RESET_INSTRUCTIONS,
    ConnectionManager,
    ConnectionState,
    DeviceProfile,
    DeviceResetter,
)
from mielelocal.credentials import GroupCredentials
from mielelocal.exceptions import DeviceResetError

if TYPE_CHECKING:
    from mielelocal.client import MieleClient
    from simulator import SimulatedAppliance
    from tests.conftest import SimulatorFactory


@pytest.fixture
async def sim(
    simulator_factory: SimulatorFactory, credentials: GroupCredentials
) -> SimulatedAppliance:
    return await simulator_factory(credentials=credentials)


@pytest.fixture
def profile(sim: SimulatedAppliance, credentials: GroupCredentials) -> DeviceProfile:
    return DeviceProfile(sim.device_id, sim.host, credentials)


async def test_paired_appliance_is_not_reset(
    sim: SimulatedAppliance, profile: DeviceProfile, manager: ConnectionManager
) -> None:
    client = await manager.get_client(sim.device_id, profile)
    resetter = manager.get_device_resetter()
    assert resetter.last_evidence(sim.device_id) is None
    assert not await resetter.detect_factory_reset(client, sim.device_id)
    evidence = resetter.last_evidence(sim.device_id)
    assert evidence is not None
    assert evidence.host_answers
    assert not evidence.ident_refused
    assert not evidence.state_refused
    assert not evidence.reset_detected
    assert "signed Ident read succeeded: still paired" in evidence.reasons


async def test_reset_detected_and_recovered(
    sim: SimulatedAppliance,
    profile: DeviceProfile,
    credentials: GroupCredentials,
    manager: ConnectionManager,
) -> None:
    states: list[ConnectionState] = []

    async def on_change(device_id: str, state: ConnectionState) -> None:
        states.append(state)

    monitor = manager.get_health_monitor()
    monitor.register_state_callback(sim.device_id, on_change)
    client = await manager.get_client(sim.device_id, profile)
    await manager.execute_with_retry(
        sim.device_id, lambda: client.get_state(sim.device_id)
    )
    sim.set_fault("reset")
    resetter = manager.get_device_resetter()
    resetter.note_advertised_group(sim.device_id, "")
    assert await resetter.detect_factory_reset(client, sim.device_id)
    evidence = resetter.last_evidence(sim.device_id)
    assert evidence is not None
    assert (evidence.host_answers, evidence.ident_refused, evidence.state_refused) == (
        True,
        True,
        True,
    )
    assert evidence.advertised_unpaired
    assert evidence.advertised_group == ""
    assert "mDNS advertises no group: the appliance is unpaired" in evidence.reasons
    assert monitor.get_health(sim.device_id).state is ConnectionState.PAIRING_LOST

    recovered, new_client = await resetter.recover_from_reset(sim.device_id, profile)
    assert recovered
    assert new_client is client
    assert sim.credentials == credentials
    evidence = resetter.last_evidence(sim.device_id)
    assert evidence is not None
    assert evidence.recovered
    assert evidence.reasons[-1] == "stored key commissioned and verified"
    health = monitor.get_health(sim.device_id)
    assert (health.state, health.reconnect_count) == (ConnectionState.HEALTHY, 1)
    assert states == [
        ConnectionState.HEALTHY,
        ConnectionState.PAIRING_LOST,
        ConnectionState.HEALTHY,
    ]


async def test_timeouts_are_never_evidence_of_a_reset(
    sim: SimulatedAppliance, profile: DeviceProfile, manager: ConnectionManager
) -> None:
    client = await manager.get_client(sim.device_id, profile)
    resetter = manager.get_device_resetter()
    resetter.note_advertised_group(sim.device_id, "")
    sim.set_fault("timeout")
    assert not await resetter.detect_factory_reset(client, sim.device_id)
    evidence = resetter.last_evidence(sim.device_id)
    assert evidence is not None
    assert not evidence.host_answers
    assert evidence.reasons[0].startswith("host does not answer (timeout)")
    sim.set_fault("offline")
    assert not await resetter.detect_factory_reset(client, sim.device_id)
    assert manager.get_health_monitor().get_health(sim.device_id).state is not (
        ConnectionState.PAIRING_LOST
    )


async def test_answering_host_with_failing_reads_is_inconclusive(
    sim: SimulatedAppliance, profile: DeviceProfile, manager: ConnectionManager
) -> None:
    client = await manager.get_client(sim.device_id, profile)
    resetter = manager.get_device_resetter()
    sim.set_fault("error500")
    assert not await resetter.detect_factory_reset(client, sim.device_id)
    evidence = resetter.last_evidence(sim.device_id)
    assert evidence is not None
    assert evidence.host_answers
    assert "signed State read failed (response): inconclusive" in evidence.reasons


async def test_our_advertised_group_means_a_wrong_key_not_a_reset(
    sim: SimulatedAppliance, credentials: GroupCredentials, manager: ConnectionManager
) -> None:
    wrong = GroupCredentials(credentials.group_id, bytes(64))
    client = await manager.get_client(
        sim.device_id, DeviceProfile(sim.device_id, sim.host, wrong)
    )
    resetter = manager.get_device_resetter()
    resetter.note_advertised_group(sim.device_id, credentials.group_id.lower())
    assert not await resetter.detect_factory_reset(client, sim.device_id)
    evidence = resetter.last_evidence(sim.device_id)
    assert evidence is not None
    assert evidence.ident_refused
    assert evidence.state_refused
    assert "mDNS still advertises our group: the stored key may be wrong" in (
        evidence.reasons
    )
    resetter.note_advertised_group(
        sim.device_id, None
    )  # forget mDNS: now it looks reset
    assert await resetter.detect_factory_reset(client, sim.device_id)


async def test_appliance_paired_elsewhere_needs_a_new_key(
    sim: SimulatedAppliance,
    profile: DeviceProfile,
    manager: ConnectionManager,
) -> None:
    other_household = GroupCredentials.generate()
    sim.set_fault("reset")
    client = await manager.get_client(sim.device_id, profile)
    await client.commission(other_household)  # someone else paired it meanwhile
    resetter = manager.get_device_resetter()
    resetter.note_advertised_group(sim.device_id, other_household.group_id)
    assert await resetter.detect_factory_reset(client, sim.device_id)
    evidence = resetter.last_evidence(sim.device_id)
    assert evidence is not None
    assert evidence.advertised_foreign
    assert "mDNS advertises the group of another household" in (evidence.reasons)
    assert await resetter.recover_from_reset(sim.device_id, profile) == (False, None)
    evidence = resetter.last_evidence(sim.device_id)
    assert evidence is not None
    assert evidence.needs_new_key
    assert "needs a new key" in evidence.reasons[-1]
    assert manager.get_health_monitor().get_health(sim.device_id).state is (
        ConnectionState.PAIRING_LOST
    )


async def test_recovery_of_an_unreachable_appliance_fails(
    sim: SimulatedAppliance, profile: DeviceProfile, manager: ConnectionManager
) -> None:
    sim.set_fault("offline")
    resetter = manager.get_device_resetter()
    assert await resetter.recover_from_reset(sim.device_id, profile) == (False, None)
    evidence = resetter.last_evidence(sim.device_id)
    assert evidence is not None
    assert evidence.reasons[0].startswith("host does not answer (connection)")
    assert evidence.reasons[-1] == f"no evidence that {sim.host} lost its pairing"
    assert not evidence.needs_new_key
    assert not evidence.recovered


async def test_recovery_fails_when_the_host_goes_away_after_detection(
    sim: SimulatedAppliance, profile: DeviceProfile, manager: ConnectionManager
) -> None:
    client = await manager.get_client(sim.device_id, profile)
    resetter = manager.get_device_resetter()
    sim.set_fault("reset")
    assert await resetter.detect_factory_reset(client, sim.device_id)
    sim.set_fault("offline")
    assert await resetter.recover_from_reset(sim.device_id, profile) == (False, None)
    evidence = resetter.last_evidence(sim.device_id)
    assert evidence is not None
    assert evidence.reasons[-1] == "commissioning failed (connection)"
    assert evidence.reset_detected  # a later retry may still commission
    assert not evidence.recovered


def commissionings(sim: SimulatedAppliance) -> int:
    return sum(
        record.path.startswith("/Security/Commissioning") for record in sim.requests
    )


async def test_recovery_without_evidence_of_a_reset_sends_no_key(
    sim: SimulatedAppliance, profile: DeviceProfile, manager: ConnectionManager
) -> None:
    resetter = manager.get_device_resetter()
    assert await resetter.recover_from_reset(sim.device_id, profile) == (False, None)
    evidence = resetter.last_evidence(sim.device_id)
    assert evidence is not None
    assert "signed Ident read succeeded: still paired" in evidence.reasons
    assert evidence.reasons[-1] == f"no evidence that {sim.host} lost its pairing"
    assert commissionings(sim) == 0


async def test_recovery_gathers_evidence_first_and_is_not_repeated(
    sim: SimulatedAppliance,
    profile: DeviceProfile,
    credentials: GroupCredentials,
    manager: ConnectionManager,
) -> None:
    sim.set_fault("reset")
    resetter = manager.get_device_resetter()
    recovered, client = await resetter.recover_from_reset(sim.device_id, profile)
    assert recovered
    assert client is not None
    assert sim.credentials == credentials
    assert commissionings(sim) == 1
    # The evidence was used up: a second recovery does not send the key again.
    assert await resetter.recover_from_reset(sim.device_id, profile) == (False, None)
    assert commissionings(sim) == 1


async def test_recovery_fails_when_verification_fails(
    sim: SimulatedAppliance, credentials: GroupCredentials, manager: ConnectionManager
) -> None:
    sim.set_fault("reset")
    # The host takes the key, but the appliance behind it is not the expected one.
    wrong_appliance = DeviceProfile("000000000042", sim.host, credentials)
    resetter = manager.get_device_resetter()
    assert await resetter.recover_from_reset("000000000042", wrong_appliance) == (
        False,
        None,
    )
    assert sim.credentials == credentials
    evidence = resetter.last_evidence("000000000042")
    assert evidence is not None
    # A 404 to a signed Ident read is taken as a household key the module does not know.
    assert evidence.reasons[-1] == "verification after commissioning failed (auth)"


async def test_initiate_reset_needs_confirmation_and_sends_nothing(
    sim: SimulatedAppliance, profile: DeviceProfile, manager: ConnectionManager
) -> None:
    client = await manager.get_client(sim.device_id, profile)
    await manager.execute_with_retry(
        sim.device_id, lambda: client.get_state(sim.device_id)
    )
    resetter = manager.get_device_resetter()
    assert not await resetter.detect_factory_reset(client, sim.device_id)
    with pytest.raises(DeviceResetError, match="only be reset from its own control"):
        await resetter.initiate_reset(client, sim.device_id)
    requests_before = len(sim.requests)
    text = await resetter.initiate_reset(client, sim.device_id, confirm=True)
    assert text == RESET_INSTRUCTIONS
    assert "control panel" in text
    assert len(sim.requests) == requests_before
    assert resetter.last_evidence(sim.device_id) is None
    monitor = manager.get_health_monitor()
    assert monitor.get_health(sim.device_id).requests_total == 0
    assert await manager.get_client(sim.device_id, profile) is not client


async def test_advertisement_older_than_a_success_cannot_veto_a_reset(
    sim: SimulatedAppliance,
    profile: DeviceProfile,
    credentials: GroupCredentials,
    manager: ConnectionManager,
) -> None:
    resetter = manager.get_device_resetter()
    resetter.note_advertised_group(sim.device_id, credentials.group_id)  # at setup
    client = await manager.get_client(sim.device_id, profile)
    await manager.execute_with_retry(
        sim.device_id, lambda: client.get_state(sim.device_id)
    )
    sim.set_fault("reset")  # later: reset, and no new advertisement seen yet
    assert await resetter.detect_factory_reset(client, sim.device_id)
    evidence = resetter.last_evidence(sim.device_id)
    assert evidence is not None
    assert evidence.advertised_group is None
    assert (
        "mDNS advertisement predates the last successful exchange: ignored"
        in evidence.reasons
    )


async def test_advertisement_expires(
    sim: SimulatedAppliance, credentials: GroupCredentials
) -> None:
    now = [1000.0]
    wrong = DeviceProfile(sim.device_id, sim.host, GroupCredentials.generate())
    async with ConnectionManager(clock=lambda: now[0]) as manager:
        resetter = manager.get_device_resetter()
        client = await manager.get_client(sim.device_id, wrong)
        resetter.note_advertised_group(sim.device_id, wrong.credentials.group_id)
        now[0] += 900.0
        assert not await resetter.detect_factory_reset(client, sim.device_id)
        now[0] += 1.0
        assert await resetter.detect_factory_reset(client, sim.device_id)
        evidence = resetter.last_evidence(sim.device_id)
        assert evidence is not None
        assert "mDNS advertisement older than 900 s: ignored" in evidence.reasons


async def test_recovery_clears_the_advertisement(
    sim: SimulatedAppliance,
    profile: DeviceProfile,
    credentials: GroupCredentials,
    manager: ConnectionManager,
) -> None:
    resetter = manager.get_device_resetter()
    sim.set_fault("reset")
    resetter.note_advertised_group(sim.device_id, "")
    recovered, client = await resetter.recover_from_reset(sim.device_id, profile)
    assert recovered
    assert client is not None
    sim.set_fault("reset")  # reset again: the old "unpaired" advertisement is gone
    assert await resetter.detect_factory_reset(client, sim.device_id)
    evidence = resetter.last_evidence(sim.device_id)
    assert evidence is not None
    assert evidence.advertised_group is None
    assert not evidence.advertised_unpaired


async def test_removing_a_device_forgets_its_reset_state(
    sim: SimulatedAppliance,
    profile: DeviceProfile,
    credentials: GroupCredentials,
    manager: ConnectionManager,
) -> None:
    resetter = manager.get_device_resetter()
    client = await manager.get_client(sim.device_id, profile)
    resetter.note_advertised_group(sim.device_id, credentials.group_id)
    assert not await resetter.detect_factory_reset(client, sim.device_id)
    assert resetter.last_evidence(sim.device_id) is not None
    await manager.remove_device(sim.device_id)
    assert resetter.last_evidence(sim.device_id) is None
    sim.set_fault("reset")
    client = await manager.get_client(sim.device_id, profile)
    assert await resetter.detect_factory_reset(client, sim.device_id)  # no veto left


async def test_lost_pairing_is_warned_once(
    sim: SimulatedAppliance,
    profile: DeviceProfile,
    manager: ConnectionManager,
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = await manager.get_client(sim.device_id, profile)
    sim.set_fault("reset")
    resetter = manager.get_device_resetter()
    with caplog.at_level("DEBUG", logger="mielelocal"):
        for _ in range(2):
            assert await resetter.detect_factory_reset(client, sim.device_id)
        # A failed Home Assistant setup forgets the device; its retry must not warn again.
        await manager.remove_device(sim.device_id)
        client = await manager.get_client(sim.device_id, profile)
        assert await resetter.detect_factory_reset(client, sim.device_id)
        sim.set_fault("none")  # paired again (e.g. by hand): the next loss warns again
        assert not await resetter.detect_factory_reset(client, sim.device_id)
        sim.set_fault("reset")
        assert await resetter.detect_factory_reset(client, sim.device_id)
    lost = [r for r in caplog.records if "lost its pairing" in r.getMessage()]
    assert [r.levelname for r in lost] == [
        "WARNING",
        "DEBUG",
        "DEBUG",
        "WARNING",
    ]


async def test_standalone_resetter_keeps_its_own_books(
    sim: SimulatedAppliance,
    profile: DeviceProfile,
    credentials: GroupCredentials,
    manager: ConnectionManager,
) -> None:
    client = await manager.get_client(sim.device_id, profile)
    resetter = DeviceResetter(connection_timeout=2.0)
    sim.set_fault("reset")
    assert await resetter.detect_factory_reset(client, sim.device_id)
    recovered, new_client = await resetter.recover_from_reset(sim.device_id, profile)
    assert recovered
    assert new_client is not None
    assert new_client is not client
    async with new_client:
        assert (await new_client.get_device_ident(sim.device_id)).fab_number == (
            sim.device_id
        )
    assert sim.credentials == credentials
    monitor = manager.get_health_monitor()
    assert monitor.get_health(sim.device_id).state is not ConnectionState.PAIRING_LOST
    assert manager.get_device_resetter().last_evidence(sim.device_id) is None
    text = await resetter.initiate_reset(client, sim.device_id, confirm=True)
    assert text == RESET_INSTRUCTIONS
    assert resetter.last_evidence(sim.device_id) is None


async def test_standalone_recovery_failure_closes_its_client(
    sim: SimulatedAppliance, profile: DeviceProfile
) -> None:
    closed: list[MieleClient] = []

    class ClosingResetter(DeviceResetter):
        async def _client_from_profile(
            self, device_id: str, profile: DeviceProfile
        ) -> MieleClient:
            client = await super()._client_from_profile(device_id, profile)
            original = client.close

            async def close() -> None:
                closed.append(client)
                await original()

            client.close = close  # type: ignore[method-assign]
            return client

    resetter = ClosingResetter()
    assert await resetter.recover_from_reset(sim.device_id, profile) == (False, None)
    evidence = resetter.last_evidence(sim.device_id)
    assert evidence is not None
    assert evidence.reasons[-1] == f"no evidence that {sim.host} lost its pairing"
    assert len(closed) == 1
