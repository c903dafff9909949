"""Ask mDNS, now, what an appliance advertises: its pairing (TXT ``group``/``pairing``) and identity.

A Wi-Fi module announces ``_mieleathome._tcp.local.`` with its host name
``Miele-001D63FFFE<6 hex>.local.`` (the low 24 bits of its FabNumber's last 8 digits) and TXT
``group=`` (empty while unpaired), ``pairing=`` (``true`` while it accepts commissioning).
The lookup goes through Home Assistant's shared zeroconf instance and only returns the
advertisement of the entry's own address, so that evidence about one appliance never comes
from another.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from enum import StrEnum
import ipaddress
from typing import TYPE_CHECKING

from homeassistant.components import zeroconf
from yarl import URL
from zeroconf import ServiceStateChange
from zeroconf.asyncio import AsyncServiceBrowser, AsyncServiceInfo

from .const import LOGGER

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from zeroconf import Zeroconf

SERVICE_TYPE = "_mieleathome._tcp.local."
LOOKUP_TIMEOUT = 3.0
"""Seconds to wait for the appliance to answer an mDNS query."""
_MODULE_PREFIX = "miele-001d63fffe"


def module_host_name(fab_number: str) -> str:
    """Return the mDNS host name of the module of the appliance with this FabNumber."""
    return f"{_MODULE_PREFIX}{int(fab_number[-8:]) & 0xFFFFFF:06x}.local"


class Diagnosis(StrEnum):
    """What a refused household key means."""

    RESET = "reset"  # the appliance advertises itself unpaired: pair it again
    KEY_REFUSED = "key_refused"  # paired, to our group or another, or no evidence


@dataclass(frozen=True, slots=True)
class Advertisement:
    """One appliance's mDNS advertisement."""

    host_name: str  # lower case, without the trailing dot
    addresses: tuple[str, ...]
    port: int | None
    group: str
    pairing: bool

    @property
    def unpaired(self) -> bool:
        """Advertised with no group, or as accepting commissioning."""
        return not self.group or self.pairing

    def is_other_appliance(self, fab_number: str) -> bool:
        """Whether it names a module identity, and that is not the one of `fab_number`."""
        return self.host_name.startswith(_MODULE_PREFIX) and (
            self.host_name != module_host_name(fab_number)
        )

    def serves(self, host: str) -> bool:
        """Whether this advertisement is of the appliance at `host` (a `validate_host` value)."""
        url = URL(f"http://{host}")
        name = (url.host or "").lower().removesuffix(".")
        if name == self.host_name:
            return True
        try:
            address = str(ipaddress.ip_address(name))
        except ValueError:
            return False
        return address in self.addresses and (url.port or 80) == (self.port or 80)


def diagnose(advertisement: Advertisement | None, fab_number: str) -> Diagnosis:
    """Decide what a refused key means from what the appliance advertises now."""
    if (
        advertisement is not None
        and advertisement.unpaired
        and not advertisement.is_other_appliance(fab_number)
    ):
        return Diagnosis.RESET
    return Diagnosis.KEY_REFUSED


def _advertisement(info: AsyncServiceInfo) -> Advertisement:
    properties = {
        key.decode(errors="replace").lower(): (value or b"").decode(errors="replace")
        for key, value in info.properties.items()
    }
    return Advertisement(
        host_name=(info.server or "").lower().removesuffix("."),
        addresses=tuple(info.parsed_addresses()),
        port=info.port,
        group=properties.get("group", "").strip().upper(),
        pairing=properties.get("pairing", "").strip().lower() == "true",
    )


async def _async_resolve(
    zc: Zeroconf, names: asyncio.Queue[str], host: str
) -> Advertisement:
    """Resolve announced service names until one is the appliance at `host`."""
    while True:
        info = AsyncServiceInfo(SERVICE_TYPE, await names.get())
        await info.async_request(zc, LOOKUP_TIMEOUT * 1000)
        advertisement = _advertisement(info)  # unresolved: no name, no address
        if advertisement.serves(host):
            return advertisement


async def async_lookup(hass: HomeAssistant, host: str) -> Advertisement | None:
    """Query mDNS for the appliance at `host`; None when it does not answer in time."""
    try:
        async with asyncio.timeout(LOOKUP_TIMEOUT):
            return await _async_browse(hass, host)
    except TimeoutError:
        LOGGER.debug("No mDNS advertisement of %s within %g s", host, LOOKUP_TIMEOUT)
        return None


async def _async_browse(hass: HomeAssistant, host: str) -> Advertisement:
    """Browse (which sends the queries at once) and resolve each announced name in turn."""
    zc = (await zeroconf.async_get_async_instance(hass)).zeroconf
    names: asyncio.Queue[str] = asyncio.Queue()

    def on_change(
        zeroconf: Zeroconf,  # python-zeroconf calls handlers by keyword
        service_type: str,
        name: str,
        state_change: ServiceStateChange,
    ) -> None:
        if state_change is not ServiceStateChange.Removed:
            names.put_nowait(name)

    browser = AsyncServiceBrowser(zc, SERVICE_TYPE, handlers=[on_change])
    try:
        return await _async_resolve(zc, names, host)
    finally:
        await browser.async_cancel()
