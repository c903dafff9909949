"""Push as a doorbell, end to end: simulated appliances push to Home Assistant's listener."""

from __future__ import annotations

import asyncio
from http import HTTPStatus
from ipaddress import ip_address
import logging
import socket
import time
from typing import TYPE_CHECKING
from unittest.mock import patch

import aiohttp
from homeassistant.config_entries import SOURCE_ZEROCONF, ConfigEntryState
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo
from homeassistant.helpers.translation import async_get_translations
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.miele_local.const import CONF_PUSH, CONF_PUSH_PORT, DOMAIN
from custom_components.miele_local.push import (
    appliance as push_appliance,
    port_issue_id,
)
from custom_components.miele_local.push.hub import get_hub
from mielelocal import crypto
from mielelocal.doorbell import MIN_READ_INTERVAL
from mielelocal.supervision import LISTENER_DEVICE_TYPE, PushEvidence, callback_path
from simulator.supervision import Answer

from .conftest import TEST_FAB_NUMBER, SimulatorFactory, entry_data
from .helpers import wait_idle

if TYPE_CHECKING:
    from collections.abc import Callable
    from unittest.mock import MagicMock

    from homeassistant.core import HomeAssistant

    from mielelocal.credentials import GroupCredentials
    from simulator import SimulatedAppliance

STATUS = "sensor.miele_000177753917_status"
PUSH = "sensor.miele_000177753917_push"
WASHER_PUSH = "sensor.washer_push"
"""The push sensor of an entry titled "Washer" (a title without the serial number)."""
STATE_PATH = "/Devices/000177753917/State"

# The push sensor is disabled by default (tests/test_sensor.py); these tests read it.
pytestmark = pytest.mark.usefixtures("entity_registry_enabled_by_default")


@pytest.fixture(autouse=True)
def zeroconf(mock_async_zeroconf: MagicMock) -> MagicMock:
    """Multicast cannot run here: Home Assistant's zeroconf instance is a mock."""
    return mock_async_zeroconf


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def push_entry(
    sim: SimulatedAppliance,
    creds: GroupCredentials,
    port: int,
    title: str | None = None,
) -> MockConfigEntry:
    """A config entry for ``sim`` with push on ``port`` (titled after its serial)."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=title or f"Miele {sim.device_id}",
        unique_id=sim.device_id,
        data=entry_data(sim.host, sim.device_id, creds),
        options={CONF_PUSH: True, CONF_PUSH_PORT: port},
        version=1,
    )


async def until(check: Callable[[], bool], within: float = 3.0) -> float:
    """Wait until ``check()`` holds; return the seconds it took (fails after ``within``)."""
    start = time.monotonic()
    while not check():
        assert time.monotonic() - start < within, "condition not met in time"
        await asyncio.sleep(0.01)
    return time.monotonic() - start


def logged(caplog: pytest.LogCaptureFixture, text: str) -> list[int]:
    """The levels of the log records whose message contains ``text``."""
    return [r.levelno for r in caplog.records if text in r.getMessage()]


def serial_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The integration's log lines (info and above) that show the serial number."""
    return [
        record.getMessage()
        for record in caplog.records
        if record.name.startswith("custom_components.miele_local")
        and record.levelno >= logging.INFO
        and TEST_FAB_NUMBER in record.getMessage()
    ]


def state_reads(sim: SimulatedAppliance) -> int:
    """How many State reads the appliance served."""
    return sum(
        1
        for record in sim.requests
        if record.method == "GET" and record.path == STATE_PATH
    )


