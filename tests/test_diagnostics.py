"""Diagnostics: entry, Ident, State and health, with the household key redacted."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from homeassistant.components.diagnostics import REDACTED
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_HOST
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
    get_diagnostics_for_device,
)
from syrupy.filters import props

from custom_components.miele_local.const import DOMAIN

from .conftest import TEST_FAB_NUMBER, TEST_GROUP_ID
from .helpers import poll

if TYPE_CHECKING:
    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers import device_registry as dr
    from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
    from syrupy.assertion import SnapshotAssertion

    from mielelocal.credentials import GroupCredentials
    from simulator import SimulatedAppliance

pytestmark = pytest.mark.usefixtures("socket_enabled")


@pytest.mark.freeze_time("2026-01-01 12:00:00+00:00")
async def test_diagnostics_are_redacted(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
    credentials: GroupCredentials,
    snapshot: SnapshotAssertion,
) -> None:
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, init_integration
    )
    text = json.dumps(diagnostics)
    assert credentials.group_key_hex not in text
    assert credentials.group_id not in text
    assert TEST_FAB_NUMBER not in text  # the serial number, as core redacts it
    assert diagnostics["ident"]["DeviceIdentLabel"]["FabNumber"] == REDACTED
    assert diagnostics["entry"]["data"][CONF_HOST] == init_integration.data[CONF_HOST]
    assert diagnostics == snapshot(exclude=props("response_time", CONF_HOST))


@pytest.mark.parametrize("advertised", [TEST_GROUP_ID, "FEDCBA9876543210"])
async def test_reset_evidence_is_redacted(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    simulator: SimulatedAppliance,
    init_integration: MockConfigEntry,
    credentials: GroupCredentials,
    advertised: str,
) -> None:
    """Neither our GroupID nor the one mDNS advertises leaks through the evidence."""
    coordinator = init_integration.runtime_data.coordinator
    resetter = coordinator.manager.get_device_resetter()
    resetter.note_advertised_group(simulator.device_id, advertised.lower())
    simulator.set_fault("reset")
    await resetter.detect_factory_reset(coordinator.client, simulator.device_id)

    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, init_integration
    )
    text = json.dumps(diagnostics)
    for secret in (credentials.group_key_hex, credentials.group_id, advertised):
        assert secret.lower() not in text.lower()
    evidence = diagnostics["reset_evidence"]
    assert evidence["advertised_group"] == REDACTED
    assert evidence["ident_refused"]
    assert evidence["state_refused"]
    assert evidence["reset_detected"] is (advertised != TEST_GROUP_ID)
    assert any("another household" in reason for reason in evidence["reasons"]) is (
        advertised != TEST_GROUP_ID
    )


@pytest.mark.freeze_time("2026-01-01 12:00:00+00:00")
async def test_device_diagnostics(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    device_registry: dr.DeviceRegistry,
    init_integration: MockConfigEntry,
    credentials: GroupCredentials,
    snapshot: SnapshotAssertion,
) -> None:
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, TEST_FAB_NUMBER), init_integration.entry_id
    )
    assert device is not None

    diagnostics = await get_diagnostics_for_device(
        hass, hass_client, init_integration, device
    )
    text = json.dumps(diagnostics)
    for secret in (credentials.group_key_hex, credentials.group_id, TEST_FAB_NUMBER):
        assert secret not in text
    assert diagnostics["state"]["Status"] == 5
    assert diagnostics == snapshot(exclude=props("response_time"))


async def test_diagnostics_of_an_entry_that_failed_to_load(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    simulator: SimulatedAppliance,
    mock_config_entry: MockConfigEntry,
    credentials: GroupCredentials,
) -> None:
    """What is known downloads: the redacted entry and why setup failed."""
    simulator.set_fault("offline")
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY

    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, mock_config_entry
    )
    text = json.dumps(diagnostics)
    for secret in (credentials.group_key_hex, credentials.group_id, TEST_FAB_NUMBER):
        assert secret not in text
    assert diagnostics["entry"]["state"] == ConfigEntryState.SETUP_RETRY.value
    assert diagnostics["entry"]["reason"]
    assert diagnostics["ident"] is None
    assert diagnostics["state"] is None


async def test_device_diagnostics_of_an_entry_that_never_loaded(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    device_registry: dr.DeviceRegistry,
    simulator: SimulatedAppliance,
    mock_config_entry: MockConfigEntry,
    credentials: GroupCredentials,
) -> None:
    """A device known from an earlier start downloads the entry and why it failed."""
    simulator.set_fault("offline")
    mock_config_entry.add_to_hass(hass)
    device = device_registry.async_get_or_create(
        config_entry_id=mock_config_entry.entry_id,
        identifiers={(DOMAIN, TEST_FAB_NUMBER)},
        manufacturer="Miele",
        model="WWG 660",
        serial_number=TEST_FAB_NUMBER,
    )
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY

    diagnostics = await get_diagnostics_for_device(
        hass, hass_client, mock_config_entry, device
    )
    text = json.dumps(diagnostics)
    for secret in (credentials.group_key_hex, credentials.group_id, TEST_FAB_NUMBER):
        assert secret not in text
    assert diagnostics["device"]["model"] == "WWG 660"
    entry_diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, mock_config_entry
    )
    assert {key: diagnostics[key] for key in entry_diagnostics} == entry_diagnostics
    assert set(diagnostics) == {"device", *entry_diagnostics}
    assert diagnostics["entry"]["state"] == ConfigEntryState.SETUP_RETRY.value
    assert diagnostics["entry"]["reason"]
    assert diagnostics["ident"] is None
    assert diagnostics["push"] is None


async def test_diagnostics_of_an_entry_with_broken_data(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    credentials: GroupCredentials,
) -> None:
    """An entry whose stored data is incomplete still downloads, redacted."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Miele oven",
        data={CONF_HOST: "127.0.0.1", "group_id": credentials.group_id},
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_ERROR

    diagnostics = await get_diagnostics_for_config_entry(hass, hass_client, entry)
    assert credentials.group_id not in json.dumps(diagnostics)
    assert diagnostics["entry"]["title"] == "Miele oven"
    assert diagnostics["entry"]["state"] == ConfigEntryState.SETUP_ERROR.value


@pytest.mark.parametrize("appliance_type", ["tumble_dryer"])
async def test_unknown_codes_are_listed(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatedAppliance,
    init_integration: MockConfigEntry,
) -> None:
    """Codes no table names are listed once each, by State field."""
    simulator.update_state(Status=99, ProgramID=4242, ProgramPhase=260)
    await poll(hass, freezer)
    simulator.update_state(ProgramType=9)
    await poll(hass, freezer)
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, init_integration
    )
    assert diagnostics["unknown_codes"] == {
        "program_id": [4242],
        "program_phase": [260],
        "program_type": [9],
        "status": [99],
    }
