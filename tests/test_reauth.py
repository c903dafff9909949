"""
A refused household key: one prompt per event, and the events that end it without the user.

A reset takes the lost-pairing repair, anything else re-authentication, never both. While
either is open nothing is polled; the prompt closes itself when the appliance answers to the
stored key again, learned from an event: the user's refresh, a push, the appliance
announcing our group over mDNS again (`async_key_may_work_again`), or a reload.
"""

from __future__ import annotations

import asyncio
from ipaddress import ip_address
import socket
import time
from typing import TYPE_CHECKING

from homeassistant.components.repairs import repairs_flow_manager
from homeassistant.config_entries import SOURCE_ZEROCONF, ConfigEntryState
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.miele_local.advertisement import Diagnosis
from custom_components.miele_local.const import CONF_PUSH, CONF_PUSH_PORT, DOMAIN
from custom_components.miele_local.coordinator import (
    KEY_RETRY_COOLDOWN,
    pairing_lost_issue_id,
)
from custom_components.miele_local.pairing import async_key_may_work_again
from mielelocal.client import MieleClient
from simulator.mdns import host_name

from .conftest import entry_data, unpaired
from .helpers import coordinator_of, issue, poll, reauth_flows, wait_idle

if TYPE_CHECKING:
    from collections.abc import Callable
    from unittest.mock import MagicMock

    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant

    from custom_components.miele_local.advertisement import Advertisement
    from mielelocal.credentials import GroupCredentials
    from simulator import SimulatedAppliance

pytestmark = pytest.mark.usefixtures("socket_enabled")

STATUS = "sensor.miele_000177753917_status"


def signed_reads(simulator: SimulatedAppliance) -> int:
    """Signed GETs the appliance received (whatever it answered)."""
    return sum(
        record.method == "GET" and record.path != "/" for record in simulator.requests
    )


async def user_refresh(hass: HomeAssistant) -> None:
    """The user refreshes the appliance's status."""
    assert await async_setup_component(hass, "homeassistant", {})
    await hass.services.async_call(
        "homeassistant", "update_entity", {"entity_id": STATUS}, blocking=True
    )
    await wait_idle(hass)


async def refuse_key(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, simulator: SimulatedAppliance
) -> None:
    """The appliance forgets its pairing; the next poll finds out."""
    assert await async_setup_component(hass, "repairs", {})
    simulator.set_fault("reset")
    await poll(hass, freezer)


# -- one prompt per event --------------------------------------------------------------


async def test_reset_raises_the_repair_and_no_reauthentication(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: SimulatedAppliance,
    mdns_answers: dict[str, Advertisement],
) -> None:
    """A confirmed reset: the repair only; polling stops; a refresh opens nothing else."""
    mdns_answers[simulator.host] = unpaired(simulator)
    await refuse_key(hass, freezer, simulator)
    coordinator = coordinator_of(init_integration)
    assert issue(hass, init_integration) is not None
    assert reauth_flows(hass) == []
    assert coordinator.refused is Diagnosis.RESET
    assert coordinator.update_interval is None
    assert init_integration.state is ConfigEntryState.LOADED
    assert not coordinator.last_update_success

    del mdns_answers[simulator.host]  # no evidence any more: still the same event
    await user_refresh(hass)
    assert issue(hass, init_integration) is not None
    assert reauth_flows(hass) == []


async def test_reset_at_setup_raises_the_repair_without_retries(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    simulator: SimulatedAppliance,
    mock_config_entry: MockConfigEntry,
    mdns_answers: dict[str, Advertisement],
    credentials: GroupCredentials,
) -> None:
    """Reset before setup: a setup error with the repair, no retry with the refused key."""
    assert await async_setup_component(hass, "repairs", {})
    simulator.set_fault("reset")
    mdns_answers[simulator.host] = unpaired(simulator)
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await wait_idle(hass)
    assert mock_config_entry.state is ConfigEntryState.SETUP_ERROR
    assert issue(hass, mock_config_entry) is not None
    assert reauth_flows(hass) == []
    requests = simulator.requests.total
    for _ in range(10):
        await poll(hass, freezer, KEY_RETRY_COOLDOWN)
    assert simulator.requests.total == requests

    manager = repairs_flow_manager(hass)
    assert manager is not None
    result = await manager.async_init(
        DOMAIN, data={"issue_id": pairing_lost_issue_id(mock_config_entry.entry_id)}
    )
    result = await manager.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await wait_idle(hass)
    assert simulator.credentials == credentials
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert issue(hass, mock_config_entry) is None


