"""
Config flow base: what adding an appliance needs, and the discovery steps (mDNS, DHCP).

`MieleLocalConfigFlow` (config_flow.py) adds the user and pairing steps on top.

One card per appliance, gone once it is configured. Without a working key a discovery is
known by a provisional id: the module's mDNS host name (derived from the FabNumber, so it
names the appliance) or the MAC (then the address decides). Adding an appliance, however
it is added, ends its other discovery flows and the entry takes over their discovery key
(as Home Assistant's ignore does); a discovery of a configured appliance aborts under the
entry's id, so the entry keeps that key too. Removing the entry makes Home Assistant's
zeroconf and DHCP discover the appliance again.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import SOURCE_DHCP, SOURCE_ZEROCONF
from homeassistant.const import CONF_HOST
from homeassistant.core import callback
from homeassistant.helpers.device_registry import format_mac
import probatio as vol

from mielelocal.credentials import GroupCredentials, validate_host
from mielelocal.exceptions import MieleConfigError, MieleError
from mielelocal.supervision import LISTENER_DEVICE_TYPE

from . import async_key_may_work_again
from .advertisement import module_host_name
from .const import CONF_GROUP_ID, DOMAIN
from .entry_flow import EntryFlowSteps
from .pairing import (
    Commissioning,
    appliance_title,
    async_read_ident,
    discovered_host,
    entry_data,
    error_key,
    key_fields,
    parse_credentials,
    stored_credentials,
    type_title,
)

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigFlowResult
    from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo
    from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo

    from mielelocal.models import Ident

    from .coordinator import MieleLocalConfigEntry

APPLIANCE_PORT = 80
"""Port of the appliance's HTTP API, assumed for an address learnt over DHCP."""
DISCOVERY_SOURCES = frozenset({SOURCE_ZEROCONF, SOURCE_DHCP})
MODULE_ID = re.compile(r"miele-001d63fffe[0-9a-f]{6}")
"""A provisional id that is a module's identity: `module_host_name` without `.local`."""


def host_key(host: object) -> str | None:
    """Return a host normalised for comparison (no port 80), None when invalid."""
    try:
        return validate_host(host).removesuffix(":80")
    except MieleConfigError:
        return None


def module_id(fab_number: str) -> str | None:
    """Return the provisional id a zeroconf discovery of this appliance gets."""
    try:
        return module_host_name(fab_number).removesuffix(".local")
    except ValueError:  # not a FabNumber of digits
        return None


def same_appliance(
    provisional_id: str | None, address: object, fab_number: str, host: object
) -> bool:
    """
    Return whether a discovery (provisional id, address) is appliance `fab_number` at `host`.

    A module identity decides alone; a MAC or another host name says nothing, the address
    does.
    """
    if provisional_id and MODULE_ID.fullmatch(provisional_id):
        return provisional_id == module_id(fab_number)
    key = host_key(address)
    return key is not None and key == host_key(host)


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
        self._async_end_discoveries(ident.fab_number, host)
        self._abort_if_unique_id_configured(updates=data)
        return self.async_create_entry(title=appliance_title(ident), data=data)

    def _known_groups(self) -> dict[str, tuple[GroupCredentials, list[str]]]:
        """Household keys of the configured entries, by GroupID, with their appliances."""
        known: dict[str, tuple[GroupCredentials, list[str]]] = {}
        for entry in self._async_current_entries(include_ignore=False):
            try:
                credentials = stored_credentials(entry)
            except MieleConfigError, KeyError:
                continue  # a damaged entry: its own setup reports it
            known.setdefault(credentials.group_id, (credentials, []))[1].append(
                entry.title
            )
        return known

    def _discoveries_of(self, fab_number: str, host: str) -> list[ConfigFlowResult]:
        """Return the other discovery flows in progress of appliance `fab_number` at `host`."""
        return [
            flow
            for flow in self._async_in_progress()
            if flow["context"].get("source") in DISCOVERY_SOURCES
            and (
                (unique_id := flow["context"].get("unique_id")) == fab_number
                or (
                    # A flow that read a FabNumber is another appliance's.
                    flow.get("step_id") != "discovery_confirm"
                    and same_appliance(
                        unique_id,
                        flow["context"].get("title_placeholders", {}).get(CONF_HOST),
                        fab_number,
                        host,
                    )
                )
            )
        ]

    @callback
    def _async_end_discoveries(self, fab_number: str, host: str) -> None:
        """End the appliance's other discovery flows; its entry takes their discovery key."""
        for flow in self._discoveries_of(fab_number, host):
            if "discovery_key" not in self.context and (
                key := flow["context"].get("discovery_key")
            ):
                self.context["discovery_key"] = key
            self.hass.config_entries.flow.async_abort(flow["flow_id"])

    def _configured_entry(
        self, host: str, provisional_id: str
    ) -> MieleLocalConfigEntry | None:
        """Return the entry (or ignore) of a discovered appliance whose key did not work."""
        return next(
            (
                entry
                for entry in self._async_current_entries(include_ignore=True)
                if entry.unique_id
                and same_appliance(
                    provisional_id, host, entry.unique_id, entry.data.get(CONF_HOST)
                )
            ),
            None,
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
            cards = self._discoveries_of(ident.fab_number, host)
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
        if (entry := self._configured_entry(host, provisional_id)) and entry.unique_id:
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
