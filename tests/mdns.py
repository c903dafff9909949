"""A real mDNS announcer on 127.0.0.1 for tests: appliances advertise as their modules do."""

from __future__ import annotations

import socket
from typing import TYPE_CHECKING, Self

from zeroconf import IPVersion, ServiceInfo
from zeroconf.asyncio import AsyncZeroconf

from custom_components.miele_local.advertisement import SERVICE_TYPE
from simulator.mdns import host_name

if TYPE_CHECKING:
    from types import TracebackType

    from simulator import SimulatedAppliance


class Advertiser:
    """Announces `_mieleathome._tcp` services with python-zeroconf on the loopback interface."""

    def __init__(self) -> None:
        self._zeroconf = AsyncZeroconf(
            interfaces=["127.0.0.1"], ip_version=IPVersion.V4Only
        )
        self._infos: dict[str, ServiceInfo] = {}

    async def __aenter__(self) -> Self:
        await self._zeroconf.zeroconf.async_wait_for_start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self._zeroconf.async_unregister_all_services()
        await self._zeroconf.async_close()

    @staticmethod
    def _name(sim: SimulatedAppliance) -> str:
        """Its service name; the port keeps parallel test workers apart."""
        return f"Miele {sim.appliance} {sim.device_id} {sim.port}.{SERVICE_TYPE}"

    async def withdraw(self, sim: SimulatedAppliance) -> None:
        """Say goodbye: the service is removed."""
        info = self._infos.pop(self._name(sim))
        await (await self._zeroconf.async_unregister_service(info))

    async def advertise(
        self, sim: SimulatedAppliance, *, fab_number: str | None = None
    ) -> None:
        """
        Announce `sim` with the TXT its pairing gives (empty group while unpaired).

        `fab_number` announces another module identity at the simulator's address.
        """
        credentials = sim.credentials
        info = ServiceInfo(
            SERVICE_TYPE,
            self._name(sim),
            port=sim.port,
            properties={
                "txtvers": "1",
                "group": "" if credentials is None else credentials.group_id,
                "pairing": "false" if sim.paired else "true",
                "devicetype": "1",
            },
            server=host_name(fab_number or sim.device_id),
            addresses=[socket.inet_aton("127.0.0.1")],
        )
        if (old := self._infos.get(info.name)) is not None:
            await (await self._zeroconf.async_unregister_service(old))
        await (
            await self._zeroconf.async_register_service(
                info, cooperating_responders=True
            )
        )
        self._infos[info.name] = info
