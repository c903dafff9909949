"""
Config flow steps on an appliance already added: reauthentication and reconfiguration.

Reauthentication starts when the appliance refuses the stored key. It offers both ways out:
enter the key the appliance is paired with now, or (the appliance was reset) pair it again
with the stored key, which is sent only after the user confirmed a step that says so.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import SOURCE_REAUTH, ConfigFlow, ConfigFlowResult
from homeassistant.const import CONF_HOST
from homeassistant.helpers import issue_registry as ir
import probatio as vol

from mielelocal.credentials import validate_host
from mielelocal.exceptions import MieleConfigError

from .const import CONF_GROUP_ID, CONF_GROUP_KEY, DOMAIN
from .coordinator import pairing_lost_issue_id
from .pairing import (
    async_pair_again,
    async_read_ident,
    entry_data,
    error_key,
    key_fields,
    parse_credentials,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from .coordinator import MieleLocalConfigEntry


class EntryFlowSteps(ConfigFlow):
    """Reauthentication and reconfiguration of one appliance's entry."""

    async def async_step_reauth(
        self, entry_data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """Start when the appliance refuses the stored key: offer both ways out."""
        entry = self._get_reauth_entry()
        reset = ir.async_get(self.hass).async_get_issue(
            DOMAIN, pairing_lost_issue_id(entry.entry_id)
        )
        options = ["reauth_confirm", "reauth_pair_again"]
        return self.async_show_menu(
            step_id="reauth",
            menu_options=options[::-1] if reset else options,
            description_placeholders={
                "name": entry.title,
                CONF_HOST: entry.data[CONF_HOST],
            },
        )

    async def async_step_reauth_pair_again(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Say plainly what is sent, then pair the reset appliance with the stored key."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                await async_pair_again(self.hass, entry)
            except MieleConfigError:
                return self.async_abort(reason="invalid_config")
            except Exception as err:  # noqa: BLE001  # error_key logs unexpected errors
                errors["base"] = error_key(err)
            else:
                return self.async_update_reload_and_abort(entry)
        return self.async_show_form(
            step_id="reauth_pair_again",
            description_placeholders={
                "name": entry.title,
                CONF_HOST: entry.data[CONF_HOST],
                CONF_GROUP_ID: entry.data[CONF_GROUP_ID],
            },
            errors=errors,
        )

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask the household key the appliance is paired with now."""
        entry = self._get_reauth_entry()
        return await self._async_update_keys(
            "reauth_confirm", entry, entry.data[CONF_HOST], user_input
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change the host and, optionally, the household key of an appliance."""
        entry = self._get_reconfigure_entry()
        host = entry.data[CONF_HOST]
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                host = validate_host(user_input[CONF_HOST])
            except MieleConfigError:
                errors[CONF_HOST] = "invalid_host"
        return await self._async_update_keys(
            "reconfigure", entry, host, user_input, errors, ask_host=True
        )

    async def _async_update_keys(
        self,
        step_id: str,
        entry: MieleLocalConfigEntry,
        host: str,
        user_input: dict[str, Any] | None,
        errors: dict[str, str] | None = None,
        *,
        ask_host: bool = False,
    ) -> ConfigFlowResult:
        """Validate new settings against the same appliance, then update and reload."""
        errors = errors if errors is not None else {}
        if user_input is not None:
            credentials = parse_credentials(
                user_input, errors, fallback_key=entry.data[CONF_GROUP_KEY]
            )
            if credentials:
                try:
                    ident = await async_read_ident(self.hass, host, credentials)
                except Exception as err:  # noqa: BLE001  # error_key logs unexpected errors
                    errors["base"] = error_key(err)
                else:
                    await self.async_set_unique_id(ident.fab_number)
                    self._abort_if_unique_id_mismatch(reason="wrong_device")
                    return self.async_update_reload_and_abort(
                        entry, data_updates=entry_data(host, credentials, ident)
                    )
        fields: dict[Any, Any] = (
            {vol.Required(CONF_HOST, default=host): str} if ask_host else {}
        )
        fields |= key_fields(
            entry.data[CONF_GROUP_ID], key_optional=self.source != SOURCE_REAUTH
        )
        return self.async_show_form(
            step_id=step_id,
            data_schema=vol.Schema(fields),
            description_placeholders={"name": entry.title, CONF_HOST: host},
            errors=errors,
        )
