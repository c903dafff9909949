"""Diagnostics: the entry, the appliance's Ident and State, unknown codes, connection health.

The last ``/WLAN/`` document is included with its SSID redacted (the Wi-Fi password never
reaches it: the library drops ``Key`` while parsing); None until the Wi-Fi sensor read it.

What shortens a field report is included too: the shape of the last State (JSON types,
never values), the Wi-Fi module's type and firmware, and how many empty answers to writes
came signed and unsigned.

The group key, the GroupID and the serial number (FabNumber, also the appliance id) never
appear. An entry that failed to load still downloads what is known: its redacted data and
why setup failed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
import json
import re
from typing import TYPE_CHECKING, Any

from homeassistant.components.diagnostics import REDACTED, async_redact_data

from mielelocal.models import thawed

from .const import CONF_DEVICE_ID, CONF_GROUP_ID, CONF_GROUP_KEY

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.device_registry import DeviceEntry

    from mielelocal.connection.reset import ResetEvidence

    from .coordinator import MieleLocalConfigEntry, MieleRuntimeData

FAB_NUMBER = "FabNumber"
SSID = "SSID"
TO_REDACT = {CONF_GROUP_ID, CONF_GROUP_KEY, CONF_DEVICE_ID, FAB_NUMBER}
ADVERTISED_GROUP = "advertised_group"
NOT_LOADED: dict[str, Any] = {
    "ident": None,
    "state": None,
    "health": None,
    "push": None,
    "wlan": None,
}
"""The appliance part of an entry that is not loaded."""


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: MieleLocalConfigEntry
) -> dict[str, Any]:
    """Return a redacted dump: no key, GroupID or serial number appears."""
    return _redact_serial(_entry_dump(entry), entry.data.get(CONF_DEVICE_ID))


async def async_get_device_diagnostics(
    hass: HomeAssistant, entry: MieleLocalConfigEntry, device: DeviceEntry
) -> dict[str, Any]:
    """Return the appliance's redacted Ident, State, health and reset evidence.

    For an entry that is not loaded (its appliance known from an earlier start), the
    device and what the config entry diagnostics show for it: the entry and why it failed.
    """
    described = {
        "device": {
            "manufacturer": device.manufacturer,
            "model": device.model,
            "model_id": device.model_id,
            "sw_version": device.sw_version,
            "hw_version": device.hw_version,
        }
    }
    runtime: MieleRuntimeData | None = getattr(entry, "runtime_data", None)
    if runtime is None:
        return _redact_serial(
            {**described, **_entry_dump(entry)}, entry.data.get(CONF_DEVICE_ID)
        )
    return _redact_serial(
        {**described, **_appliance(runtime)}, runtime.coordinator.device_id
    )


def _entry_dump(entry: MieleLocalConfigEntry) -> dict[str, Any]:
    """Return the entry and, once loaded, its appliance (None for each part otherwise)."""
    runtime: MieleRuntimeData | None = getattr(entry, "runtime_data", None)
    return {
        "entry": {
            "title": entry.title,
            "data": async_redact_data(entry.data, TO_REDACT),
            "options": dict(entry.options),
            "state": entry.state.value,
            "reason": entry.reason,
        },
        **(NOT_LOADED if runtime is None else _appliance(runtime)),
    }


def _appliance(runtime: MieleRuntimeData) -> dict[str, Any]:
    """Return the appliance's Ident, State, unknown codes, health, push, reset evidence, Wi-Fi."""
    coordinator = runtime.coordinator
    wlan = runtime.wlan.data
    resetter = coordinator.manager.get_device_resetter()
    evidence = resetter.last_evidence(coordinator.device_id)
    ident, state = coordinator.data.ident, coordinator.data.state
    return {
        "ident": async_redact_data(dict(ident.raw), TO_REDACT),
        "state": thawed(state.raw),
        "state_shape": json_shape(state.raw),
        "module": {
            "tech_type": ident.xkm_tech_type,
            "release_version": ident.xkm_release_version,
            "protocol_version": ident.protocol_version,
        },
        "no_content_answers": asdict(coordinator.client.no_content_answers),
        "unknown_codes": coordinator.unknown_codes.as_dict(),
        "health": asdict(coordinator.health),
        "push": runtime.push.diagnostics(),
        "reset_evidence": None
        if evidence is None
        else redact_evidence(evidence, coordinator.profile.credentials.group_id),
        "wlan": None
        if wlan is None
        else async_redact_data(
            {key: thawed(value) for key, value in wlan.raw.items()}, {SSID}
        ),
    }


def json_shape(value: object) -> Any:
    """Return the JSON type of `value`, fields and items by name, never a value."""
    if isinstance(value, Mapping):
        return {str(key): json_shape(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        shapes = (json_shape(item) for item in value)
        kinds = sorted({k if isinstance(k, str) else json.dumps(k) for k in shapes})
        return f"list[{len(value)}: {', '.join(kinds) or 'empty'}]"
    return _JSON_TYPES.get(type(value), type(value).__name__)


_JSON_TYPES: dict[type, str] = {
    bool: "bool",
    int: "int",
    float: "float",
    str: "str",
    type(None): "null",
}


def _redact_serial(data: dict[str, Any], fab_number: str | None) -> dict[str, Any]:
    """Mask the serial number wherever it occurs (titles, reasons, nested labels)."""
    if not fab_number:
        return data

    def mask(value: Any) -> Any:
        if isinstance(value, str):
            return value.replace(fab_number, REDACTED)
        if isinstance(value, dict):
            return {key: mask(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [mask(item) for item in value]
        return value

    return {key: mask(value) for key, value in data.items()}


def redact_evidence(evidence: ResetEvidence, group_id: str) -> dict[str, Any]:
    """Return the reset evidence with the advertised and our GroupID masked everywhere."""
    groups = {group for group in (group_id, evidence.advertised_group) if group}
    pattern = re.compile("|".join(re.escape(group) for group in groups), re.IGNORECASE)
    return {
        **async_redact_data(asdict(evidence), {ADVERTISED_GROUP}),
        "reasons": [pattern.sub(REDACTED, reason) for reason in evidence.reasons],
    }
