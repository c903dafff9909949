"""The mDNS advertiser: TXT as a module sends it, following the pairing, quiet without multicast."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from zeroconf import InterfaceChoice, IPVersion
from zeroconf.asyncio import AsyncServiceInfo, AsyncZeroconf

from simulator import SimulatedAppliance
from simulator.mdns import SERVICE_TYPE, MdnsAdvertiser, host_name
from tests.simulator.rawclient import send

if TYPE_CHECKING:
    import aiohttp
    import pytest
    from zeroconf import ServiceInfo

    from mielelocal.credentials import GroupCredentials

PAIRING = {"Authorization": "MielePairing:Pairing"}


async def resolve(name: str) -> dict[str, str]:
    """
    Ask the network for a service's TXT, as a string mapping.

    A fresh mDNS stack each time, as Home Assistant's zeroconf would be on its first query: a
    long-lived cache keeps the previous TXT for a second after a change (RFC 6762 cache flush).
    """
    listener = AsyncZeroconf(
        interfaces=InterfaceChoice.Default, ip_version=IPVersion.V4Only
    )
    info = AsyncServiceInfo(SERVICE_TYPE, name)
    try:
        assert await info.async_request(listener.zeroconf, 3000)
    finally:
        await listener.async_close()
    assert info.parsed_addresses() == ["127.0.0.1"]
    return {
        key.decode(): (value or b"").decode() for key, value in info.properties.items()
    }


async def wait_for_txt(name: str, **expected: str) -> dict[str, str]:
    """Poll the cache until the announced TXT holds `expected` (announcements take a moment)."""
    async with asyncio.timeout(10):
        while True:
            txt = await resolve(name)
            if all(txt[key] == value for key, value in expected.items()):
                return txt
            await asyncio.sleep(0.2)


def properties(info: ServiceInfo | None) -> dict[bytes, bytes | None]:
    assert info is not None
    return info.properties


def test_host_name_follows_the_fab_number() -> None:
    """Protocol vector: fab 000999000001 -> Miele-001D63FFFEE69EC1.local."""
    assert host_name("000999000001") == "Miele-001D63FFFEE69EC1.local."


async def test_announces_a_paired_appliance_with_its_group(
    creds: GroupCredentials,
) -> None:
    async with (
        SimulatedAppliance("oven", credentials=creds) as sim,
        MdnsAdvertiser() as advertiser,
    ):
        await advertiser.add(sim)
        assert advertiser.available
        info = advertiser.advertised(sim)
        assert info is not None
        assert info.port == sim.port
        assert info.server == host_name(sim.device_id)
        txt = await resolve(info.name)
    assert txt == {
        "txtvers": "1",
        "group": creds.group_id,
        "path": "/",
        "security": "1",
        "pairing": "false",
        "devicetype": "12",
        "con": "1",
        "subtype": "0",
        "s": "0",
    }


async def test_txt_follows_reset_and_commissioning(
    creds: GroupCredentials, session: aiohttp.ClientSession
) -> None:
    """Unpaired: empty group, pairing=true; after commissioning the new group; reset clears it."""
    async with (
        SimulatedAppliance("dishwasher", paired=False) as sim,
        MdnsAdvertiser() as advertiser,
    ):
        await advertiser.add(sim)
        name = properties_name(advertiser, sim)
        await wait_for_txt(name, group="", pairing="true", devicetype="7")

        body = (
            f'{{"GroupID":"{creds.group_id}","GroupKey":"{creds.group_key_hex}"}}'
        ).encode()
        response = await session.put(
            f"http://{sim.host}/Security/Commissioning/", data=body, headers=PAIRING
        )
        assert response.status == 204
        await wait_for_txt(name, group=creds.group_id, pairing="false")

        sim.set_fault("reset")
        await wait_for_txt(name, group="", pairing="true")
        # A signed request with the forgotten key is refused, as the TXT says.
        refused = await send(
            session, sim.host, creds, "GET", f"/Devices/{sim.device_id}/Ident"
        )
        assert refused.status == 403

        sim.set_fault("none")  # the simulator's reset is undone: paired again
        await wait_for_txt(name, group=creds.group_id, pairing="false")


def properties_name(advertiser: MdnsAdvertiser, sim: SimulatedAppliance) -> str:
    info = advertiser.advertised(sim)
    assert info is not None
    return info.name


async def test_without_multicast_it_logs_once_and_carries_on(
    creds: GroupCredentials, caplog: pytest.LogCaptureFixture
) -> None:
    def no_multicast() -> AsyncZeroconf:
        raise OSError(19, "No such device")

    caplog.set_level(logging.WARNING, "simulator.mdns")
    async with (
        SimulatedAppliance("washer", credentials=creds) as washer,
        SimulatedAppliance("oven", credentials=creds) as oven,
        MdnsAdvertiser(zeroconf_factory=no_multicast) as advertiser,
    ):
        await advertiser.add(washer)
        await advertiser.add(oven)
        washer.set_fault("reset")
        await asyncio.sleep(0)
        assert not advertiser.available
        assert properties(advertiser.advertised(washer))[b"group"] == b""
        assert properties(advertiser.advertised(oven))[b"group"] == (
            creds.group_id.encode()
        )
    warnings = [r for r in caplog.records if r.name == "simulator.mdns"]
    assert len(warnings) == 1
    assert "not discoverable" in warnings[0].getMessage()


async def test_a_failing_announcement_is_logged_once(
    creds: GroupCredentials, caplog: pytest.LogCaptureFixture
) -> None:
    """Multicast that breaks after start-up (interface gone) degrades the same way."""

    class Broken(AsyncZeroconf):
        async def async_register_service(self, *args: object, **kwargs: object):  # type: ignore[override]
            raise OSError(101, "Network is unreachable")

        async def async_update_service(self, *args: object, **kwargs: object):  # type: ignore[override]
            raise OSError(101, "Network is unreachable")

    def broken() -> AsyncZeroconf:
        return Broken(interfaces=InterfaceChoice.Default, ip_version=IPVersion.V4Only)

    caplog.set_level(logging.WARNING, "simulator.mdns")
    async with (
        SimulatedAppliance("washer", credentials=creds) as washer,
        MdnsAdvertiser(zeroconf_factory=broken) as advertiser,
    ):
        await advertiser.add(washer)
        washer.set_fault("reset")
        washer.set_fault("none")
    assert [r.name for r in caplog.records].count("simulator.mdns") == 1
