"""Which discovery is which appliance: the config flow's discovery helpers (mDNS, DHCP).

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
from typing import TYPE_CHECKING

from homeassistant.config_entries import SOURCE_DHCP, SOURCE_ZEROCONF
from homeassistant.const import CONF_HOST

from mielelocal.credentials import validate_host
from mielelocal.exceptions import MieleConfigError

from .advertisement import module_host_name
from .pairing import discovered_host, stored_credentials

if TYPE_CHECKING:
    from collections.abc import Iterable

    from homeassistant.config_entries import ConfigEntry, ConfigFlowResult

    from mielelocal.credentials import GroupCredentials

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


def zeroconf_id(hostname: str) -> str:
    """Return the provisional id of an mDNS discovery: its host name without `.local.`."""
    return hostname.lower().removesuffix(".").removesuffix(".local")


def dhcp_host(address: str) -> str:
    """Return the appliance host for an address learnt over DHCP (`APPLIANCE_PORT`)."""
    return discovered_host(address, APPLIANCE_PORT)


def same_appliance(
    provisional_id: str | None, address: object, fab_number: str, host: object
) -> bool:
    """Return whether a discovery (provisional id, address) is appliance `fab_number` at `host`.

    A module identity decides alone; a MAC or another host name says nothing, the address
    does.
    """
    if provisional_id and MODULE_ID.fullmatch(provisional_id):
        return provisional_id == module_id(fab_number)
    key = host_key(address)
    return key is not None and key == host_key(host)


def known_groups(
    entries: Iterable[ConfigEntry],
) -> dict[str, tuple[GroupCredentials, list[str]]]:
    """Return the household keys of `entries`, by GroupID, with their appliances' titles."""
    known: dict[str, tuple[GroupCredentials, list[str]]] = {}
    for entry in entries:
        try:
            credentials = stored_credentials(entry)
        except MieleConfigError, KeyError:
            continue  # a damaged entry: its own setup reports it
        known.setdefault(credentials.group_id, (credentials, []))[1].append(entry.title)
    return known


def discoveries_of(
    flows: Iterable[ConfigFlowResult], fab_number: str, host: str
) -> list[ConfigFlowResult]:
    """Return the discovery flows among `flows` of appliance `fab_number` at `host`."""
    return [
        flow
        for flow in flows
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


def configured_entry(
    entries: Iterable[ConfigEntry], host: str, provisional_id: str
) -> ConfigEntry | None:
    """Return the entry (or ignore) among `entries` of a discovered appliance."""
    return next(
        (
            entry
            for entry in entries
            if entry.unique_id
            and same_appliance(
                provisional_id, host, entry.unique_id, entry.data.get(CONF_HOST)
            )
        ),
        None,
    )
