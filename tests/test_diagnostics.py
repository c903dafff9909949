"""Diagnostics: entry, Ident, State and health, with the household key redacted."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from homeassistant.const import CONF_HOST
import pytest
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from syrupy.filters import props

if TYPE_CHECKING:
    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry
    from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
    from syrupy.assertion import SnapshotAssertion

    from custom_components.miele_local.miele.credentials import GroupCredentials

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
