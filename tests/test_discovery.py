"""
Discovered appliances: one card each, gone once configured however it was added, back on removal.

Home Assistant keeps a discovery's key (mDNS service name, DHCP MAC) on the entry that a
discovery aborted against, and discovers that service again when the entry is removed; the
rediscovery test runs Home Assistant's zeroconf over real multicast on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
from ipaddress import ip_address
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

from homeassistant.config_entries import (
    SOURCE_DHCP,
    SOURCE_IGNORE,
    SOURCE_USER,
    SOURCE_ZEROCONF,
    signal_discovered_config_entry_removed,
)
from homeassistant.const import CONF_HOST
from homeassistant.core import callback
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.discovery_flow import DiscoveryKey
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo
from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.miele_local.advertisement import SERVICE_TYPE
from custom_components.miele_local.config_flow import MieleLocalConfigFlow
from custom_components.miele_local.const import CONF_GROUP_ID, CONF_GROUP_KEY, DOMAIN
from custom_components.miele_local.discovery import module_id, same_appliance
from mielelocal.credentials import GroupCredentials
from simulator.mdns import host_name

from .conftest import SimulatorFactory, entry_data

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry, ConfigFlowResult
    from homeassistant.core import HomeAssistant

    from simulator import SimulatedAppliance

    from .mdns import Advertiser

pytestmark = pytest.mark.usefixtures("socket_enabled")

OTHER_KEY = GroupCredentials.generate()
UNREACHABLE_HOST = "127.0.0.1:9"
MAC = "001d63a26e3d"


def keys(credentials: GroupCredentials) -> dict[str, str]:
    """Form input for a household key."""
    return {
        CONF_GROUP_ID: credentials.group_id,
        CONF_GROUP_KEY: credentials.group_key_hex,
    }


def service_name(sim: SimulatedAppliance) -> str:
    """The mDNS service name the appliance's module announces."""
    return f"Miele {sim.appliance} {sim.device_id}.{SERVICE_TYPE}"


def zeroconf_info(
    sim: SimulatedAppliance,
    *,
    address: str = "127.0.0.1",
    port: int | None = None,
) -> ZeroconfServiceInfo:
    """What Home Assistant's zeroconf hands over for `sim`'s module."""
    group = "" if sim.credentials is None else sim.credentials.group_id
    return ZeroconfServiceInfo(
        ip_address=ip_address(address),
        ip_addresses=[ip_address(address)],
        port=port or sim.port,
        hostname=host_name(sim.device_id),
        type=SERVICE_TYPE,
        name=service_name(sim),
        properties={
            "group": group,
            "devicetype": "1",
            "pairing": "false" if sim.paired else "true",
        },
    )


def dhcp_info() -> DhcpServiceInfo:
    """A DHCP lease of a device with Miele's MAC prefix on 127.0.0.1."""
    return DhcpServiceInfo(ip="127.0.0.1", hostname="miele-washer", macaddress=MAC)


def discovery_key(source: str, sim: SimulatedAppliance) -> DiscoveryKey:
    """The key Home Assistant's zeroconf or DHCP gives a discovery of `sim`."""
    if source == SOURCE_ZEROCONF:
        return DiscoveryKey(
            domain="zeroconf", key=(SERVICE_TYPE, service_name(sim)), version=1
        )
    return DiscoveryKey(domain="dhcp", key=MAC, version=1)


async def discover(
    hass: HomeAssistant, source: str, sim: SimulatedAppliance, **info: Any
) -> ConfigFlowResult:
    """Start a discovery flow as Home Assistant's zeroconf or DHCP does, with its key."""
    data = zeroconf_info(sim, **info) if source == SOURCE_ZEROCONF else dhcp_info()
    with patch("custom_components.miele_local.discovery.APPLIANCE_PORT", sim.port):
        return await hass.config_entries.flow.async_init(
            DOMAIN,
            context={"source": source, "discovery_key": discovery_key(source, sim)},
            data=data,
        )


def flows(hass: HomeAssistant) -> list[ConfigFlowResult]:
    """The integration's flows in progress (the cards under Discovered, and any dialog)."""
    return hass.config_entries.flow.async_progress_by_handler(DOMAIN)


