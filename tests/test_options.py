"""Options (push on or off) and the migration of entries from the polling options."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.miele_local import cadence
from custom_components.miele_local.const import CONF_PUSH, CONF_PUSH_PORT, DOMAIN

from .conftest import entry_data

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers import entity_registry as er

    from mielelocal.credentials import GroupCredentials
    from simulator import SimulatedAppliance

pytestmark = pytest.mark.usefixtures("socket_enabled", "mock_async_zeroconf")

OLD_OPTIONS = {"scan_interval": 60, "timeout": 5, "retries": 1}


def old_entry(
    simulator: SimulatedAppliance,
    credentials: GroupCredentials,
    *,
    version: int = 1,
    minor_version: int = 1,
    options: dict[str, Any] | None = None,
) -> MockConfigEntry:
    """An entry as version 1.1 stored it, with the polling options set."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="Washer",
        unique_id=simulator.device_id,
        data=entry_data(simulator.host, simulator.device_id, credentials),
        options=OLD_OPTIONS if options is None else options,
        version=version,
        minor_version=minor_version,
    )


async def test_options_flow_offers_push_under_the_appliance_name(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    result = await hass.config_entries.options.async_init(init_integration.entry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["description_placeholders"] == {"name": init_integration.title}
    assert list(result["data_schema"].schema) == [CONF_PUSH, CONF_PUSH_PORT]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_PUSH: False, CONF_PUSH_PORT: 20000.0}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert init_integration.options == {CONF_PUSH: False, CONF_PUSH_PORT: 20000}
    await hass.async_block_till_done()
    assert init_integration.state is ConfigEntryState.LOADED


async def test_entry_with_polling_options_migrates_and_keeps_its_appliance(
    hass: HomeAssistant,
    simulator: SimulatedAppliance,
    credentials: GroupCredentials,
    entity_registry: er.EntityRegistry,
) -> None:
    entry = old_entry(simulator, credentials)
    data = dict(entry.data)
    entry.add_to_hass(hass)
    renamed = entity_registry.async_get_or_create(
        "sensor",
        DOMAIN,
        f"{simulator.device_id}-status",
        config_entry=entry,
        suggested_object_id="laundry",
    )
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    assert (entry.version, entry.minor_version) == (1, 2)
    assert entry.data == data
    assert entry.unique_id == simulator.device_id
    assert entry.options == {CONF_PUSH: False}
    coordinator = entry.runtime_data.coordinator
    assert coordinator.update_interval == cadence.RUNNING  # the old 60 s is gone
    assert hass.states.get(renamed.entity_id) is not None  # the user's entity stays
    assert renamed.entity_id == "sensor.laundry"


async def test_migration_keeps_a_push_option(
    hass: HomeAssistant, simulator: SimulatedAppliance, credentials: GroupCredentials
) -> None:
    entry = old_entry(simulator, credentials, options={CONF_PUSH: True, "timeout": 5})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    assert entry.options == {CONF_PUSH: True}


async def test_entry_from_a_newer_release_is_not_touched(
    hass: HomeAssistant, simulator: SimulatedAppliance, credentials: GroupCredentials
) -> None:
    entry = old_entry(simulator, credentials, version=2)
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.MIGRATION_ERROR
    assert entry.options == OLD_OPTIONS


async def test_entry_of_a_newer_minor_version_loads_as_it_is(
    hass: HomeAssistant, simulator: SimulatedAppliance, credentials: GroupCredentials
) -> None:
    entry = old_entry(
        simulator, credentials, minor_version=3, options={CONF_PUSH: True}
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    assert (entry.minor_version, entry.options) == (3, {CONF_PUSH: True})
