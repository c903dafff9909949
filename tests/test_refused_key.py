"""
A refused household key, diagnosed from a fresh mDNS query, and both ways out for the user.

The simulators are real servers on 127.0.0.1 and their advertisements go over real multicast
on the loopback interface (see `tests/mdns.py`).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from homeassistant.components.repairs import repairs_flow_manager
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.setup import async_setup_component
import pytest

from custom_components.miele_local.advertisement import (
    Advertisement,
    Diagnosis,
    async_lookup,
    diagnose,
)
from custom_components.miele_local.const import CONF_GROUP_KEY, DOMAIN
from custom_components.miele_local.coordinator import pairing_lost_issue_id
from custom_components.miele_local.manager import get_manager
from mielelocal.client import MieleClient
from mielelocal.credentials import GroupCredentials

from .conftest import unpaired
from .helpers import issue, poll, reauth_flows

if TYPE_CHECKING:
    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from .mdns import Advertiser

pytestmark = pytest.mark.usefixtures("socket_enabled")

OTHER_FAB_NUMBER = "000199999999"
OTHER_KEY = GroupCredentials.generate()


def commissions(simulator: Any) -> int:
    """Commissioning requests the appliance received (the key goes out in plain text)."""
    return sum(
        record.method == "PUT" and record.path.startswith("/Security/Commissioning")
        for record in simulator.requests
    )


async def refresh(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Read State now (real mDNS needs the real clock, so no frozen scan interval)."""
    await entry.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()


async def configure(
    hass: HomeAssistant, flow_id: str, data: dict[str, Any] | None
) -> Any:
    return await hass.config_entries.flow.async_configure(flow_id, data)


async def reset_while_running(
    hass: HomeAssistant, entry: MockConfigEntry, simulator: Any, advertiser: Advertiser
) -> None:
    """Reset the appliance and advertise it unpaired: the next read raises the repair."""
    assert await async_setup_component(hass, "repairs", {})
    simulator.set_fault("reset")
    await advertiser.advertise(simulator)
    await refresh(hass, entry)
    assert issue(hass, entry) is not None


def assert_paired_again(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    simulator: Any,
    credentials: GroupCredentials,
) -> None:
    """Paired once with the stored key; neither the repair nor a reauth flow is left."""
    assert commissions(simulator) == 1
    assert simulator.credentials == credentials
    assert entry.state is ConfigEntryState.LOADED
    assert issue(hass, entry) is None
    assert reauth_flows(hass) == []


async def test_reset_appliance_gets_the_repair(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Any,
    credentials: GroupCredentials,
    advertiser: Advertiser,
) -> None:
    """Advertised unpaired: the pairing-lost repair (only) pairs it again with the stored key."""
    await reset_while_running(hass, init_integration, simulator, advertiser)
    evidence = init_integration.runtime_data.coordinator.manager.get_device_resetter()
    assert evidence.last_evidence(simulator.device_id).reset_detected
    # One prompt for one event: the repair, no re-authentication beside it.
    assert reauth_flows(hass) == []
    assert init_integration.state is ConfigEntryState.LOADED

    manager = repairs_flow_manager(hass)
    assert manager is not None
    result = await manager.async_init(
        DOMAIN, data={"issue_id": pairing_lost_issue_id(init_integration.entry_id)}
    )
    assert result["step_id"] == "confirm"
    assert result["description_placeholders"]["group_id"] == credentials.group_id
    await advertiser.advertise(simulator)
    result = await manager.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert_paired_again(hass, init_integration, simulator, credentials)


