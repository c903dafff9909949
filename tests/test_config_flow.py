"""Config flow against simulated appliances: user, pair, discovery, reauth, reconfigure."""

from __future__ import annotations

from ipaddress import ip_address
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

from homeassistant.config_entries import (
    SOURCE_DHCP,
    SOURCE_IGNORE,
    SOURCE_USER,
    SOURCE_ZEROCONF,
)
from homeassistant.const import CONF_HOST
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers.service_info.dhcp import DhcpServiceInfo
from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.miele_local.const import (
    CONF_DEVICE_ID,
    CONF_GROUP_ID,
    CONF_GROUP_KEY,
    DOMAIN,
)
from custom_components.miele_local.manager import entry_profile, get_manager
from custom_components.miele_local.pairing import async_read_ident, type_title
from mielelocal.client import MieleClient
from mielelocal.credentials import GroupCredentials
from mielelocal.exceptions import MieleConnectionError

from .conftest import SimulatorFactory, entry_data

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

pytestmark = pytest.mark.usefixtures("socket_enabled")

OTHER_KEY = GroupCredentials.generate()
UNREACHABLE_HOST = "127.0.0.1:9"


def keys(credentials: GroupCredentials) -> dict[str, str]:
    """Form input for a household key."""
    return {
        CONF_GROUP_ID: credentials.group_id,
        CONF_GROUP_KEY: credentials.group_key_hex,
    }


def zeroconf_info(port: int, group: str, devicetype: str = "1") -> ZeroconfServiceInfo:
    """What Home Assistant's zeroconf hands over for an appliance on 127.0.0.1."""
    return ZeroconfServiceInfo(
        ip_address=ip_address("127.0.0.1"),
        ip_addresses=[ip_address("127.0.0.1")],
        port=port,
        hostname="Miele-001D63000001.local.",
        type="_mieleathome._tcp.local.",
        name="Miele-001D63000001._mieleathome._tcp.local.",
        properties={"group": group, "devicetype": devicetype, "pairing": "false"},
    )


def dhcp_info() -> DhcpServiceInfo:
    """A DHCP lease of a device with Miele's MAC prefix on 127.0.0.1."""
    return DhcpServiceInfo(
        ip="127.0.0.1", hostname="miele-washer", macaddress="001d63000001"
    )


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


@pytest.fixture(autouse=True)
def no_setup() -> Any:
    """Config flow tests stop at the entry: its setup is tested in test_init."""
    with patch("custom_components.miele_local.async_setup_entry", return_value=True):
        yield


async def test_user_creates_entry(
    hass: HomeAssistant, simulator: Any, credentials: GroupCredentials
) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: simulator.host, **keys(credentials)}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Miele washing machine"
    assert result["result"].unique_id == simulator.device_id
    assert result["data"] == {
        CONF_HOST: simulator.host,
        CONF_GROUP_ID: credentials.group_id,
        CONF_GROUP_KEY: credentials.group_key_hex,
        CONF_DEVICE_ID: simulator.device_id,
    }


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        ({CONF_HOST: "http://127.0.0.1/"}, {CONF_HOST: "invalid_host"}),
        ({CONF_GROUP_ID: "not-hex"}, {CONF_GROUP_ID: "invalid_group_id"}),
        ({CONF_GROUP_KEY: "ABCD"}, {CONF_GROUP_KEY: "invalid_group_key"}),
        (keys(OTHER_KEY), {"base": "invalid_auth"}),
        ({CONF_HOST: UNREACHABLE_HOST}, {"base": "cannot_connect"}),
    ],
)
async def test_user_errors_then_success(
    hass: HomeAssistant,
    simulator: Any,
    credentials: GroupCredentials,
    change: dict[str, str],
    errors: dict[str, str],
) -> None:
    good = {CONF_HOST: simulator.host, **keys(credentials)}
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], good | change
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    result = await hass.config_entries.flow.async_configure(result["flow_id"], good)
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize(
    ("method", "outcome", "error"),
    [
        ("list_devices", RuntimeError("boom"), "unknown"),
        ("list_devices", [], "cannot_connect"),
    ],
)
async def test_user_unexpected_answers(
    hass: HomeAssistant,
    simulator: Any,
    credentials: GroupCredentials,
    method: str,
    outcome: object,
    error: str,
) -> None:
    good = {CONF_HOST: simulator.host, **keys(credentials)}
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    kwargs = (
        {"side_effect": outcome}
        if isinstance(outcome, Exception)
        else {"return_value": outcome}
    )
    with patch(f"mielelocal.client.MieleClient.{method}", **kwargs):
        result = await hass.config_entries.flow.async_configure(result["flow_id"], good)
    assert result["errors"] == {"base": error}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], good)
    assert result["type"] is FlowResultType.CREATE_ENTRY


