"""Diagnostics: the entry, the appliance's Ident and State, and connection health."""

from __future__ import annotations

from dataclasses import asdict
import re
from typing import TYPE_CHECKING, Any

from homeassistant.components.diagnostics import REDACTED, async_redact_data

from .const import CONF_GROUP_ID, CONF_GROUP_KEY

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from .coordinator import MieleLocalConfigEntry
    from .miele.connection.reset import ResetEvidence

TO_REDACT = {CONF_GROUP_ID, CONF_GROUP_KEY}
ADVERTISED_GROUP = "advertised_group"


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
        "reset_evidence": None
        if evidence is None
        else redact_evidence(evidence, coordinator.profile.credentials.group_id),
    }


def redact_evidence(evidence: ResetEvidence, group_id: str) -> dict[str, Any]:
    """Return the reset evidence with the advertised and our GroupID masked everywhere."""
    groups = {group for group in (group_id, evidence.advertised_group) if group}
    pattern = re.compile("|".join(re.escape(group) for group in groups), re.IGNORECASE)
    return {
        **async_redact_data(asdict(evidence), {ADVERTISED_GROUP}),
        "reasons": [pattern.sub(REDACTED, reason) for reason in evidence.reasons],
    }
