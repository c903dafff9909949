"""
Config flow base: what adding an appliance needs, and the discovery steps (mDNS, DHCP).

`MieleLocalConfigFlow` (config_flow.py) adds the user and pairing steps on top.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.const import CONF_HOST
from homeassistant.helpers.device_registry import format_mac
import probatio as vol

from .const import CONF_GROUP_ID, CONF_GROUP_KEY
from .entry_flow import EntryFlowSteps
from .miele.credentials import GroupCredentials
from .miele.exceptions import MieleError
from .miele.supervision import LISTENER_DEVICE_TYPE
from .pairing import (
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
    from homeassistant.config_entries import ConfigFlowResult
    from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo
    from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo

    from .miele.models import Ident

APPLIANCE_PORT = 80
"""Port of the appliance's HTTP API, assumed for an address learnt over DHCP."""


class DiscoverySteps(EntryFlowSteps):
    """Shared state and checks of adding an appliance, and the discovery steps."""

    _ident: Ident
    _credentials: GroupCredentials

    def __init__(self) -> None:
        """Start with nothing known about the appliance."""
        self._host = ""
        self._advertised_group = ""
        self._discovered_name = ""
        self._commissioning = Commissioning()

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
        self._discovered_name = name
        return await self.async_step_discovered()

    async def async_step_discovered(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """
        Offer the key or pairing for a discovered appliance that answers to no known key.

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
