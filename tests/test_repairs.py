"""The lost-pairing repair issue: raised after a reset, fixed by its fix flow."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from homeassistant.components.repairs import repairs_flow_manager
from homeassistant.config_entries import ConfigEntryState
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.selector import TextSelector
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.miele_local.const import CONF_GROUP_ID, CONF_GROUP_KEY, DOMAIN
from custom_components.miele_local.coordinator import pairing_lost_issue_id
from mielelocal.client import MieleClient
from mielelocal.credentials import GroupCredentials

from .conftest import TEST_FAB_NUMBER, entry_data, unpaired
from .helpers import poll

if TYPE_CHECKING:
    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant

    from custom_components.miele_local.advertisement import Advertisement
    from simulator import SimulatedAppliance

pytestmark = pytest.mark.usefixtures("socket_enabled")


@pytest.fixture(autouse=True)
def advertised_unpaired(
    mdns_answers: dict[str, Advertisement], simulator: SimulatedAppliance
) -> None:
    """The appliance's module advertises itself unpaired, as it does after a reset."""
    mdns_answers[simulator.host] = unpaired(simulator)


async def lose_pairing(
    hass: HomeAssistant, simulator: Any, freezer: FrozenDateTimeFactory
) -> str:
    """Reset the appliance, poll, and return the issue id that appeared."""
    assert await async_setup_component(hass, "repairs", {})
    simulator.set_fault("reset")
    await poll(hass, freezer)
    entry_id = hass.config_entries.async_entries(DOMAIN)[0].entry_id
    issue_id = pairing_lost_issue_id(entry_id)
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
    return issue_id


async def start_fix(hass: HomeAssistant, issue_id: str) -> Any:
    """Open the issue's fix flow."""
    manager = repairs_flow_manager(hass)
    assert manager is not None
    return await manager.async_init(DOMAIN, data={"issue_id": issue_id})


async def configure(hass: HomeAssistant, flow_id: str, data: dict[str, Any]) -> Any:
    """Submit a step of a fix flow."""
    manager = repairs_flow_manager(hass)
    assert manager is not None
    return await manager.async_configure(flow_id, data)


