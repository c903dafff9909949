"""The one push listener of a Home Assistant: its identity, server, advertisement and slots."""

from __future__ import annotations

import asyncio
from ipaddress import ip_address
import secrets
from typing import TYPE_CHECKING, Any, TypedDict

from homeassistant.components import network, zeroconf
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import Event, callback
from homeassistant.helpers.storage import Store
from homeassistant.util.hass_dict import HassKey
from zeroconf.asyncio import AsyncServiceInfo

from custom_components.miele_local.const import DOMAIN, LOGGER
from mielelocal.push_listener import Push, PushListener
from mielelocal.supervision import LISTENER_DEVICE_TYPE, listener_hostname

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from mielelocal.credentials import GroupCredentials

    from .appliance import PushAppliance

SERVICE_TYPE = "_mieleathome._tcp.local."
LISTEN_HOST = "0.0.0.0"  # noqa: S104  (the appliances on the LAN must reach it)
PUSH_HUB: HassKey[PushHub] = HassKey(f"{DOMAIN}_push")


class _Stored(TypedDict):
    listener_fab: str
    slots: dict[str, list[int]]


@callback
def get_hub(hass: HomeAssistant) -> PushHub:
    """Return the one push hub of this Home Assistant."""
    if (hub := hass.data.get(PUSH_HUB)) is None:
        hub = hass.data[PUSH_HUB] = PushHub(hass)
        hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, hub.async_stop)
    return hub


class PushHub:
    """One listener for all appliances, started with the first and stopped with the last.

    Its FabNumber (random, kept in ``.storage``) names its mDNS host and callback paths;
    the slots each appliance holds for it are kept there too, so they can be deleted after
    a restart or on removal.
    """

    def __init__(self, hass: HomeAssistant) -> None:
        self.hass = hass
        self._store: Store[_Stored] = Store(hass, 1, f"{DOMAIN}.push")
        self._data = _Stored(listener_fab="", slots={})
        self._loaded = False
        self._lock = asyncio.Lock()
        self._appliances: dict[str, PushAppliance] = {}
        self._listener: PushListener | None = None
        self._advertised: list[AsyncServiceInfo] = []

    @property
    def listener_fab(self) -> str:
        """The listener's own 12-digit FabNumber."""
        return self._data["listener_fab"]

    @property
    def callback_base(self) -> str:
        """``http://<mDNS host>:<port>``, where appliances post their changes."""
        return f"http://{listener_hostname(self.listener_fab)}:{self.port}"

    @property
    def port(self) -> int:
        """The listener's port while it runs, 0 otherwise."""
        return 0 if self._listener is None else self._listener.port

    async def async_load(self) -> None:
        """Load (or create) the listener identity and the stored slots."""
        async with self._lock:
            if not self._loaded:
                self._data = await self._store.async_load() or _Stored(
                    listener_fab=f"000999{secrets.randbelow(10**6):06d}", slots={}
                )
                self._loaded = True

    def slots(self, device_id: str) -> list[int]:
        """Return the slots ``device_id`` holds for this listener (as last stored)."""
        return list(self._data["slots"].get(device_id, []))

    async def async_save_slots(self, device_id: str, slots: list[int]) -> None:
        """Remember (or, when empty, forget) the slots of one appliance."""
        if slots:
            self._data["slots"][device_id] = list(slots)
        else:
            self._data["slots"].pop(device_id, None)
        await self._store.async_save(self._data)

    async def async_attach(self, appliance: PushAppliance, port: int) -> None:
        """Serve ``appliance``: start the listener, or move it to a new port, and advertise it.

        A port that cannot be bound raises OSError and leaves a running listener as it was.
        """
        await self.async_load()
        async with self._lock:
            running = self._listener
            moved = running is not None and running.port != port
            if running is None or moved:
                listener = PushListener(
                    self.listener_fab,
                    self._credentials_for,
                    self._on_push,
                    host=LISTEN_HOST,
                    port=port,
                )
                await listener.start()
                await self._stop_listener()
                self._listener = listener
                LOGGER.debug("Push listener serving on port %s", listener.port)
            self._appliances[appliance.device_id] = appliance
            await self._advertise()
        if moved:
            for other in self._appliances.values():
                if other is not appliance:
                    other.resubscribe()

    async def async_detach(self, appliance: PushAppliance) -> None:
        """Stop serving ``appliance``; the last one stops the listener."""
        async with self._lock:
            if self._appliances.get(appliance.device_id) is appliance:
                del self._appliances[appliance.device_id]
            if self._appliances:  # the listener runs while it serves any appliance
                await self._advertise()
            else:
                await self._stop_listener()

    async def async_readvertise(self) -> None:
        """Advertise again with Home Assistant's current addresses."""
        async with self._lock:
            await self._advertise()

    async def async_stop(self, _event: Event) -> None:
        """Home Assistant stops: close the listener (zeroconf withdraws its own records)."""
        async with self._lock:
            listener, self._listener = self._listener, None
            self._advertised.clear()
            if listener is not None:
                await listener.stop()

    async def _stop_listener(self) -> None:
        await self._unadvertise()
        listener, self._listener = self._listener, None
        if listener is not None:
            await listener.stop()

    def _credentials_for(self, group_id: str) -> GroupCredentials | None:
        for appliance in self._appliances.values():
            credentials = appliance.coordinator.profile.credentials
            if credentials.group_id == group_id:
                return credentials
        return None

    @callback
    def _on_push(self, push: Push) -> None:
        appliance = self._appliances.get(push.appliance_fab)
        if appliance is not None and appliance.group_id == push.group_id:
            appliance.ring(push.evidence)

    async def _advertise(self) -> None:
        """Advertise one household member per GroupID through Home Assistant's zeroconf."""
        await self._unadvertise()
        aiozc = await zeroconf.async_get_async_instance(self.hass)
        addresses = [
            ip_address(address).packed
            for address in await network.async_get_announce_addresses(self.hass)
        ]
        groups = sorted({appliance.group_id for appliance in self._appliances.values()})
        for index, group in enumerate(groups, 1):
            info = AsyncServiceInfo(
                SERVICE_TYPE,
                f"Home Assistant {self.listener_fab}-{index}.{SERVICE_TYPE}",
                port=self.port,
                addresses=addresses,
                server=listener_hostname(self.listener_fab),
                properties=_txt(group),
            )
            await aiozc.async_register_service(info, allow_name_change=True)
            self._advertised.append(info)

    async def _unadvertise(self) -> None:
        advertised, self._advertised = self._advertised, []
        if advertised:
            aiozc = await zeroconf.async_get_async_instance(self.hass)
            for info in advertised:
                await aiozc.async_unregister_service(info)


def _txt(group_id: str) -> dict[str, Any]:
    """Return the TXT record of a household member that is not an appliance."""
    return {
        "txtvers": "1",
        "group": group_id,
        "path": "/",
        "security": "1",
        "pairing": "false",
        "devicetype": str(LISTENER_DEVICE_TYPE),
        "con": "2",
        "subtype": "0",
        "s": "0",
    }
