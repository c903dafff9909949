"""Diagnostics: the entry, the appliance's Ident and State, and connection health."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from homeassistant.components.diagnostics import async_redact_data

from .const import CONF_GROUP_ID, CONF_GROUP_KEY

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from .coordinator import MieleLocalConfigEntry

TO_REDACT = {CONF_GROUP_ID, CONF_GROUP_KEY}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: MieleLocalConfigEntry
) -> dict[str, Any]:
    """Return a redacted dump: the group key and GroupID never appear."""
    coordinator = entry.runtime_data.coordinator
    resetter = coordinator.manager.get_device_resetter()
    evidence = resetter.last_evidence(coordinator.device_id)
    return {
        "entry": {
            "data": async_redact_data(entry.data, TO_REDACT),
            "options": dict(entry.options),
        },
        "ident": dict(coordinator.ident.raw),
        "state": dict(coordinator.data.raw),
        "health": asdict(coordinator.health),
        "reset_evidence": None if evidence is None else asdict(evidence),
    }