def add_entry(
    hass: HomeAssistant, host: str, device_id: str, credentials: GroupCredentials
) -> MockConfigEntry:
    """A configured (not loaded) appliance."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Existing",
        unique_id=device_id,
        data=entry_data(host, device_id, credentials),
    )
    entry.add_to_hass(hass)
    return entry


async def add_by_host(
    hass: HomeAssistant, host: str, credentials: GroupCredentials | None = None
) -> ConfigFlowResult:
    """Add integration > Miele Local: the host and the key, or pair with a new key."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_HOST: host, **(keys(credentials) if credentials else {})},
    )
    if credentials is None:
        assert result["step_id"] == "pair"
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {"pairing_key": "new"}
        )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    return result


@pytest.fixture(autouse=True)
def no_setup() -> Any:
    """Discovery tests stop at the entry: its setup is tested in test_init."""
    with (
        patch("custom_components.miele_local.async_setup_entry", return_value=True),
        patch("custom_components.miele_local.async_unload_entry", return_value=True),
    ):
        yield


@pytest.mark.parametrize("source", [SOURCE_ZEROCONF, SOURCE_DHCP])
async def test_card_gone_once_added_by_host(
    hass: HomeAssistant, simulator: Any, credentials: GroupCredentials, source: str
) -> None:
    """The entry takes over the card's discovery key: removing it discovers it again."""
    card = await discover(hass, source, simulator)
    assert card["step_id"] == "discovered"
    result = await add_by_host(hass, simulator.host, credentials)
    assert flows(hass) == []
    assert result["result"].discovery_keys == {
        source: (discovery_key(source, simulator),)
    }


async def test_card_gone_once_paired_by_host(
    hass: HomeAssistant, simulator_factory: SimulatorFactory
) -> None:
    sim = await simulator_factory("dishwasher", paired=False)
    card = await discover(hass, SOURCE_ZEROCONF, sim)
    assert card["step_id"] == "discovered"
    result = await add_by_host(hass, sim.host)
    assert result["result"].unique_id == sim.device_id
    assert flows(hass) == []
    assert result["result"].discovery_keys == {
        "zeroconf": (discovery_key(SOURCE_ZEROCONF, sim),)
    }


async def test_other_card_gone_once_added_from_a_card(
    hass: HomeAssistant, simulator: Any, credentials: GroupCredentials
) -> None:
    """Two cards of one module (mDNS on IPv6, DHCP on IPv4): adding from one ends both."""
    by_mdns = await discover(hass, SOURCE_ZEROCONF, simulator, address="::1")
    by_dhcp = await discover(hass, SOURCE_DHCP, simulator)
    assert by_mdns["step_id"] == by_dhcp["step_id"] == "discovered"
    result = await hass.config_entries.flow.async_configure(
        by_dhcp["flow_id"], {"next_step_id": "discovery_keys"}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], keys(credentials)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == simulator.device_id
    assert flows(hass) == []