async def test_an_open_repair_keeps_its_path_across_a_reload(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: SimulatedAppliance,
    mdns_answers: dict[str, Advertisement],
) -> None:
    """Reloaded while still unpaired and silent on mDNS: the repair stays the one prompt."""
    mdns_answers[simulator.host] = unpaired(simulator)
    await refuse_key(hass, freezer, simulator)
    del mdns_answers[simulator.host]
    await hass.config_entries.async_reload(init_integration.entry_id)
    await wait_idle(hass)
    assert init_integration.state is ConfigEntryState.SETUP_ERROR
    assert issue(hass, init_integration) is not None
    assert reauth_flows(hass) == []


async def test_a_changed_key_gets_reauthentication_only(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: SimulatedAppliance,
) -> None:
    """No evidence of a reset: re-authentication, and a later refresh adds no repair."""
    await refuse_key(hass, freezer, simulator)
    assert len(reauth_flows(hass)) == 1
    assert issue(hass, init_integration) is None
    await user_refresh(hass)
    assert len(reauth_flows(hass)) == 1
    assert issue(hass, init_integration) is None


# -- events that end a refusal -----------------------------------------------------------


async def test_user_refresh_ends_the_reauthentication_when_the_key_works(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: SimulatedAppliance,
) -> None:
    await refuse_key(hass, freezer, simulator)
    assert len(reauth_flows(hass)) == 1
    simulator.set_fault("none")  # the module has its key again
    await poll(hass, freezer)
    assert len(reauth_flows(hass)) == 1  # never learned by polling

    reads = signed_reads(simulator)
    await user_refresh(hass)
    assert signed_reads(simulator) == reads + 1
    coordinator = coordinator_of(init_integration)
    assert reauth_flows(hass) == []
    assert coordinator.refused is None
    assert coordinator.last_update_success
    assert not coordinator.paused
    simulator.update_state(Status=6)
    await poll(hass, freezer)  # polling resumed
    assert hass.states.get(STATUS).state == "pause"


async def test_announcement_of_our_group_ends_the_reauthentication(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: SimulatedAppliance,
) -> None:
    """One signed read per announcement, at most one per cooldown; success resumes."""
    await refuse_key(hass, freezer, simulator)
    reads = signed_reads(simulator)
    assert not await async_key_may_work_again(hass, init_integration)
    assert signed_reads(simulator) == reads + 1  # still refused: one read, no diagnosis
    assert len(reauth_flows(hass)) == 1

    simulator.set_fault("none")
    assert not await async_key_may_work_again(hass, init_integration)
    assert signed_reads(simulator) == reads + 1  # within the cooldown: nothing sent

    freezer.tick(KEY_RETRY_COOLDOWN)
    assert await async_key_may_work_again(hass, init_integration)
    await wait_idle(hass)
    assert signed_reads(simulator) == reads + 2
    assert reauth_flows(hass) == []
    assert coordinator_of(init_integration).last_update_success

    # Healthy: an announcement costs nothing.
    freezer.tick(KEY_RETRY_COOLDOWN)
    assert not await async_key_may_work_again(hass, init_integration)
    assert signed_reads(simulator) == reads + 2


async def test_announcement_ends_the_repair(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: SimulatedAppliance,
    credentials: GroupCredentials,
    mdns_answers: dict[str, Advertisement],
) -> None:
    """Paired again with our key from elsewhere: the repair closes, polling resumes."""
    mdns_answers[simulator.host] = unpaired(simulator)
    await refuse_key(hass, freezer, simulator)
    async with MieleClient(simulator.host, credentials) as client:
        await client.commission(credentials)
    assert await async_key_may_work_again(hass, init_integration)
    await wait_idle(hass)
    coordinator = coordinator_of(init_integration)
    assert issue(hass, init_integration) is None
    assert coordinator.update_interval is not None
    reads = signed_reads(simulator)
    await poll(hass, freezer)
    assert signed_reads(simulator) == reads + 1


