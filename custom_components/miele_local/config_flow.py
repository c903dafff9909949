"""Config flow: add an appliance with its household key, pair it, or pick it up by discovery."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.const import CONF_HOST
from homeassistant.core import callback
from homeassistant.helpers.device_registry import format_mac
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
)
import probatio as vol

from .const import (
    CONF_GROUP_ID,
    CONF_GROUP_KEY,
    CONF_RETRIES,
    CONF_SCAN_INTERVAL,
    CONF_TIMEOUT,
    DEFAULT_RETRIES,
    DEFAULT_SCAN_INTERVAL,
    DEFAULT_TIMEOUT,
    DOMAIN,
)
from .entry_flow import EntryFlowSteps
from .miele.credentials import GroupCredentials, validate_host
from .miele.exceptions import MieleConfigError, MieleError
from .pairing import (
    PASSWORD,
    Commissioning,
    appliance_title,
    async_read_ident,
    discovered_host,
    entry_data,
    error_key,
    key_fields,
    parse_credentials,
    type_title,
)

if TYPE_CHECKING:
    from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo
    from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo

    from .miele.models import Ident

CONF_PAIRING_KEY = "pairing_key"
NEW_KEY = "new"
APPLIANCE_PORT = 80
"""Port of the appliance's HTTP API, assumed for an address learnt over DHCP."""


class MieleLocalConfigFlow(EntryFlowSteps, domain=DOMAIN):
    """Add one Miele appliance (one host) per config entry."""

    VERSION = 1

    _ident: Ident
    _credentials: GroupCredentials

    def __init__(self) -> None:
        """Start with nothing known about the appliance."""
        self._host = ""
        self._advertised_group = ""
        self._commissioning = Commissioning()

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> MieleLocalOptionsFlow:
        """Scan interval, timeout and retries."""
        return MieleLocalOptionsFlow()

    async def _async_validate(
        self, host: str, credentials: GroupCredentials, errors: dict[str, str]
    ) -> Ident | None:
        """Read the appliance's Ident with a signed request; record a form error on failure."""
        try:
            return await async_read_ident(self.hass, host, credentials)
        except Exception as err:  # noqa: BLE001  # error_key logs unexpected errors
            errors["base"] = error_key(err)
        return None

    async def _async_create_or_update(
        self, host: str, credentials: GroupCredentials, ident: Ident
    ) -> ConfigFlowResult:
        """Create the entry, or refresh host and key of the entry for this appliance."""
        data = entry_data(host, credentials, ident)
        await self.async_set_unique_id(ident.fab_number, raise_on_progress=False)
        self._abort_if_unique_id_configured(updates=data)
        return self.async_create_entry(title=appliance_title(ident), data=data)

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

    def _known_groups(self) -> dict[str, tuple[GroupCredentials, list[str]]]:
        """Household keys of the configured entries, by GroupID, with their appliances."""
        known: dict[str, tuple[GroupCredentials, list[str]]] = {}
        for entry in self._async_current_entries(include_ignore=False):
            group_id = entry.data[CONF_GROUP_ID]
            credentials = GroupCredentials.from_hex(
                group_id, entry.data[CONF_GROUP_KEY]
            )
            known.setdefault(group_id, (credentials, []))[1].append(entry.title)
        return known

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

    async def async_step_zeroconf(
        self, discovery_info: ZeroconfServiceInfo
    ) -> ConfigFlowResult:
        """Handle an appliance advertised over mDNS (TXT: group, devicetype, pairing)."""
        group = str(discovery_info.properties.get("group", "")).strip().upper()
        self._advertised_group = group
        known = self._known_groups()
        return await self._async_discovered(
            discovered_host(str(discovery_info.ip_address), discovery_info.port),
            type_title(discovery_info.properties.get("devicetype")),
            [known[group][0]] if group in known else [],
            discovery_info.hostname.lower().removesuffix(".").removesuffix(".local"),
        )

    async def async_step_dhcp(
        self, discovery_info: DhcpServiceInfo
    ) -> ConfigFlowResult:
        """Handle an address handed out to a device with Miele's MAC prefix."""
        return await self._async_discovered(
            discovered_host(discovery_info.ip, APPLIANCE_PORT),
            discovery_info.hostname or type_title(None),
            [credentials for credentials, _ in self._known_groups().values()],
            format_mac(discovery_info.macaddress),
        )

    async def _async_discovered(
        self,
        host: str,
        name: str,
        candidates: list[GroupCredentials],
        provisional_id: str,
    ) -> ConfigFlowResult:
        """
        Learn the FabNumber with a known key, update a known appliance or offer setup.

        Without a working key the flow is known by `provisional_id` (MAC or mDNS host name)
        until the FabNumber replaces it, so that ignoring the discovery sticks.
        """
        self._host = host
        self.context["title_placeholders"] = {"name": name, CONF_HOST: host}
        for credentials in candidates:
            try:
                ident = await async_read_ident(self.hass, host, credentials)
            except MieleError:
                continue
            await self.async_set_unique_id(ident.fab_number)
            self._abort_if_unique_id_configured(updates={CONF_HOST: host})
            self._ident, self._credentials = ident, credentials
            self.context["title_placeholders"] = {
                "name": appliance_title(ident),
                CONF_HOST: host,
            }
            return await self.async_step_discovery_confirm()
        await self.async_set_unique_id(provisional_id)
        self._abort_if_unique_id_configured()
        self._async_abort_entries_match({CONF_HOST: host})
        if any(
            flow["context"].get("title_placeholders", {}).get(CONF_HOST) == host
            for flow in self._async_in_progress()
        ):
            return self.async_abort(reason="already_in_progress")
        return self.async_show_menu(
            step_id="discovery",
            menu_options=["discovery_keys", "pair"],
            description_placeholders={"name": name, CONF_HOST: host},
        )

    async def async_step_discovery_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Confirm adding a discovered appliance that already answers to a known key."""
        if user_input is not None:
            return self.async_create_entry(
                title=appliance_title(self._ident),
                data=entry_data(self._host, self._credentials, self._ident),
            )
        self._set_confirm_only()
        return self.async_show_form(
            step_id="discovery_confirm",
            description_placeholders={
                "name": appliance_title(self._ident),
                CONF_HOST: self._host,
                CONF_GROUP_ID: self._credentials.group_id,
            },
        )

    async def async_step_discovery_keys(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask the household key of a discovered appliance."""
        errors: dict[str, str] = {}
        if (
            user_input is not None
            and (credentials := parse_credentials(user_input, errors))
            and (ident := await self._async_validate(self._host, credentials, errors))
        ):
            return await self._async_create_or_update(self._host, credentials, ident)
        return self.async_show_form(
            step_id="discovery_keys",
            data_schema=vol.Schema(key_fields(self._advertised_group)),
            description_placeholders={
                "name": self.context.get("title_placeholders", {}).get("name", ""),
                CONF_HOST: self._host,
            },
            errors=errors,
        )