async def test_other_card_gone_once_confirmed_from_a_card(
    hass: HomeAssistant, simulator: Any, credentials: GroupCredentials
) -> None:
    """The one-click card ends the card of its module's stale announcement (old port)."""
    add_entry(hass, UNREACHABLE_HOST, "000000000001", credentials)
    confirm = await discover(hass, SOURCE_ZEROCONF, simulator)
    assert confirm["step_id"] == "discovery_confirm"
    elsewhere = await discover(hass, SOURCE_ZEROCONF, simulator, port=10)
    assert elsewhere["step_id"] == "discovered"
    result = await hass.config_entries.flow.async_configure(confirm["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert flows(hass) == []


async def test_card_replaced_once_the_key_is_known(
    hass: HomeAssistant, simulator: Any, credentials: GroupCredentials
) -> None:
    """Discovered again after its key was added: one card, the one-click one."""
    first = await discover(hass, SOURCE_ZEROCONF, simulator)
    assert first["step_id"] == "discovered"
    add_entry(hass, UNREACHABLE_HOST, "000000000001", credentials)
    again = await discover(hass, SOURCE_ZEROCONF, simulator)
    assert again["step_id"] == "discovery_confirm"
    assert [flow["flow_id"] for flow in flows(hass)] == [again["flow_id"]]


async def test_opened_card_kept_when_discovered_again(
    hass: HomeAssistant, simulator: Any, credentials: GroupCredentials
) -> None:
    """A card the person has opened (or is pairing from) is never replaced under them."""
    first = await discover(hass, SOURCE_ZEROCONF, simulator)
    await hass.config_entries.flow.async_configure(first["flow_id"])  # opened
    add_entry(hass, UNREACHABLE_HOST, "000000000001", credentials)
    again = await discover(hass, SOURCE_ZEROCONF, simulator)
    assert again["type"] is FlowResultType.ABORT
    assert again["reason"] == "already_in_progress"
    assert [flow["flow_id"] for flow in flows(hass)] == [first["flow_id"]]


@pytest.mark.parametrize(
    ("source", "info"),
    [
        # The module moved to another address and was reset: its identity tells.
        (SOURCE_ZEROCONF, {"address": "::1"}),
        # Reset at its address: DHCP knows only the address.
        (SOURCE_DHCP, {}),
    ],
)
async def test_configured_appliance_without_a_working_key_is_not_offered(
    hass: HomeAssistant,
    simulator: Any,
    credentials: GroupCredentials,
    source: str,
    info: dict[str, Any],
) -> None:
    entry = add_entry(hass, simulator.host, simulator.device_id, credentials)
    simulator.set_fault("reset")
    result = await discover(hass, source, simulator, **info)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.discovery_keys == {source: (discovery_key(source, simulator),)}
    assert entry.data[CONF_HOST] == simulator.host


async def test_other_module_at_a_configured_address_is_offered(
    hass: HomeAssistant, simulator: Any, credentials: GroupCredentials
) -> None:
    """The address of an entry now announces another module: a new appliance, offered."""
    entry = add_entry(hass, simulator.host, "000000000001", OTHER_KEY)
    result = await discover(hass, SOURCE_ZEROCONF, simulator)
    assert result["step_id"] == "discovered"
    assert entry.discovery_keys == {}


async def test_ignored_card_stays_ignored_once_the_key_is_known(
    hass: HomeAssistant, simulator: Any, credentials: GroupCredentials
) -> None:
    await discover(hass, SOURCE_ZEROCONF, simulator)
    (card,) = flows(hass)
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={
            "source": SOURCE_IGNORE,
            "discovery_key": discovery_key(SOURCE_ZEROCONF, simulator),
        },
        data={"unique_id": card["context"]["unique_id"], "title": "Washer"},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    add_entry(hass, UNREACHABLE_HOST, "000000000001", credentials)
    result = await discover(hass, SOURCE_ZEROCONF, simulator)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert flows(hass) == []


@pytest.mark.parametrize(
    "broken",
    [
        {CONF_GROUP_KEY: "00"},
        {CONF_GROUP_ID: "not hex"},
        {CONF_GROUP_ID: None},
    ],
)
async def test_entry_with_invalid_stored_key_is_skipped(
    hass: HomeAssistant,
    simulator: Any,
    simulator_factory: SimulatorFactory,
    credentials: GroupCredentials,
    broken: dict[str, Any],
) -> None:
    """A damaged entry neither breaks discovery nor pairing; the good keys still serve."""
    damaged = MockConfigEntry(
        domain=DOMAIN,
        title="Damaged",
        unique_id="000000000002",
        data=entry_data(UNREACHABLE_HOST, "000000000002", OTHER_KEY) | broken,
    )
    damaged.add_to_hass(hass)
    add_entry(hass, UNREACHABLE_HOST, "000000000001", credentials)
    result = await discover(hass, SOURCE_ZEROCONF, simulator)
    assert result["step_id"] == "discovery_confirm"
    result = await discover(hass, SOURCE_DHCP, simulator)
    assert result["reason"] == "already_in_progress"
    oven = await simulator_factory("oven", paired=False)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: oven.host}
    )
    options = result["data_schema"].schema["pairing_key"].config["options"]
    assert [option["value"] for option in options] == ["new", credentials.group_id]