async def test_announcement_reloads_an_entry_whose_setup_failed_on_the_key(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    simulator: SimulatedAppliance,
    mock_config_entry: MockConfigEntry,
) -> None:
    simulator.set_fault("reset")
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await wait_idle(hass)
    assert mock_config_entry.state is ConfigEntryState.SETUP_ERROR
    assert len(reauth_flows(hass)) == 1

    reads = signed_reads(simulator)
    assert not await async_key_may_work_again(hass, mock_config_entry)
    assert signed_reads(simulator) == reads + 1
    simulator.set_fault("none")
    freezer.tick(KEY_RETRY_COOLDOWN)
    assert await async_key_may_work_again(hass, mock_config_entry)
    await wait_idle(hass)
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert reauth_flows(hass) == []


async def test_announcement_for_an_entry_without_a_prompt_sends_nothing(
    hass: HomeAssistant,
    simulator: SimulatedAppliance,
    mock_config_entry: MockConfigEntry,
) -> None:
    mock_config_entry.add_to_hass(hass)  # not loaded, nothing refused
    assert not await async_key_may_work_again(hass, mock_config_entry)
    assert not await async_key_may_work_again(hass, None)
    assert simulator.requests.total == 0


# -- a push ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def until(check: Callable[[], bool], within: float = 3.0) -> None:
    start = time.monotonic()
    while not check():
        assert time.monotonic() - start < within, "condition not met in time"
        await asyncio.sleep(0.01)


async def test_push_of_a_paused_appliance_ends_the_reauthentication(
    hass: HomeAssistant,
    simulator: SimulatedAppliance,
    credentials: GroupCredentials,
    mock_async_zeroconf: MagicMock,
) -> None:
    """A push signed with our key: one read tells the key works; polling resumes."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=f"Miele {simulator.device_id}",
        unique_id=simulator.device_id,
        data=entry_data(simulator.host, simulator.device_id, credentials),
        options={CONF_PUSH: True, CONF_PUSH_PORT: free_port()},
        version=1,
        minor_version=2,
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await wait_idle(hass)
    coordinator = coordinator_of(entry)
    simulator.set_fault("reset")
    await coordinator.async_refresh()
    await wait_idle(hass)
    assert len(reauth_flows(hass)) == 1

    reads = signed_reads(simulator)
    simulator.set_fault("none")
    simulator.update_state(Status=6)  # pushed to Home Assistant's listener
    await until(lambda: hass.states.get(STATUS).state == "pause")
    await wait_idle(hass)
    assert signed_reads(simulator) == reads + 1
    assert reauth_flows(hass) == []
    assert coordinator.refused is None
    assert coordinator.update_interval is not None


async def test_pushes_while_refused_read_at_most_once_per_cooldown(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: SimulatedAppliance,
) -> None:
    """Pushes can be forged: while the key is refused they try it once per cooldown."""
    await refuse_key(hass, freezer, simulator)
    coordinator = coordinator_of(init_integration)
    reads = signed_reads(simulator)
    for _ in range(5):
        await coordinator.async_read_now()
    assert signed_reads(simulator) == reads + 1
    freezer.tick(KEY_RETRY_COOLDOWN)
    async_fire_time_changed(hass)
    await coordinator.async_read_now()
    assert signed_reads(simulator) == reads + 2
    assert len(reauth_flows(hass)) == 1


async def test_zeroconf_announcement_of_our_group_ends_the_reauthentication(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: SimulatedAppliance,
    credentials: GroupCredentials,
) -> None:
    """The discovery flow of an appliance announcing our group again ends the prompt."""
    await refuse_key(hass, freezer, simulator)
    assert len(reauth_flows(hass)) == 1
    simulator.set_fault(
        "none"
    )  # paired again with our key, behind Home Assistant's back
    freezer.tick(KEY_RETRY_COOLDOWN)

    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_ZEROCONF},
        data=ZeroconfServiceInfo(
            ip_address=ip_address("127.0.0.1"),
            ip_addresses=[ip_address("127.0.0.1")],
            port=simulator.port,
            hostname=host_name(simulator.device_id),
            type="_mieleathome._tcp.local.",
            name=f"{host_name(simulator.device_id)}._mieleathome._tcp.local.",
            properties={"group": credentials.group_id, "devicetype": "1"},
        ),
    )
    await wait_idle(hass)

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert reauth_flows(hass) == []
    assert coordinator_of(init_integration).last_update_success