async def test_changed_key_gets_reauthentication(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Any,
    advertiser: Advertiser,
) -> None:
    """Advertised with another group: no repair, reauthentication asks the new key."""
    other_key = GroupCredentials.generate()
    simulator.set_fault("reset")
    async with MieleClient(simulator.host, other_key) as client:
        await client.commission(other_key)
    await advertiser.advertise(simulator)
    await refresh(hass, init_integration)
    assert issue(hass, init_integration) is None
    (flow,) = reauth_flows(hass)
    result = await configure(hass, flow["flow_id"], None)
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == ["reauth_confirm", "reauth_pair_again"]
    result = await configure(hass, flow["flow_id"], {"next_step_id": "reauth_confirm"})
    result = await configure(
        hass,
        flow["flow_id"],
        {"group_id": other_key.group_id, "group_key": other_key.group_key_hex},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert init_integration.data[CONF_GROUP_KEY] == other_key.group_key_hex
    assert init_integration.state is ConfigEntryState.LOADED
    assert commissions(simulator) == 1  # only the one of the other household


async def test_no_evidence_gets_reauthentication_with_pair_again(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Any,
    credentials: GroupCredentials,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Nothing advertised: reauthentication, whose pair-again choice sends the stored key."""
    simulator.set_fault("reset")
    await poll(hass, freezer)
    assert issue(hass, init_integration) is None
    (flow,) = reauth_flows(hass)
    result = await configure(
        hass, flow["flow_id"], {"next_step_id": "reauth_pair_again"}
    )
    assert result["step_id"] == "reauth_pair_again"
    assert result["description_placeholders"]["host"] == simulator.host
    assert commissions(simulator) == 0
    result = await configure(hass, flow["flow_id"], {})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert simulator.credentials == credentials
    assert init_integration.state is ConfigEntryState.LOADED


async def test_pair_again_refuses_another_appliance_at_the_address(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Any,
    credentials: GroupCredentials,
    advertiser: Advertiser,
) -> None:
    """An unpaired module with another identity at the address never gets the key."""
    simulator.set_fault("reset")
    await advertiser.advertise(simulator, fab_number=OTHER_FAB_NUMBER)
    await refresh(hass, init_integration)
    assert issue(hass, init_integration) is None  # not evidence about our appliance
    (flow,) = reauth_flows(hass)
    await configure(hass, flow["flow_id"], {"next_step_id": "reauth_pair_again"})
    result = await configure(hass, flow["flow_id"], {})
    assert result["errors"] == {"base": "wrong_device"}
    assert commissions(simulator) == 0
    # Our appliance is back at the address: the flow finishes.
    await advertiser.advertise(simulator)
    result = await configure(hass, flow["flow_id"], {})
    assert result["reason"] == "reauth_successful"
    await hass.async_block_till_done()
    assert simulator.credentials == credentials


async def test_lookup_matches_the_entry_address(
    hass: HomeAssistant,
    simulator: Any,
    simulator_factory: Any,
    advertiser: Advertiser,
) -> None:
    other = await simulator_factory("oven", paired=False)
    await advertiser.advertise(other)
    await advertiser.advertise(simulator)
    found = await async_lookup(hass, simulator.host)
    assert found is not None
    assert found.group == simulator.credentials.group_id
    assert not found.unpaired
    found = await async_lookup(hass, other.host)
    assert found is not None
    assert found.unpaired
    # Nobody at this address; meanwhile a service says goodbye.
    lookup = hass.async_create_task(async_lookup(hass, "127.0.0.1:9"))
    await asyncio.sleep(0.1)
    await advertiser.withdraw(other)
    assert await lookup is None


async def test_reset_not_confirmed_by_the_reads_asks_for_the_key(
    hass: HomeAssistant,
    simulator: Any,
    mock_config_entry: MockConfigEntry,
    mdns_answers: dict[str, Advertisement],
) -> None:
    """Advertised unpaired, but the detector's signed reads succeed: no repair."""
    mdns_answers[simulator.host] = unpaired(simulator)
    simulator.set_fault("reset")
    mock_config_entry.add_to_hass(hass)
    manager = get_manager(hass)
    # Once the refused read is recorded the appliance answers again (re-paired).
    manager.get_health_monitor().add_listener(
        simulator.device_id, lambda: simulator.set_fault("none")
    )
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_ERROR
    assert issue(hass, mock_config_entry) is None
    assert [flow["context"]["source"] for flow in reauth_flows(hass)] == [SOURCE_REAUTH]


@pytest.mark.parametrize(
    ("group", "pairing", "host_name", "diagnosis"),
    [
        ("", False, "miele-001d63fffe9a1d9d.local", Diagnosis.RESET),
        ("0123456789ABCDEF", True, "miele-001d63fffe9a1d9d.local", Diagnosis.RESET),
        ("", False, "washer.local", Diagnosis.RESET),
        (
            "0123456789ABCDEF",
            False,
            "miele-001d63fffe9a1d9d.local",
            Diagnosis.KEY_REFUSED,
        ),
        ("", False, "miele-001d63fffe000001.local", Diagnosis.KEY_REFUSED),
    ],
)
def test_diagnose(
    group: str, pairing: bool, host_name: str, diagnosis: Diagnosis
) -> None:
    advertisement = Advertisement(host_name, ("192.0.2.1",), 80, group, pairing)
    assert diagnose(advertisement, "000110100125") is diagnosis
    assert diagnose(None, "000110100125") is Diagnosis.KEY_REFUSED


@pytest.mark.parametrize(
    ("host", "serves"),
    [
        ("192.0.2.1", True),
        ("192.0.2.1:80", True),
        ("192.0.2.1:8080", False),
        ("192.0.2.2", False),
        ("Miele-001D63FFFE9A1D9D.local", True),
        ("washer.local", False),
    ],
)
def test_advertisement_serves_host(host: str, serves: bool) -> None:
    advertisement = Advertisement(
        "miele-001d63fffe9a1d9d.local", ("192.0.2.1",), 80, "", True
    )
    assert advertisement.serves(host) is serves


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("offline", "cannot_connect"),
        ("none", "already_paired"),  # still paired (to another key): refused
    ],
)
async def test_pair_again_errors_then_success(
    hass: HomeAssistant,
    simulator: Any,
    mock_config_entry: MockConfigEntry,
    credentials: GroupCredentials,
    fault: str,
    error: str,
) -> None:
    mock_config_entry.add_to_hass(hass)
    simulator.set_fault("reset")
    async with MieleClient(simulator.host, OTHER_KEY) as client:
        await client.commission(OTHER_KEY)
    simulator.set_fault(fault)
    result = await mock_config_entry.start_reauth_flow(hass)
    result = await configure(
        hass, result["flow_id"], {"next_step_id": "reauth_pair_again"}
    )
    result = await configure(hass, result["flow_id"], {})
    assert result["errors"] == {"base": error}
    simulator.set_fault("reset")
    result = await configure(hass, result["flow_id"], {})
    assert result["reason"] == "reauth_successful"
    assert simulator.credentials == credentials