async def test_dhcp_rediscovers_once_the_entry_is_removed(
    hass: HomeAssistant, simulator: Any, credentials: GroupCredentials
) -> None:
    """Removing the entry asks Home Assistant's DHCP to discover the MAC again."""
    await discover(hass, SOURCE_DHCP, simulator)
    entry = (await add_by_host(hass, simulator.host, credentials))["result"]
    rediscover: list[ConfigEntry] = []

    @callback
    def removed(entry: ConfigEntry) -> None:
        rediscover.append(entry)

    async_dispatcher_connect(
        hass, signal_discovered_config_entry_removed("dhcp"), removed
    )
    await hass.config_entries.async_remove(entry.entry_id)
    assert [e.discovery_keys["dhcp"] for e in rediscover] == [
        (discovery_key(SOURCE_DHCP, simulator),)
    ]
    result = await discover(hass, SOURCE_DHCP, simulator)
    assert result["step_id"] == "discovered"


def cards_of(hass: HomeAssistant, host: str) -> list[ConfigFlowResult]:
    """The flows of the appliance at `host` (other tests may announce appliances too)."""
    return [
        flow
        for flow in flows(hass)
        if flow["context"].get("title_placeholders", {}).get(CONF_HOST) == host
    ]


async def wait_for_card(hass: HomeAssistant, host: str) -> ConfigFlowResult:
    """Wait (up to 10 s) until Home Assistant's zeroconf offers the appliance at `host`."""
    added = asyncio.Event()
    unsubscribe = hass.config_entries.flow.async_subscribe_flow(
        lambda _event, _flow_id: added.set()
    )
    try:
        async with asyncio.timeout(10):
            while not (cards := cards_of(hass, host)):
                added.clear()
                await added.wait()
    finally:
        unsubscribe()
    (card,) = cards
    return card


async def test_zeroconf_card_gone_once_added_and_back_once_removed(
    hass: HomeAssistant,
    simulator: Any,
    credentials: GroupCredentials,
    advertiser: Advertiser,
) -> None:
    """Home Assistant's own zeroconf over real multicast: gone, stays gone, comes back."""
    assert await async_setup_component(hass, "zeroconf", {})
    await advertiser.advertise(simulator)
    card = await wait_for_card(hass, simulator.host)
    assert card["step_id"] == "discovered"
    entry = (await add_by_host(hass, simulator.host, credentials))["result"]
    assert cards_of(hass, simulator.host) == []
    assert entry.discovery_keys == {"zeroconf": (card["context"]["discovery_key"],)}
    # Reset, it announces a new TXT (no group): discovered again, not offered.
    handled: list[ConfigFlowResult] = []
    done = asyncio.Event()
    real_step = MieleLocalConfigFlow.async_step_zeroconf

    async def observed(flow: MieleLocalConfigFlow, info: ZeroconfServiceInfo) -> Any:
        result = await real_step(flow, info)
        if info.port == simulator.port:
            handled.append(result)
            done.set()
        return result

    with patch.object(MieleLocalConfigFlow, "async_step_zeroconf", observed):
        simulator.set_fault("reset")
        await advertiser.advertise(simulator)
        async with asyncio.timeout(10):
            await done.wait()
    assert {result["reason"] for result in handled} == {"already_configured"}
    assert cards_of(hass, simulator.host) == []
    await hass.config_entries.async_remove(entry.entry_id)
    card = await wait_for_card(hass, simulator.host)
    assert card["step_id"] == "discovered"


@pytest.mark.parametrize(
    ("provisional_id", "address", "host", "same"),
    [
        ("miele-001d63fffea26e3d", "10.0.0.9", "10.0.0.5", True),  # its module, moved
        ("miele-001d63fffe000001", "10.0.0.5", "10.0.0.5", False),  # another module
        ("00:1d:63:a2:6e:3d", "10.0.0.5", "10.0.0.5:80", True),  # MAC: the address
        ("00:1d:63:a2:6e:3d", "[FE80::1]:80", "[fe80::1]", True),
        ("00:1d:63:a2:6e:3d", "10.0.0.5", "10.0.0.5:8080", False),
        ("miele-washer", "10.0.0.5", "not a host/", False),
    ],
)
def test_same_appliance(
    provisional_id: str, address: str, host: str, same: bool
) -> None:
    assert same_appliance(provisional_id, address, "000177753917", host) is same


def test_module_id_of_a_fab_number_without_digits() -> None:
    assert module_id("000177753917") == "miele-001d63fffea26e3d"
    assert module_id("FAB") is None
