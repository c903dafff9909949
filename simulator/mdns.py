"""Announce simulated appliances over mDNS as ``_mieleathome._tcp``, the way a Wi-Fi module does.

Each appliance is one service: SRV to ``Miele-001D63FFFE<6 hex>.local.`` and its port, A to its
address, TXT as a module sends it (``group=`` empty while unpaired or after a reset,
``pairing=true`` while it accepts commissioning, ``devicetype=``). The TXT follows the pairing:
the advertiser listens to the appliance and re-announces on every change.

The announcements stay on this machine: they go out on the default interface (where Home
Assistant's zeroconf listens) with a multicast TTL of 0, which the kernel loops back to local
listeners and never puts on the wire. Where multicast is unavailable the advertiser logs once and
carries on: the appliances still serve, they are just not discoverable.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import TYPE_CHECKING, Self

from zeroconf import Error as ZeroconfError, InterfaceChoice, IPVersion, ServiceInfo
from zeroconf.asyncio import AsyncZeroconf

from .appliances import get_template

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import TracebackType

    from .device import SimulatedAppliance

_LOGGER = logging.getLogger(__name__)

SERVICE_TYPE = "_mieleathome._tcp.local."
MIELE_OUI = "001D63"  # MAC vendor prefix of Miele & Cie


def host_name(device_id: str) -> str:
    """Return the module's mDNS host name (low 24 bits of the FabNumber's last 8 digits)."""
    return f"Miele-{MIELE_OUI}FFFE{int(device_id[-8:]) & 0xFFFFFF:06X}.local."


def service_name(sim: SimulatedAppliance) -> str:
    """Return the service instance name (the FabNumber keeps it unique)."""
    return f"Miele {sim.appliance} {sim.device_id}.{SERVICE_TYPE}"


def txt_record(sim: SimulatedAppliance) -> dict[str, str]:
    """Return the TXT properties a module with this pairing sends."""
    credentials = sim.credentials
    return {
        "txtvers": "1",
        "group": "" if credentials is None else credentials.group_id,
        "path": "/",
        "security": "1",
        "pairing": "false" if sim.paired else "true",
        "devicetype": str(get_template(sim.appliance).device_type),
        "con": "1",
        "subtype": "0",
        "s": "0",
    }


def service_info(
    sim: SimulatedAppliance, address: str, name: str | None = None
) -> ServiceInfo:
    """Return the whole advertisement of one appliance reachable at `address`."""
    return ServiceInfo(
        SERVICE_TYPE,
        name or service_name(sim),
        port=sim.port,
        properties=txt_record(sim),
        server=host_name(sim.device_id),
        addresses=[socket.inet_aton(address)],
    )


def _keep_on_this_machine(zeroconf: AsyncZeroconf) -> None:
    """Multicast TTL 0: the kernel loops the packets back to local listeners only."""
    engine = zeroconf.zeroconf.engine
    sockets = {engine._listen_socket, *engine._respond_sockets}  # noqa: SLF001
    for sock in filter(None, sockets):
        sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 0)


def _zeroconf() -> AsyncZeroconf:
    """python-zeroconf on the default interface, IPv4 (Home Assistant's default choice)."""
    zeroconf = AsyncZeroconf(
        interfaces=InterfaceChoice.Default, ip_version=IPVersion.V4Only
    )
    _keep_on_this_machine(zeroconf)
    return zeroconf


class MdnsAdvertiser:
    """Announces appliances while started; `address` is what the A records name.

    ``zeroconf_factory`` builds the mDNS stack (tests hand in one that fails, to see the
    advertiser degrade). ``available`` tells whether announcements are going out.
    """

    def __init__(
        self,
        address: str = "127.0.0.1",
        *,
        zeroconf_factory: Callable[[], AsyncZeroconf] = _zeroconf,
    ) -> None:
        self.address = address
        self._factory = zeroconf_factory
        self._zeroconf: AsyncZeroconf | None = None
        self._infos: dict[str, ServiceInfo] = {}
        self._announcing: set[asyncio.Task[None]] = set()
        self._one_at_a_time = asyncio.Lock()  # the newest TXT goes out last
        self._warned = False

    @property
    def available(self) -> bool:
        """Whether the mDNS stack is up (False where multicast is unavailable)."""
        return self._zeroconf is not None

    def advertised(self, sim: SimulatedAppliance) -> ServiceInfo | None:
        """Return what is announced for `sim` (None when it is not announced)."""
        return self._infos.get(sim.device_id)

    async def start(self) -> None:
        """Bring up the mDNS stack; without multicast, log once and stay quiet."""
        try:
            self._zeroconf = self._factory()
        except OSError as err:
            self._unavailable(err)

    async def add(self, sim: SimulatedAppliance) -> None:
        """Announce a started appliance and follow its pairing from now on."""
        sim.pairing_listeners.append(lambda: self._changed(sim))
        await self._announce(sim, update=False)

    async def stop(self) -> None:
        """Withdraw every announcement and close the mDNS stack."""
        while self._announcing:
            announcing, self._announcing = self._announcing, set()
            await asyncio.gather(*announcing)
        zeroconf, self._zeroconf = self._zeroconf, None
        if zeroconf is not None:
            await zeroconf.async_unregister_all_services()
            await zeroconf.async_close()
        self._infos.clear()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    def _changed(self, sim: SimulatedAppliance) -> None:
        """Re-announce the TXT of an appliance whose pairing changed."""
        task = asyncio.get_running_loop().create_task(self._announce(sim, update=True))
        self._announcing.add(task)
        task.add_done_callback(self._announcing.discard)

    async def _announce(self, sim: SimulatedAppliance, *, update: bool) -> None:
        async with self._one_at_a_time:
            await self._announce_now(sim, update=update)

    async def _announce_now(self, sim: SimulatedAppliance, *, update: bool) -> None:
        previous = self._infos.get(sim.device_id)
        info = service_info(sim, self.address, previous.name if previous else None)
        self._infos[sim.device_id] = info
        zeroconf = self._zeroconf
        if zeroconf is None:
            return
        try:
            if update:
                await (await zeroconf.async_update_service(info))
            else:
                await (
                    await zeroconf.async_register_service(info, allow_name_change=True)
                )
        except (OSError, ZeroconfError) as err:
            self._unavailable(err)

    def _unavailable(self, err: Exception) -> None:
        if not self._warned:
            self._warned = True
            _LOGGER.warning(
                "mDNS unavailable (%s): the simulated appliances are not discoverable",
                err,
            )