async def test_pair_again_with_invalid_stored_key_aborts(
    hass: HomeAssistant, simulator: Any, mock_config_entry: MockConfigEntry
) -> None:
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, data={**mock_config_entry.data, CONF_GROUP_KEY: "12"}
    )
    result = await mock_config_entry.start_reauth_flow(hass)
    result = await configure(
        hass, result["flow_id"], {"next_step_id": "reauth_pair_again"}
    )
    result = await configure(hass, result["flow_id"], {})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "invalid_config"
    assert commissions(simulator) == 0


async def test_pair_again_refuses_an_appliance_that_answers_with_another_identity(
    hass: HomeAssistant,
    simulator_factory: Any,
    mock_config_entry: MockConfigEntry,
    credentials: GroupCredentials,
) -> None:
    """Commissioned, but the signed Ident names another FabNumber: not stored as ours."""
    stranger = await simulator_factory("oven", paired=False)
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, data={**mock_config_entry.data, "host": stranger.host}
    )
    result = await mock_config_entry.start_reauth_flow(hass)
    result = await configure(
        hass, result["flow_id"], {"next_step_id": "reauth_pair_again"}
    )
    result = await configure(hass, result["flow_id"], {})
    assert result["errors"] == {"base": "wrong_device"}
    assert stranger.credentials == credentials  # sent: nothing advertised an identity