async def test_user_already_configured_updates_entry(
    hass: HomeAssistant, simulator: Any, credentials: GroupCredentials
) -> None:
    entry = add_entry(hass, UNREACHABLE_HOST, simulator.device_id, credentials)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: simulator.host, **keys(credentials)}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data[CONF_HOST] == simulator.host


async def test_pair_with_a_new_key(
    hass: HomeAssistant, simulator_factory: SimulatorFactory
) -> None:
    sim = await simulator_factory("oven", paired=False)
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: sim.host}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "pair"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"pairing_key": "new"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Miele oven"
    assert sim.credentials is not None
    assert result["data"][CONF_GROUP_ID] == sim.credentials.group_id
    assert result["data"][CONF_GROUP_KEY] == sim.credentials.group_key_hex


async def test_pair_refused_then_reset_reusing_a_known_key(
    hass: HomeAssistant, simulator: Any, credentials: GroupCredentials
) -> None:
    add_entry(hass, UNREACHABLE_HOST, "000000000001", credentials)
    hass.config_entries.async_update_entry(
        add_entry(hass, "127.0.0.1:10", "000000000002", credentials), title="Dryer"
    )
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_HOST: simulator.host, CONF_GROUP_ID: "", CONF_GROUP_KEY: ""},
    )
    # The known key is offered by the names of the appliances that use it.
    selector = result["data_schema"].schema["pairing_key"]
    assert selector.config["options"][1] == {
        "value": credentials.group_id,
        "label": "Dryer, Existing",
    }
    choice = {"pairing_key": credentials.group_id}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], choice)
    assert result["errors"] == {"base": "already_paired"}
    simulator.set_fault("reset")
    result = await hass.config_entries.flow.async_configure(result["flow_id"], choice)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_GROUP_KEY] == credentials.group_key_hex
    assert simulator.credentials == credentials


