"""Config flow: add an appliance with its household key or pair it (discovery: discovery_flow)."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.const import CONF_HOST
from homeassistant.core import callback
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
)
import probatio as vol

from mielelocal.credentials import validate_host
from mielelocal.exceptions import MieleConfigError

from .const import (
    CONF_GROUP_ID,
    CONF_GROUP_KEY,
    CONF_PUSH,
    CONF_PUSH_PORT,
    DEFAULT_PUSH_PORT,
    DOMAIN,
)
from .discovery_flow import DiscoverySteps
from .pairing import PASSWORD, error_key, parse_credentials

CONF_PAIRING_KEY = "pairing_key"
NEW_KEY = "new"


class MieleLocalConfigFlow(DiscoverySteps, domain=DOMAIN):
    """Add one Miele appliance (one host) per config entry."""

    VERSION = 1
    MINOR_VERSION = 2

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> MieleLocalOptionsFlow:
        """Whether to receive the appliance's pushes."""
        return MieleLocalOptionsFlow()

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the host and the household key (no key: pair a new appliance)."""
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                self._host = validate_host(user_input[CONF_HOST])
            except MieleConfigError:
                errors[CONF_HOST] = "invalid_host"
            else:
                if not (
                    user_input.get(CONF_GROUP_ID) or user_input.get(CONF_GROUP_KEY)
                ):
                    return await self.async_step_pair()
                if (credentials := parse_credentials(user_input, errors)) and (
                    ident := await self._async_validate(self._host, credentials, errors)
                ):
                    return await self._async_create_or_update(
                        self._host, credentials, ident
                    )
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema(
                    {
                        vol.Required(CONF_HOST): str,
                        vol.Optional(CONF_GROUP_ID): str,
                        vol.Optional(CONF_GROUP_KEY): PASSWORD,
                    }
                ),
                user_input,
            ),
            errors=errors,
        )

    async def async_step_pair(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Commission an appliance in setup mode with a new or an existing household key."""
        errors: dict[str, str] = {}
        known = self._known_groups()
        if user_input is not None:
            choice = user_input[CONF_PAIRING_KEY]
            chosen = (
                known[choice][0]
                if choice in known
                else self._commissioning.generated_key()
            )
            try:
                credentials, ident = await self._commissioning.async_pair(
                    self.hass, self._host, chosen
                )
            except Exception as err:  # noqa: BLE001  # error_key logs unexpected errors
                errors["base"] = error_key(err)
            else:
                return await self._async_create_or_update(
                    self._host, credentials, ident
                )
        options = [SelectOptionDict(value=NEW_KEY, label=NEW_KEY)] + [
            SelectOptionDict(value=group_id, label=", ".join(sorted(titles)))
            for group_id, (_, titles) in known.items()
        ]
        default = self._advertised_group if self._advertised_group in known else NEW_KEY
        return self.async_show_form(
            step_id="pair",
            data_schema=vol.Schema(
                {
                    vol.Required(CONF_PAIRING_KEY, default=default): SelectSelector(
                        SelectSelectorConfig(
                            options=options, translation_key=CONF_PAIRING_KEY
                        )
                    )
                }
            ),
            description_placeholders={CONF_HOST: self._host},
            errors=errors,
        )


class MieleLocalOptionsFlow(OptionsFlowWithReload):
    """What a user decides about an appliance: push on or off; the entry reloads on change."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show and store the options."""
        if user_input is not None:
            return self.async_create_entry(
                data={
                    CONF_PUSH: bool(user_input[CONF_PUSH]),
                    CONF_PUSH_PORT: int(user_input[CONF_PUSH_PORT]),
                }
            )
        return self.async_show_form(
            step_id="init",
            data_schema=vol.Schema(
                {
                    vol.Required(
                        CONF_PUSH,
                        default=self.config_entry.options.get(CONF_PUSH, False),
                    ): BooleanSelector(),
                    vol.Required(
                        CONF_PUSH_PORT,
                        default=self.config_entry.options.get(
                            CONF_PUSH_PORT, DEFAULT_PUSH_PORT
                        ),
                    ): NumberSelector(
                        NumberSelectorConfig(
                            min=1024, max=65535, step=1, mode=NumberSelectorMode.BOX
                        )
                    ),
                }
            ),
            description_placeholders={"name": self.config_entry.title},
        )
