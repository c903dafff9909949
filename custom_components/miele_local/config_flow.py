"""Config flow: add an appliance (by hand, discovered or paired), reauthenticate, reconfigure.

Reauthentication starts when the appliance refuses the stored key. It offers both ways out:
enter the key the appliance is paired with now, or (the appliance was reset) pair it again
with the stored key, which is sent only after the user confirmed a step that says so.
Which discovery is which appliance is `discovery`'s; keys and pairing are `pairing`'s.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import (
    SOURCE_REAUTH,
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    OptionsFlowWithReload,
)
from homeassistant.const import CONF_HOST
from homeassistant.core import callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.device_registry import format_mac
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

from mielelocal.credentials import GroupCredentials, validate_host
from mielelocal.exceptions import MieleConfigError, MieleError
from mielelocal.supervision import LISTENER_DEVICE_TYPE

from .const import (
    CONF_GROUP_ID,
    CONF_GROUP_KEY,
    CONF_PUSH,
    CONF_PUSH_PORT,
    DEFAULT_PUSH_PORT,
    DOMAIN,
)
from .coordinator import pairing_lost_issue_id
from .discovery import (
    configured_entry,
    dhcp_host,
    discoveries_of,
    known_groups,
    zeroconf_id,
)
from .pairing import (
    PASSWORD,
    Commissioning,
    appliance_title,
    async_key_may_work_again,
    async_pair_again,
    async_read_ident,
    discovered_host,
    entry_data,
    error_key,
    key_fields,
    parse_credentials,
    type_title,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

    from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo
    from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo

    from mielelocal.models import Ident

    from .coordinator import MieleLocalConfigEntry

CONF_PAIRING_KEY = "pairing_key"
NEW_KEY = "new"


class MieleLocalConfigFlow(ConfigFlow, domain=DOMAIN):
    """Add one Miele appliance (one host) per config entry."""

    VERSION = 1
    MINOR_VERSION = 2

    _ident: Ident
    _credentials: GroupCredentials

    def __init__(self) -> None:
        """Start with nothing known about the appliance."""
        self._host = ""
        self._advertised_group = ""
        self._discovered_name = ""
        self._commissioning = Commissioning()

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

    async def async_step_zeroconf(
        self, discovery_info: ZeroconfServiceInfo
    ) -> ConfigFlowResult:
        """Handle an appliance advertised over mDNS (TXT: group, devicetype, pairing)."""
        if discovery_info.properties.get("devicetype") == str(LISTENER_DEVICE_TYPE):
            return self.async_abort(reason="push_listener")
        group = str(discovery_info.properties.get("group", "")).strip().upper()
        self._advertised_group = group
        known = self._known_groups()
        return await self._async_discovered(
            discovered_host(str(discovery_info.ip_address), discovery_info.port),
            type_title(discovery_info.properties.get("devicetype")),
            [known[group][0]] if group in known else [],
            zeroconf_id(discovery_info.hostname),
        )

    async def async_step_dhcp(
        self, discovery_info: DhcpServiceInfo
    ) -> ConfigFlowResult:
        """Handle an address handed out to a device with Miele's MAC prefix."""
        return await self._async_discovered(
            dhcp_host(discovery_info.ip),
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
        """Learn the FabNumber with a known key, update a known appliance or offer setup.

        Without a working key the flow is known by `provisional_id` (MAC or mDNS host name)
        until the FabNumber replaces it, so that ignoring the discovery sticks; a card of
        the appliance nobody opened gives way to one that read the FabNumber.
        """
        self._host = host
        self.context["title_placeholders"] = {"name": name, CONF_HOST: host}
        await self.async_set_unique_id(provisional_id, raise_on_progress=False)
        self._abort_if_unique_id_configured()  # ignored under its provisional id
        for credentials in candidates:
            try:
                ident = await async_read_ident(self.hass, host, credentials)
            except MieleError:
                continue
            await self.async_set_unique_id(ident.fab_number)
            # Announced with our group and answering our key: a refusal may have ended.
            await async_key_may_work_again(
                self.hass,
                self.hass.config_entries.async_entry_for_domain_unique_id(
                    DOMAIN, ident.fab_number
                ),
            )
            self._abort_if_unique_id_configured(updates={CONF_HOST: host})
            cards = discoveries_of(self._async_in_progress(), ident.fab_number, host)
            if any(flow["context"].get("dismiss_protected") for flow in cards):
                return self.async_abort(reason="already_in_progress")  # being added
            for flow in cards:
                self.hass.config_entries.flow.async_abort(flow["flow_id"])
            self._ident, self._credentials = ident, credentials
            self.context["title_placeholders"] = {
                "name": appliance_title(ident),
                CONF_HOST: host,
            }
            return await self.async_step_discovery_confirm()
        entries = self._async_current_entries(include_ignore=True)
        if (
            entry := configured_entry(entries, host, provisional_id)
        ) and entry.unique_id:
            # Aborted under the entry's id: the entry keeps this discovery's key.
            await self.async_set_unique_id(entry.unique_id, raise_on_progress=False)
            return self.async_abort(reason="already_configured")
        await self.async_set_unique_id(provisional_id)
        if any(
            flow["context"].get("title_placeholders", {}).get(CONF_HOST) == host
            for flow in self._async_in_progress()
        ):
            return self.async_abort(reason="already_in_progress")
        self._discovered_name = name
        return await self.async_step_discovered()

    async def async_step_discovered(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Offer the key or pairing for a discovered appliance that answers to no known key.

        Not named "discovery": the frontend re-opens a flow by running its current step
        again, and ConfigFlow.async_step_discovery would turn that into the user step.
        """
        return self.async_show_menu(
            step_id="discovered",
            menu_options=["discovery_keys", "pair"],
            description_placeholders={
                "name": self._discovered_name,
                CONF_HOST: self._host,
            },
        )

    async def async_step_discovery_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Confirm adding a discovered appliance that already answers to a known key."""
        if user_input is not None:
            self._async_end_discoveries(self._ident.fab_number, self._host)
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
        if user_input is not None and (
            credentials := parse_credentials(
                user_input, errors, fallback_key=entry.data[CONF_GROUP_KEY]
            )
        ):
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
        self._async_end_discoveries(ident.fab_number, host)
        self._abort_if_unique_id_configured(updates=data)
        return self.async_create_entry(title=appliance_title(ident), data=data)

    def _known_groups(self) -> dict[str, tuple[GroupCredentials, list[str]]]:
        """Household keys of the configured entries, by GroupID, with their appliances."""
        return known_groups(self._async_current_entries(include_ignore=False))

    @callback
    def _async_end_discoveries(self, fab_number: str, host: str) -> None:
        """End the appliance's other discovery flows; its entry takes their discovery key."""
        for flow in discoveries_of(self._async_in_progress(), fab_number, host):
            if "discovery_key" not in self.context and (
                key := flow["context"].get("discovery_key")
            ):
                self.context["discovery_key"] = key
            self.hass.config_entries.flow.async_abort(flow["flow_id"])


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