def refuse_supervision(
    sim: SimulatedAppliance, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Make ``sim`` answer 500 to SuperVision and subscription requests."""
    answer = sim.supervision.answer

    def refuse(method: str, parts: tuple[str, ...], body: object) -> Answer | None:
        reply = answer(method, parts, body)
        return None if reply is None else Answer(HTTPStatus.INTERNAL_SERVER_ERROR)

    monkeypatch.setattr(sim.supervision, "answer", refuse)


@pytest.fixture
def port() -> int:
    """The push listener port of the ``entry`` fixture."""
    return free_port()


@pytest.fixture
async def entry(
    hass: HomeAssistant,
    simulator: SimulatedAppliance,
    credentials: GroupCredentials,
    port: int,
) -> MockConfigEntry:
    """The simulated appliance set up with push on ``port``, subscribed."""
    push_on = push_entry(simulator, credentials, port)
    await set_up(hass, push_on)
    return push_on


async def post(port: int, path: str, group_id: str, times: int = 1) -> list[int]:
    """Post ``times`` forged pushes (no valid signature) to the listener; the statuses."""
    auth = crypto.format_authorization(group_id, b"\x01" * 32)
    statuses = []
    async with aiohttp.ClientSession() as session:
        for _ in range(times):
            async with session.post(
                f"http://127.0.0.1:{port}{path}",
                data=b"\x00" * 64,
                headers={"Authorization": auth},
            ) as response:
                statuses.append(response.status)
    return statuses


async def set_up(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await wait_idle(hass)


async def test_push_delivered(
    hass: HomeAssistant,
    simulator: SimulatedAppliance,
    credentials: GroupCredentials,
    zeroconf: MagicMock,
    entry: MockConfigEntry,
    port: int,
) -> None:
    """A State change reaches Home Assistant within a second, read and verified."""
    assert hass.states.get(PUSH).state == "silent"
    assert len(simulator.supervision.subscriptions) == 5  # Cloud + 4 resources
    info = zeroconf.async_register_service.call_args.args[0]
    assert info.port == port
    assert info.properties[b"group"] == credentials.group_id.encode()
    assert info.properties[b"devicetype"] == str(LISTENER_DEVICE_TYPE).encode()

    simulator.update_state(Status=6)
    delay = await until(lambda: hass.states.get(STATUS).state == "pause")
    assert delay < 1.0
    assert hass.states.get(PUSH).state == "active"
    coordinator = entry.runtime_data.coordinator
    assert coordinator.push_active
    probes = [d for d in simulator.supervision.deliveries if d.method == "GET"]
    assert [d.verified for d in probes] == [True, True]
    diagnostics = entry.runtime_data.push.diagnostics()
    assert diagnostics["pushes_received"] >= 1
    assert diagnostics["pushes_decrypted"] == diagnostics["pushes_received"]
    assert diagnostics["pushes_signature_verified"] == diagnostics["pushes_received"]


async def test_push_flood_is_rate_limited(
    hass: HomeAssistant,
    simulator: SimulatedAppliance,
    credentials: GroupCredentials,
    entry: MockConfigEntry,
    port: int,
) -> None:
    """Fifty forged posts in a burst cost two State reads: one at once, one a second later."""
    hub = get_hub(hass)
    before = state_reads(simulator)
    path = callback_path(hub.listener_fab, simulator.device_id, "/State/")
    assert await post(port, path, credentials.group_id, 50) == [204] * 50
    await until(lambda: state_reads(simulator) == before + 1)
    await asyncio.sleep(MIN_READ_INTERVAL + 0.3)
    await wait_idle(hass)
    assert state_reads(simulator) == before + 2
    diagnostics = entry.runtime_data.push.diagnostics()
    assert diagnostics["pushes_received"] == 50
    assert diagnostics["pushes_decrypted"] == 0
    assert diagnostics["reads_triggered"] == 2


async def test_appliance_without_supervision(
    hass: HomeAssistant,
    simulator_factory: SimulatorFactory,
    credentials: GroupCredentials,
) -> None:
    """An appliance answering 404 shows "unsupported"; polling goes on as before."""
    sim = await simulator_factory(
        "washer", credentials=credentials, fab_number="000177753917", supervision=False
    )
    entry = push_entry(sim, credentials, free_port())
    await set_up(hass, entry)
    assert hass.states.get(PUSH).state == "unsupported"
    assert not entry.runtime_data.coordinator.push_active
    assert [r.method for r in sim.requests if "SuperVision" in r.path] == ["PUT"]
    assert not any("Subscriptions" in r.path for r in sim.requests)
    reads = state_reads(sim)
    await entry.runtime_data.coordinator.async_refresh()
    assert state_reads(sim) == reads + 1


async def test_listener_restart_resubscribes(
    hass: HomeAssistant,
    simulator: SimulatedAppliance,
    entry: MockConfigEntry,
) -> None:
    """A reload stops and restarts the listener: old slots go, new ones deliver."""
    first = sorted(simulator.supervision.subscriptions)
    assert first == [1, 2, 3, 4, 5]
    await hass.config_entries.async_reload(entry.entry_id)
    await wait_idle(hass)
    assert sorted(simulator.supervision.subscriptions) == [1, 6, 7, 8, 9]
    assert get_hub(hass).slots(simulator.device_id) == [6, 7, 8, 9]
    simulator.update_state(Status=6)
    await until(lambda: hass.states.get(STATUS).state == "pause")


async def test_removal_deletes_own_slots_only(
    hass: HomeAssistant,
    simulator: SimulatedAppliance,
    entry: MockConfigEntry,
) -> None:
    """Removing the entry deletes our slots and hides the peer; Cloud's and others' stay."""
    # Another appliance's subscription, created after ours.
    simulator.supervision.subscriptions[42] = {
        "Resource": "/Devices/000177753917/State/",
        "Callback": "http://Miele-001D63FFFE000001.local.:18082/Devices/000999000002/"
        "SuperVision/000177753917/State/",
    }
    listener_fab = get_hub(hass).listener_fab
    await hass.config_entries.async_remove(entry.entry_id)
    await wait_idle(hass)
    assert sorted(simulator.supervision.subscriptions) == [1, 42]
    assert simulator.supervision.subscriptions[1]["Callback"] == "Cloud"
    assert simulator.supervision.peers[listener_fab] == {"Show": False, "Signal": False}
    assert get_hub(hass).slots(simulator.device_id) == []


async def test_push_turned_off_withdraws(
    hass: HomeAssistant,
    simulator: SimulatedAppliance,
    entry: MockConfigEntry,
) -> None:
    """Turning push off deletes the slots and shows "off"."""
    hass.config_entries.async_update_entry(entry, options={CONF_PUSH: False})
    await hass.config_entries.async_reload(entry.entry_id)
    await wait_idle(hass)
    assert hass.states.get(PUSH).state == "off"
    assert sorted(simulator.supervision.subscriptions) == [1]
    assert entry.state is ConfigEntryState.LOADED


async def test_port_taken(
    hass: HomeAssistant,
    issue_registry: ir.IssueRegistry,
    simulator: SimulatedAppliance,
    credentials: GroupCredentials,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A listener port in use: push unknown, the appliance polled, a repair names the port."""
    with socket.socket() as sock:
        sock.bind(("0.0.0.0", 0))  # noqa: S104
        sock.listen()
        port = sock.getsockname()[1]
        entry = push_entry(simulator, credentials, port, title="Washer")
        await set_up(hass, entry)
        assert entry.state is ConfigEntryState.LOADED
        assert hass.states.get(WASHER_PUSH).state == "unknown"
        assert "Washer: push listener cannot listen on port" in caplog.text
        assert not simulator.supervision.peers
        issue = issue_registry.async_get_issue(DOMAIN, port_issue_id(entry.entry_id))
        assert issue is not None
        assert not issue.is_fixable
        assert issue.severity is ir.IssueSeverity.WARNING
        assert issue.translation_key == "push_port_in_use"
        assert issue.translation_placeholders == {"name": "Washer", "port": str(port)}
        for language in ("en", "de", "fr", "nl", "it"):
            texts = await async_get_translations(hass, language, "issues", [DOMAIN])
            for part in ("title", "description"):
                text = texts[f"component.{DOMAIN}.issues.push_port_in_use.{part}"]
                assert str(port) in text.format(**issue.translation_placeholders)

        # Still taken at a reload: the issue is raised again.
        await hass.config_entries.async_reload(entry.entry_id)
        await wait_idle(hass)
        assert issue_registry.async_get_issue(DOMAIN, port_issue_id(entry.entry_id))

    # The port is free: the listener binds, the issue goes and push works.
    await hass.config_entries.async_reload(entry.entry_id)
    await wait_idle(hass)
    assert get_hub(hass).port == port
    assert issue_registry.async_get_issue(DOMAIN, port_issue_id(entry.entry_id)) is None
    assert hass.states.get(WASHER_PUSH).state == "silent"


async def test_unreachable_appliance_logs_once_each_way(
    hass: HomeAssistant,
    simulator: SimulatedAppliance,
    credentials: GroupCredentials,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """
    Failed subscriptions retried every 5 minutes log once, at info, and once when back.

    No log line names the serial number (FabNumber), though the failed requests' paths
    hold it: the entry title names the appliance.
    """
    caplog.set_level(logging.DEBUG, logger="custom_components.miele_local")
    monkeypatch.setattr(push_appliance, "RETRY_DELAY", 0.05)
    answer = simulator.supervision.answer
    refuse_supervision(simulator, monkeypatch)
    entry = push_entry(simulator, credentials, free_port(), title="Washer")
    await set_up(hass, entry)
    push = entry.runtime_data.push
    failed, back = "Washer: push subscription failed", "Washer: push subscription works"
    await until(lambda: len(logged(caplog, failed)) >= 4)
    assert logged(caplog, failed)[0] == logging.INFO
    assert set(logged(caplog, failed)[1:]) == {logging.DEBUG}
    monkeypatch.setattr(simulator.supervision, "answer", answer)
    await until(lambda: push.state == "silent")
    assert logged(caplog, back) == [logging.INFO]
    assert not serial_logged(caplog)

    # Unreachable: a new streak logs once more, and once more when it ends.
    caplog.clear()
    simulator.set_fault("offline")
    push.resubscribe()
    await until(lambda: len(logged(caplog, failed)) >= 4)
    assert push.state is None
    assert logged(caplog, failed)[0] == logging.INFO
    assert set(logged(caplog, failed)[1:]) == {logging.DEBUG}
    simulator.set_fault("none")
    await until(lambda: push.state == "silent")
    await asyncio.sleep(0.2)  # no retry is left running
    assert logged(caplog, back) == [logging.INFO]
    assert logged(caplog, failed).count(logging.INFO) == 1

    await hass.config_entries.async_unload(entry.entry_id)
    simulator.set_fault("offline")
    await hass.config_entries.async_remove(entry.entry_id)
    await wait_idle(hass)
    assert logged(caplog, "push subscriptions not removed") == [logging.WARNING]
    assert not serial_logged(caplog)


async def test_subscription_retried_after_failure(
    hass: HomeAssistant,
    simulator: SimulatedAppliance,
    credentials: GroupCredentials,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A refused subscription shows unknown and is tried again later."""
    monkeypatch.setattr(push_appliance, "RETRY_DELAY", 0.05)
    answer = simulator.supervision.answer
    refuse_supervision(simulator, monkeypatch)
    entry = push_entry(simulator, credentials, free_port())
    await set_up(hass, entry)
    assert hass.states.get(PUSH).state == "unknown"
    # A push while no subscription stands still rings the doorbell.
    push = entry.runtime_data.push
    push.ring(PushEvidence(decrypted=False, signature_verified=False))
    await until(lambda: push.reads == 1)
    assert hass.states.get(PUSH).state == "unknown"
    monkeypatch.setattr(simulator.supervision, "answer", answer)
    await until(lambda: hass.states.get(PUSH).state == "silent")


async def test_two_appliances_share_one_listener(
    hass: HomeAssistant,
    simulator_factory: SimulatorFactory,
    credentials: GroupCredentials,
    zeroconf: MagicMock,
) -> None:
    """One listener serves both; a new port moves it and resubscribes the other appliance."""
    washer = await simulator_factory("washer", credentials=credentials)
    dryer = await simulator_factory("tumble_dryer", credentials=credentials)
    first, second = free_port(), free_port()
    washer_entry = push_entry(washer, credentials, first)
    dryer_entry = push_entry(dryer, credentials, first)
    await set_up(hass, washer_entry)
    await set_up(hass, dryer_entry)
    hub = get_hub(hass)
    assert hub.port == first
    assert (
        len(washer.supervision.subscriptions)
        == len(dryer.supervision.subscriptions)
        == 5
    )
    # Advertised once per GroupID, whatever the number of appliances.
    assert zeroconf.async_register_service.call_count == 2  # re-advertised on attach
    assert zeroconf.async_unregister_service.call_count == 1

    hass.config_entries.async_update_entry(
        dryer_entry, options={CONF_PUSH: True, CONF_PUSH_PORT: second}
    )
    await hass.config_entries.async_reload(dryer_entry.entry_id)
    await wait_idle(hass)
    assert hub.port == second
    assert hub.slots(washer.device_id) == [6, 7, 8, 9]
    assert all(
        f":{second}/" in str(slot["Callback"])
        for number, slot in washer.supervision.subscriptions.items()
        if number > 1
    )
    washer.update_state(Status=6)
    await until(lambda: washer_entry.runtime_data.push.reads >= 1)

    # Posts naming an unknown appliance, or signed for another household, ring nothing.
    path = callback_path(hub.listener_fab, "000100009999", "/State/")
    assert await post(second, path, credentials.group_id) == [204]
    assert await post(second, path, "FEDCBA9876543210") == [403]

    # A port in use: the dryer goes without push, the listener stays where it was.
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))  # noqa: S104
        taken.listen()
        hass.config_entries.async_update_entry(
            dryer_entry,
            options={CONF_PUSH: True, CONF_PUSH_PORT: taken.getsockname()[1]},
        )
        await hass.config_entries.async_reload(dryer_entry.entry_id)
        await wait_idle(hass)
    assert hub.port == second
    assert dryer_entry.runtime_data.push.state is None
    issues = ir.async_get(hass)
    assert issues.async_get_issue(DOMAIN, port_issue_id(dryer_entry.entry_id))
    assert not issues.async_get_issue(DOMAIN, port_issue_id(washer_entry.entry_id))
    reads = washer_entry.runtime_data.push.reads
    washer.update_state(Status=5)
    await until(lambda: washer_entry.runtime_data.push.reads > reads)

    await hass.config_entries.async_unload(dryer_entry.entry_id)
    assert not issues.async_get_issue(DOMAIN, port_issue_id(dryer_entry.entry_id))
    assert hub.port == second  # still serving the washer
    await hass.config_entries.async_unload(washer_entry.entry_id)
    assert hub.port == 0


async def test_unload_cancels_a_pending_read(
    hass: HomeAssistant,
    simulator: SimulatedAppliance,
    credentials: GroupCredentials,
    entry: MockConfigEntry,
    port: int,
) -> None:
    """A read the rate limit postponed is dropped when the entry unloads."""
    push = entry.runtime_data.push
    path = callback_path(get_hub(hass).listener_fab, simulator.device_id, "/State/")
    await post(port, path, credentials.group_id, 2)
    await until(lambda: push.reads == 1)
    await hass.config_entries.async_unload(entry.entry_id)
    await asyncio.sleep(MIN_READ_INTERVAL + 0.2)
    assert push.reads == 1


async def test_removal_while_unreachable_forgets_the_slots(
    hass: HomeAssistant,
    simulator: SimulatedAppliance,
    caplog: pytest.LogCaptureFixture,
    entry: MockConfigEntry,
) -> None:
    """An appliance that cannot be reached keeps its slots; we forget them and say so."""
    await hass.config_entries.async_unload(entry.entry_id)
    simulator.set_fault("offline")
    await hass.config_entries.async_remove(entry.entry_id)
    await wait_idle(hass)
    assert "push subscriptions not removed" in caplog.text
    assert get_hub(hass).slots(simulator.device_id) == []
    assert len(simulator.supervision.subscriptions) == 5


async def test_removal_without_push(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: SimulatedAppliance,
) -> None:
    """No slots, no request."""
    before = simulator.requests.total
    await hass.config_entries.async_remove(init_integration.entry_id)
    await wait_idle(hass)
    assert simulator.requests.total == before
    assert hass.states.get(PUSH) is None


async def test_withdrawal_refused_keeps_the_slots(
    hass: HomeAssistant,
    simulator: SimulatedAppliance,
    monkeypatch: pytest.MonkeyPatch,
    entry: MockConfigEntry,
) -> None:
    """Push turned off while the appliance refuses: the slots stay remembered."""
    refuse_supervision(simulator, monkeypatch)
    hass.config_entries.async_update_entry(entry, options={CONF_PUSH: False})
    await hass.config_entries.async_reload(entry.entry_id)
    await wait_idle(hass)
    assert get_hub(hass).slots(simulator.device_id) == [2, 3, 4, 5]
    assert hass.states.get(PUSH).state == "off"


async def test_removal_of_an_invalid_entry(
    hass: HomeAssistant, simulator: SimulatedAppliance, credentials: GroupCredentials
) -> None:
    """An entry whose stored key is unusable is removed without touching the appliance."""
    entry = push_entry(simulator, credentials, free_port())
    entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        entry, data={**entry.data, "group_key": "not hex"}
    )
    await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_ERROR
    await hass.config_entries.async_remove(entry.entry_id)
    await wait_idle(hass)
    assert simulator.requests.total == 0


async def test_own_listener_is_not_discovered(hass: HomeAssistant) -> None:
    """Our own advertisement (the sentinel devicetype) never offers a setup."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_ZEROCONF},
        data=ZeroconfServiceInfo(
            ip_address=ip_address("127.0.0.1"),
            ip_addresses=[ip_address("127.0.0.1")],
            port=18082,
            hostname="Miele-001D63FFFEE69EC1.local.",
            type="_mieleathome._tcp.local.",
            name="Home Assistant 000999000001-1._mieleathome._tcp.local.",
            properties={"group": "0123456789ABCDEF", "devicetype": "2147483647"},
        ),
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "push_listener"


async def test_missed_push_stops_the_back_off(
    hass: HomeAssistant,
    zeroconf: MagicMock,
    simulator: SimulatedAppliance,
    credentials: GroupCredentials,
    monkeypatch: pytest.MonkeyPatch,
    entry: MockConfigEntry,
    port: int,
) -> None:
    """A Status change found by a poll with no push before it: pushes no longer arrive."""
    coordinator = entry.runtime_data.coordinator
    simulator.update_state(Status=6)
    await until(lambda: hass.states.get(PUSH).state == "active")
    await until(lambda: hass.states.get(STATUS).state == "pause")
    # The appliance forgets its subscriptions (as after a power cut).
    simulator.supervision.subscriptions = {
        1: {"Resource": "/Devices/", "Callback": "Cloud"}
    }
    monkeypatch.setattr(push_appliance, "MISSED_WINDOW", 0.1)
    registered = zeroconf.async_register_service.call_count
    simulator.update_state(Status=5)
    await coordinator.async_refresh()
    assert hass.states.get(STATUS).state == "running"
    assert hass.states.get(PUSH).state == "active"  # a push may still be on its way
    await until(lambda: hass.states.get(PUSH).state == "silent")
    assert not coordinator.push_active
    # Recovery: advertised again, the stale slots withdrawn, subscribed anew; pushes resume.
    await wait_idle(hass)
    assert hass.states.get(PUSH).state == "silent"
    assert zeroconf.async_register_service.call_count == registered + 1
    assert sorted(simulator.supervision.subscriptions) == [1, 6, 7, 8, 9]
    simulator.update_state(Status=6)
    await until(lambda: hass.states.get(STATUS).state == "pause")
    assert hass.states.get(PUSH).state == "active"
    # A second miss within the recovery floor only shows "silent".
    simulator.supervision.subscriptions = {
        1: {"Resource": "/Devices/", "Callback": "Cloud"}
    }
    simulator.update_state(Status=5)
    await coordinator.async_refresh()
    await until(lambda: hass.states.get(PUSH).state == "silent")
    await wait_idle(hass)
    # A push that trails the read which found its change is not a miss.
    simulator.update_state(Status=6)
    await coordinator.async_refresh()
    path = callback_path(get_hub(hass).listener_fab, simulator.device_id, "/State/")
    assert await post(port, path, credentials.group_id) == [204]
    await asyncio.sleep(push_appliance.MISSED_WINDOW + 0.05)
    assert hass.states.get(PUSH).state == "active"
    assert sorted(simulator.supervision.subscriptions) == [1]


async def test_listener_closes_when_home_assistant_stops(
    hass: HomeAssistant,
    simulator: SimulatedAppliance,
    entry: MockConfigEntry,
    port: int,
) -> None:
    await hass.async_stop()
    assert get_hub(hass).port == 0
    with socket.socket() as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0


async def test_subscriptions_never_overlap(
    hass: HomeAssistant, simulator: SimulatedAppliance, entry: MockConfigEntry
) -> None:
    """Two subscriptions asked at once run one after the other: one set of slots remains."""
    push = entry.runtime_data.push
    await asyncio.gather(push.async_subscribe(), push.async_subscribe())
    assert sorted(simulator.supervision.subscriptions) == [1, 10, 11, 12, 13]
    assert get_hub(hass).slots(simulator.device_id) == [10, 11, 12, 13]


async def test_listener_is_announced_on_the_addresses_home_assistant_chose(
    hass: HomeAssistant,
    simulator: SimulatedAppliance,
    credentials: GroupCredentials,
    zeroconf: MagicMock,
    port: int,
) -> None:
    """
    Report C11 (ha-miele-at-lan #45): an unreachable announced address silences pushes.

    The listener is announced on the addresses chosen in Home Assistant's network settings
    (Settings > System > Network), so a container's internal address can be replaced there.
    """
    with patch(
        "custom_components.miele_local.push.hub.network.async_get_announce_addresses",
        return_value=["192.0.2.7", "2001:db8::7"],
    ):
        await set_up(hass, push_entry(simulator, credentials, port))
    info = zeroconf.async_register_service.call_args.args[0]
    assert sorted(info.parsed_addresses()) == ["192.0.2.7", "2001:db8::7"]


async def test_no_subscription_with_a_refused_key(
    hass: HomeAssistant,
    simulator: SimulatedAppliance,
    credentials: GroupCredentials,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """While the appliance refuses the key, the subscription waits: nothing is sent."""
    monkeypatch.setattr(push_appliance, "RETRY_DELAY", 0.05)
    entry = push_entry(simulator, credentials, free_port())
    await set_up(hass, entry)
    simulator.set_fault("reset")
    await entry.runtime_data.coordinator.async_refresh()
    await wait_idle(hass)
    assert entry.runtime_data.coordinator.refused is not None
    before = simulator.requests.total

    entry.runtime_data.push.resubscribe()
    await asyncio.sleep(0.3)  # several retry delays
    await wait_idle(hass)

    assert simulator.requests.total == before
