"""Fix flow for an appliance that forgot its pairing (factory or network reset)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.components.repairs import RepairsFlow, RepairsFlowResult
from homeassistant.const import CONF_HOST
from homeassistant.helpers import issue_registry as ir
import probatio as vol

from mielelocal.exceptions import MieleCommissioningError, MieleConfigError

from .const import CONF_GROUP_ID, DOMAIN
from .pairing import (
    async_pair_again,
    async_read_ident,
    entry_data,
    error_key,
    key_fields,
    parse_credentials,
)

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from .coordinator import MieleLocalConfigEntry


class PairingLostRepairFlow(RepairsFlow):
    """Pair the appliance again with the stored key, or store the key it has now."""

    def __init__(self, entry: MieleLocalConfigEntry) -> None:
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
        """Say plainly what is sent; once confirmed, commission the stored key again."""
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                await async_pair_again(self.hass, self._entry)
            except MieleConfigError:
                return self.async_abort(reason="invalid_config")
            except MieleCommissioningError:
                return await self.async_step_new_key()
            except Exception as err:  # noqa: BLE001  # error_key logs unexpected errors
                errors["base"] = error_key(err)
            else:
                return await self._async_reload_and_finish()
        return self.async_show_form(
            step_id="confirm",
            description_placeholders={
                "name": self._entry.title,
                CONF_HOST: self._entry.data[CONF_HOST],
                CONF_GROUP_ID: self._entry.data[CONF_GROUP_ID],
            },
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
                        return await self._async_reload_and_finish(
                            entry_data(host, credentials, ident)
                        )
        return self.async_show_form(
            step_id="new_key",
            data_schema=vol.Schema(key_fields(self._entry.data.get(CONF_GROUP_ID))),
            description_placeholders={"name": self._entry.title},
            errors=errors,
        )

    async def _async_reload_and_finish(
        self, data: dict[str, str] | None = None
    ) -> RepairsFlowResult:
        """Store `data` (when given) and reload the entry; finishing deletes the issue.

        The appliance may have been removed while the flow talked to it: then abort.
        """
        entries = self.hass.config_entries
        if entries.async_get_entry(self._entry.entry_id) is None:
            return self.async_abort(reason="entry_removed")
        if data is not None:
            entries.async_update_entry(self._entry, data=data)
        await entries.async_reload(self._entry.entry_id)
        return self.async_create_entry(data={})


class EntryRemovedRepairFlow(RepairsFlow):
    """Fix flow of an issue whose appliance was removed: nothing is left to repair."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> RepairsFlowResult:
        """Explain that the appliance is gone."""
        return self.async_abort(reason="entry_removed")


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, str | int | float | None] | None
) -> RepairsFlow:
    """Create the fix flow of a `pairing_lost_<entry_id>` issue (stale issues go away)."""
    entry_id = str((data or {}).get("entry_id"))
    if (entry := hass.config_entries.async_get_entry(entry_id)) is None:
        ir.async_delete_issue(hass, DOMAIN, issue_id)
        return EntryRemovedRepairFlow()
    return PairingLostRepairFlow(entry)
