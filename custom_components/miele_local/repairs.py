"""Fix flow for an appliance that forgot its pairing (factory or network reset)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.components.repairs import RepairsFlow, RepairsFlowResult
from homeassistant.const import CONF_HOST
import probatio as vol

from . import entry_profile, get_manager
from .config_flow import async_read_ident, entry_data, error_key, parse_credentials
from .const import CONF_GROUP_ID, CONF_GROUP_KEY

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant


class PairingLostRepairFlow(RepairsFlow):
    """Pair the appliance again with the stored key, or store the key it has now."""

    def __init__(self, entry: ConfigEntry) -> None:
        """Repair the appliance of `entry`."""
        self._entry = entry

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> RepairsFlowResult:
        """Start with the explanation (the flow starts with the issue id as input)."""
        return await self.async_step_confirm()

    async def async_step_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> RepairsFlowResult:
        """Once the appliance is in setup mode, commission the stored key again."""
        errors: dict[str, str] = {}
        if user_input is not None:
            profile = entry_profile(self._entry)
            resetter = get_manager(self.hass).get_device_resetter()
            recovered, _ = await resetter.recover_from_reset(profile.device_id, profile)
            if recovered:
                return await self._async_reload_and_finish()
            evidence = resetter.last_evidence(profile.device_id)
            if evidence is not None and evidence.needs_new_key:
                return await self.async_step_new_key()
            errors["base"] = "cannot_connect"
        return self.async_show_form(
            step_id="confirm",
            description_placeholders={"name": self._entry.title},
            errors=errors,
        )

    async def async_step_new_key(
        self, user_input: dict[str, Any] | None = None
    ) -> RepairsFlowResult:
        """Ask the key the appliance is paired with now (it refused commissioning)."""
        errors: dict[str, str] = {}
        if user_input is not None:
            credentials = parse_credentials(user_input, errors)
            if credentials:
                host = self._entry.data[CONF_HOST]
                try:
                    ident = await async_read_ident(self.hass, host, credentials)
                except Exception as err:  # noqa: BLE001  # error_key logs unexpected errors
                    errors["base"] = error_key(err)
                else:
                    if ident.fab_number != self._entry.unique_id:
                        errors["base"] = "wrong_device"
                    else:
                        self.hass.config_entries.async_update_entry(
                            self._entry, data=entry_data(host, credentials, ident)
                        )
                        return await self._async_reload_and_finish()
        return self.async_show_form(
            step_id="new_key",
            data_schema=vol.Schema(
                {vol.Required(CONF_GROUP_ID): str, vol.Required(CONF_GROUP_KEY): str}
            ),
            description_placeholders={"name": self._entry.title},
            errors=errors,
        )

    async def _async_reload_and_finish(self) -> RepairsFlowResult:
        """Reload the entry with the working key; finishing the flow deletes the issue."""
        await self.hass.config_entries.async_reload(self._entry.entry_id)
        return self.async_create_entry(data={})


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, str | int | float | None] | None
) -> RepairsFlow:
    """Create the fix flow of a `pairing_lost_<entry_id>` issue."""
    entry_id = str((data or {}).get("entry_id"))
    if (entry := hass.config_entries.async_get_entry(entry_id)) is None:
        raise ValueError(f"Unknown repair issue {issue_id}")
    return PairingLostRepairFlow(entry)