async def test_reset_raises_issue_and_stored_key_fixes_it(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Any,
    credentials: GroupCredentials,
    freezer: FrozenDateTimeFactory,
) -> None:
    issue_id = await lose_pairing(hass, simulator, freezer)
    coordinator = init_integration.runtime_data.coordinator
    assert not coordinator.last_update_success
    # The repair is the one prompt: no re-authentication beside it.
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []

    result = await start_fix(hass, issue_id)
    assert result["step_id"] == "confirm"
    result = await configure(hass, result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert simulator.credentials == credentials
    assert init_integration.state is ConfigEntryState.LOADED
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    assert hass.config_entries.flow.async_progress_by_handler(DOMAIN) == []


async def test_issue_cleared_when_appliance_answers_again(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Any,
    credentials: GroupCredentials,
    freezer: FrozenDateTimeFactory,
) -> None:
    issue_id = await lose_pairing(hass, simulator, freezer)
    async with MieleClient(simulator.host, credentials) as client:
        await client.commission(credentials)  # re-paired from elsewhere
    # A refused key stops the polling (it waits for the user); a reload reads again.
    requests = simulator.requests.total
    await poll(hass, freezer)
    assert simulator.requests.total == requests
    await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert init_integration.runtime_data.coordinator.last_update_success
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


async def test_appliance_paired_elsewhere_needs_its_key(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Any,
    simulator_factory: Any,
    freezer: FrozenDateTimeFactory,
) -> None:
    issue_id = await lose_pairing(hass, simulator, freezer)
    other_key = GroupCredentials.generate()
    async with MieleClient(simulator.host, other_key) as client:
        await client.commission(other_key)
    other = await simulator_factory("oven", credentials=other_key)
    simulator.set_fault("reset")
    simulator.set_fault("none")

    result = await start_fix(hass, issue_id)
    result = await configure(hass, result["flow_id"], {})
    assert result["step_id"] == "new_key"
    fields = {str(marker): marker for marker in result["data_schema"].schema}
    assert fields[CONF_GROUP_ID].default() == init_integration.data[CONF_GROUP_ID]
    key_selector = result["data_schema"].schema[fields[CONF_GROUP_KEY]]
    assert isinstance(key_selector, TextSelector)
    assert key_selector.config["type"] == "password"
    keys = {"group_id": other_key.group_id, "group_key": other_key.group_key_hex}
    result = await configure(hass, result["flow_id"], {**keys, "group_key": "00"})
    assert result["errors"] == {"group_key": "invalid_group_key"}
    result = await configure(hass, result["flow_id"], {**keys, "group_id": "0" * 16})
    assert result["errors"] == {"base": "invalid_auth"}
    hass.config_entries.async_update_entry(init_integration, unique_id=other.device_id)
    result = await configure(hass, result["flow_id"], keys)
    assert result["errors"] == {"base": "wrong_device"}
    hass.config_entries.async_update_entry(
        init_integration, unique_id=simulator.device_id
    )
    result = await configure(hass, result["flow_id"], keys)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.data[CONF_GROUP_KEY] == other_key.group_key_hex
    assert init_integration.state is ConfigEntryState.LOADED


async def test_fix_flow_reports_unreachable_appliance(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Any,
    freezer: FrozenDateTimeFactory,
) -> None:
    issue_id = await lose_pairing(hass, simulator, freezer)
    result = await start_fix(hass, issue_id)
    simulator.set_fault("offline")
    result = await configure(hass, result["flow_id"], {})
    assert result["errors"] == {"base": "cannot_connect"}
    simulator.set_fault("none")
    simulator.set_fault("reset")
    result = await configure(hass, result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_fix_flow_aborts_when_entry_removed_meanwhile(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Any,
    freezer: FrozenDateTimeFactory,
) -> None:
    issue_id = await lose_pairing(hass, simulator, freezer)
    result = await start_fix(hass, issue_id)
    await hass.config_entries.async_remove(init_integration.entry_id)
    result = await configure(hass, result["flow_id"], {})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "entry_removed"


def raise_issue(hass: HomeAssistant, entry_id: str) -> str:
    """Open a lost-pairing issue for `entry_id`, as the coordinator does."""
    issue_id = pairing_lost_issue_id(entry_id)
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=True,
        severity=ir.IssueSeverity.ERROR,
        translation_key="pairing_lost",
        translation_placeholders={"name": "Washer"},
        data={"entry_id": entry_id},
    )
    return issue_id


async def test_fix_flow_for_removed_entry_drops_the_stale_issue(
    hass: HomeAssistant,
) -> None:
    assert await async_setup_component(hass, "repairs", {})
    assert await async_setup_component(hass, DOMAIN, {})
    issue_id = raise_issue(hass, "nope")
    result = await start_fix(hass, issue_id)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "entry_removed"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


async def test_fix_flow_for_invalid_stored_key_aborts(
    hass: HomeAssistant, credentials: GroupCredentials
) -> None:
    data = entry_data("127.0.0.1:9", TEST_FAB_NUMBER, credentials)
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=TEST_FAB_NUMBER,
        data=data | {CONF_GROUP_KEY: "not hex"},
    )
    entry.add_to_hass(hass)
    assert await async_setup_component(hass, "repairs", {})
    assert await async_setup_component(hass, DOMAIN, {})
    result = await start_fix(hass, raise_issue(hass, entry.entry_id))
    assert result["step_id"] == "confirm"
    result = await configure(hass, result["flow_id"], {})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "invalid_config"


async def test_fix_flow_sends_nothing_to_another_appliance(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Any,
    credentials: GroupCredentials,
    freezer: FrozenDateTimeFactory,
    mdns_answers: dict[str, Advertisement],
) -> None:
    """The address announces another module identity: the stored key stays home."""
    issue_id = await lose_pairing(hass, simulator, freezer)
    result = await start_fix(hass, issue_id)
    assert result["description_placeholders"]["host"] == simulator.host
    mdns_answers[simulator.host] = replace(
        unpaired(simulator), host_name="miele-001d63fffe000001.local"
    )
    result = await configure(hass, result["flow_id"], {})
    assert result["errors"] == {"base": "wrong_device"}
    assert simulator.credentials is None  # nothing was commissioned
    mdns_answers[simulator.host] = unpaired(simulator)
    result = await configure(hass, result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert simulator.credentials == credentials
