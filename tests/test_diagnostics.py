"""Diagnostics: entry, Ident, State and health, with the household key redacted."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from homeassistant.components.diagnostics import REDACTED
from homeassistant.const import CONF_HOST
import pytest
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from syrupy.filters import props

from .conftest import TEST_GROUP_ID

if TYPE_CHECKING:
    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry
    from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
    from syrupy.assertion import SnapshotAssertion

    from custom_components.miele_local.miele.credentials import GroupCredentials
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