async def start_pairing(hass: HomeAssistant, host: str) -> Any:
    """Open the user step and leave the key empty: the flow asks how to pair."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: host}
    )
    assert result["step_id"] == "pair"
    return result


@pytest.mark.parametrize(
    ("fault", "error"), [("offline", "cannot_connect"), ("reset", "invalid_auth")]
)
async def test_pair_retry_after_failed_verification_keeps_the_key(
    hass: HomeAssistant, simulator_factory: SimulatorFactory, fault: str, error: str
) -> None:
    """Commissioning worked but the verifying read failed: the retry must not re-key."""
    sim = await simulator_factory("oven", paired=False)
    result = await start_pairing(hass, sim.host)
    real_commission = MieleClient.commission

    async def commission_then_fault(
        client: MieleClient, credentials: GroupCredentials
    ) -> None:
        await real_commission(client, credentials)
        sim.set_fault(fault)

    with patch.object(MieleClient, "commission", commission_then_fault):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {"pairing_key": "new"}
        )
    assert result["errors"] == {"base": error}
    sim.set_fault("none")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"pairing_key": "new"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert sim.credentials is not None
    assert result["data"][CONF_GROUP_KEY] == sim.credentials.group_key_hex


async def test_pair_retry_after_lost_commissioning_answer(
    hass: HomeAssistant, simulator_factory: SimulatorFactory
) -> None:
    """The appliance took the key but its answer was lost: the retry is refused, yet reads."""
    sim = await simulator_factory("oven", paired=False)
    result = await start_pairing(hass, sim.host)
    real_commission = MieleClient.commission

    async def commission_answer_lost(
        client: MieleClient, credentials: GroupCredentials
    ) -> None:
        await real_commission(client, credentials)
        raise MieleConnectionError("answer lost")

    with patch.object(MieleClient, "commission", commission_answer_lost):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {"pairing_key": "new"}
        )
    assert result["errors"] == {"base": "cannot_connect"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"pairing_key": "new"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert sim.credentials is not None
    assert result["data"][CONF_GROUP_KEY] == sim.credentials.group_key_hex


async def test_pair_refused_twice_by_appliance_of_another_household(
    hass: HomeAssistant, simulator_factory: SimulatorFactory
) -> None:
    sim = await simulator_factory("oven", credentials=OTHER_KEY)
    result = await start_pairing(hass, sim.host)
    for _ in range(2):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {"pairing_key": "new"}
        )
        assert result["errors"] == {"base": "already_paired"}
    assert sim.credentials == OTHER_KEY


async def test_zeroconf_updates_host_of_configured_appliance(
    hass: HomeAssistant, simulator: Any, credentials: GroupCredentials
) -> None:
    entry = add_entry(hass, UNREACHABLE_HOST, simulator.device_id, credentials)
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_ZEROCONF},
        data=zeroconf_info(simulator.port, credentials.group_id),
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data[CONF_HOST] == simulator.host


async def test_zeroconf_confirms_appliance_of_known_household(
    hass: HomeAssistant, simulator: Any, credentials: GroupCredentials
) -> None:
    add_entry(hass, UNREACHABLE_HOST, "000000000001", credentials)
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_ZEROCONF},
        data=zeroconf_info(simulator.port, credentials.group_id.lower()),
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "discovery_confirm"
    assert result["description_placeholders"] == {
        "name": "Miele washing machine",
        CONF_HOST: simulator.host,
        CONF_GROUP_ID: credentials.group_id,
    }
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == simulator.device_id
    assert result["data"][CONF_HOST] == simulator.host


@pytest.mark.parametrize(
    ("wrong", "errors"),
    [
        (keys(OTHER_KEY), {"base": "invalid_auth"}),
        (
            {CONF_GROUP_ID: "0011", CONF_GROUP_KEY: ""},
            {
                CONF_GROUP_ID: "invalid_group_id",
                CONF_GROUP_KEY: "invalid_group_key",
            },
        ),
    ],
)
async def test_zeroconf_unknown_household_asks_for_key(
    hass: HomeAssistant,
    simulator: Any,
    credentials: GroupCredentials,
    wrong: dict[str, str],
    errors: dict[str, str],
) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_ZEROCONF},
        data=zeroconf_info(simulator.port, credentials.group_id),
    )
    assert result["type"] is FlowResultType.MENU
    assert result["description_placeholders"] == {
        "name": "Miele washing machine",
        CONF_HOST: simulator.host,
    }
    # The Discovered card's Add opens the flow by running its current step again.
    reopened = await hass.config_entries.flow.async_configure(result["flow_id"])
    assert reopened["type"] is FlowResultType.MENU
    assert reopened["step_id"] == result["step_id"]
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "discovery_keys"}
    )
    assert result["step_id"] == "discovery_keys"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], wrong)
    assert result["errors"] == errors
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], keys(credentials)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_HOST] == simulator.host
    assert result["result"].unique_id == simulator.device_id


async def test_zeroconf_unpaired_appliance_pairs(
    hass: HomeAssistant, simulator_factory: SimulatorFactory
) -> None:
    sim = await simulator_factory("hood", paired=False)
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_ZEROCONF},
        data=zeroconf_info(sim.port, "", devicetype="18"),
    )
    assert result["type"] is FlowResultType.MENU
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "pair"}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"pairing_key": "new"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Miele hood"
    assert result["result"].unique_id == sim.device_id


@pytest.mark.parametrize(
    ("source", "provisional_id"),
    [(SOURCE_ZEROCONF, "miele-001d63000001"), (SOURCE_DHCP, "00:1d:63:00:00:01")],
)
async def test_ignored_discovery_stays_ignored(
    hass: HomeAssistant, simulator: Any, source: str, provisional_id: str
) -> None:
    info = (
        zeroconf_info(simulator.port, "") if source == SOURCE_ZEROCONF else dhcp_info()
    )
    with patch(
        "custom_components.miele_local.discovery.APPLIANCE_PORT", simulator.port
    ):
        result = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": source}, data=info
        )
        assert result["type"] is FlowResultType.MENU
        (flow,) = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        assert flow["context"]["unique_id"] == provisional_id
        result = await hass.config_entries.flow.async_init(
            DOMAIN,
            context={"source": SOURCE_IGNORE},
            data={"unique_id": provisional_id, "title": "Washer"},
        )
        assert result["type"] is FlowResultType.CREATE_ENTRY
        assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        result = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": source}, data=info
        )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_zeroconf_of_reset_appliance_aborts_without_touching_the_entry(
    hass: HomeAssistant, simulator: Any, credentials: GroupCredentials
) -> None:
    """A reset appliance advertises no group: matched by host; the loaded entry is untouched."""
    entry = add_entry(hass, simulator.host, simulator.device_id, credentials)
    simulator.set_fault("reset")
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_ZEROCONF},
        data=zeroconf_info(simulator.port, ""),
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    manager = get_manager(hass)
    client = await manager.get_client(simulator.device_id, entry_profile(entry))
    resetter = manager.get_device_resetter()
    assert await resetter.detect_factory_reset(client, simulator.device_id)
    evidence = resetter.last_evidence(simulator.device_id)
    assert evidence is not None
    assert evidence.advertised_group is None  # discovery fed no runtime state


@pytest.mark.parametrize("second_source", [SOURCE_ZEROCONF, SOURCE_DHCP])
async def test_same_host_discovered_twice_is_one_flow(
    hass: HomeAssistant, simulator: Any, second_source: str
) -> None:
    """Found again by mDNS (same host name) or DHCP (other id, same host): one flow."""
    first = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_ZEROCONF},
        data=zeroconf_info(simulator.port, ""),
    )
    assert first["type"] is FlowResultType.MENU
    again = (
        zeroconf_info(simulator.port, "")
        if second_source == SOURCE_ZEROCONF
        else dhcp_info()
    )
    with patch(
        "custom_components.miele_local.discovery.APPLIANCE_PORT", simulator.port
    ):
        second = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": second_source}, data=again
        )
    assert second["type"] is FlowResultType.ABORT
    assert second["reason"] == "already_in_progress"


async def test_dhcp_updates_host_of_configured_appliance(
    hass: HomeAssistant, simulator: Any, credentials: GroupCredentials
) -> None:
    entry = add_entry(hass, UNREACHABLE_HOST, simulator.device_id, credentials)
    with patch(
        "custom_components.miele_local.discovery.APPLIANCE_PORT", simulator.port
    ):
        result = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": SOURCE_DHCP}, data=dhcp_info()
        )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data[CONF_HOST] == simulator.host


async def test_dhcp_unknown_appliance_offers_setup(
    hass: HomeAssistant, simulator: Any, credentials: GroupCredentials
) -> None:
    add_entry(hass, UNREACHABLE_HOST, "000000000001", OTHER_KEY)
    with patch(
        "custom_components.miele_local.discovery.APPLIANCE_PORT", simulator.port
    ):
        result = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": SOURCE_DHCP}, data=dhcp_info()
        )
    assert result["type"] is FlowResultType.MENU
    assert result["description_placeholders"] == {
        "name": "miele-washer",
        CONF_HOST: simulator.host,
    }


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        ({CONF_GROUP_KEY: "12"}, {CONF_GROUP_KEY: "invalid_group_key"}),
        (keys(OTHER_KEY), {"base": "invalid_auth"}),
    ],
)
async def test_reauth_errors_then_new_key(
    hass: HomeAssistant,
    simulator: Any,
    credentials: GroupCredentials,
    change: dict[str, str],
    errors: dict[str, str],
) -> None:
    entry = add_entry(hass, simulator.host, simulator.device_id, OTHER_KEY)
    result = await entry.start_reauth_flow(hass)
    assert result["type"] is FlowResultType.MENU
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "reauth_confirm"}
    )
    assert result["step_id"] == "reauth_confirm"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], keys(credentials) | change
    )
    assert result["errors"] == errors
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], keys(credentials)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data[CONF_GROUP_KEY] == credentials.group_key_hex


async def test_reconfigure_host_keeps_stored_key(
    hass: HomeAssistant, simulator: Any, credentials: GroupCredentials
) -> None:
    entry = add_entry(hass, UNREACHABLE_HOST, simulator.device_id, credentials)
    result = await entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_HOST: "bad host", CONF_GROUP_ID: credentials.group_id},
    )
    assert result["errors"] == {CONF_HOST: "invalid_host"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {CONF_HOST: simulator.host, CONF_GROUP_ID: credentials.group_id},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data == entry_data(simulator.host, simulator.device_id, credentials)


async def test_reconfigure_to_another_appliance_aborts(
    hass: HomeAssistant,
    simulator: Any,
    simulator_factory: SimulatorFactory,
    credentials: GroupCredentials,
) -> None:
    other = await simulator_factory("dishwasher", credentials=credentials)
    entry = add_entry(hass, simulator.host, simulator.device_id, credentials)
    result = await entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: other.host, **keys(credentials)}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_device"
    assert entry.data[CONF_HOST] == simulator.host


async def test_pool_slot_is_keyed_by_validated_host(
    hass: HomeAssistant, simulator: Any, credentials: GroupCredentials
) -> None:
    """A stored host with stray blanks shares the poller's slot (one request at a time)."""
    pool = get_manager(hass).get_connection_pool()
    real_slot = pool.slot
    slot_hosts: list[str] = []

    def observing_slot(host: str) -> Any:
        slot_hosts.append(host)
        return real_slot(host)

    with patch.object(pool, "slot", observing_slot):
        ident = await async_read_ident(hass, f" {simulator.host} ", credentials)
    assert ident.fab_number == simulator.device_id
    assert slot_hosts
    assert set(slot_hosts) == {simulator.host}


@pytest.mark.parametrize(
    ("code", "title"),
    [
        ("1", "Miele washing machine"),
        (21, "Miele fridge freezer"),
        ("999", "Miele appliance"),
        (None, "Miele appliance"),
    ],
)
def test_type_title(code: object, title: str) -> None:
    assert type_title(code) == title