def _count(minimum: int, maximum: int) -> NumberSelector:
    """Return a selector for a whole number in a box."""
    return NumberSelector(
        NumberSelectorConfig(
            min=minimum, max=maximum, step=1, mode=NumberSelectorMode.BOX
        )
    )


def _seconds(minimum: int, maximum: int) -> NumberSelector:
    """Whole seconds in a box."""
    return NumberSelector(
        NumberSelectorConfig(
            min=minimum,
            max=maximum,
            step=1,
            mode=NumberSelectorMode.BOX,
            unit_of_measurement="s",
        )
    )


class MieleLocalOptionsFlow(OptionsFlowWithReload):
    """Polling interval, request timeout and read retries; the entry reloads on change."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show and store the options."""
        if user_input is not None:
            return self.async_create_entry(
                data={key: int(value) for key, value in user_input.items()}
            )
        options = self.config_entry.options
        return self.async_show_form(
            step_id="init",
            data_schema=vol.Schema(
                {
                    vol.Required(
                        CONF_SCAN_INTERVAL,
                        default=options.get(CONF_SCAN_INTERVAL, DEFAULT_SCAN_INTERVAL),
                    ): _seconds(5, 3600),
                    vol.Required(
                        CONF_TIMEOUT, default=options.get(CONF_TIMEOUT, DEFAULT_TIMEOUT)
                    ): _seconds(1, 60),
                    vol.Required(
                        CONF_RETRIES, default=options.get(CONF_RETRIES, DEFAULT_RETRIES)
                    ): _count(0, 10),
                }
            ),
        )
