"""Push as a doorbell, end to end: simulated appliances push to Home Assistant's listener."""

from __future__ import annotations

import asyncio
from http import HTTPStatus
import socket
import time
from typing import TYPE_CHECKING

import aiohttp
from homeassistant.config_entries import ConfigEntryState
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.miele_local.const import CONF_PUSH, CONF_PUSH_PORT, DOMAIN
from custom_components.miele_local.miele import crypto
from custom_components.miele_local.miele.supervision import (
    LISTENER_DEVICE_TYPE,
    callback_path,
)
from custom_components.miele_local.push import appliance as push_appliance
from custom_components.miele_local.push.hub import get_hub
from simulator.supervision import Answer

from .conftest import SimulatorFactory, entry_data
from .helpers import wait_idle

if TYPE_CHECKING:
    from collections.abc import Callable
    from unittest.mock import MagicMock

    from homeassistant.core import HomeAssistant

    from custom_components.miele_local.miele.credentials import GroupCredentials
    from simulator import SimulatedAppliance

STATUS = "sensor.miele_000177753917_status"
PUSH = "sensor.miele_000177753917_push"
STATE_PATH = "/Devices/000177753917/State"


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
    sim: SimulatedAppliance, creds: GroupCredentials, port: int
) -> MockConfigEntry:
    """A config entry for ``sim`` with push on ``port``."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=f"Miele {sim.device_id}",
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


def state_reads(sim: SimulatedAppliance) -> int:
    """How many State reads the appliance served."""
    return sum(
        1
        for record in sim.requests
        if record.method == "GET" and record.path == STATE_PATH
    )


async def set_up(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await wait_idle(hass)


async def test_push_delivered(
    hass: HomeAssistant,
    simulator: SimulatedAppliance,
    credentials: GroupCredentials,
    zeroconf: MagicMock,
) -> None:
    """A State change reaches Home Assistant within a second, read and verified."""
    port = free_port()
    entry = push_entry(simulator, credentials, port)
    await set_up(hass, entry)
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
) -> None:
    """Fifty forged posts in a burst cost two State reads: one at once, one a second later."""
    port = free_port()
    entry = push_entry(simulator, credentials, port)
    await set_up(hass, entry)
    hub = get_hub(hass)
    before = state_reads(simulator)
    path = callback_path(hub.listener_fab, simulator.device_id, "/State/")
    forged = crypto.format_authorization(credentials.group_id, b"\x01" * 32)
    async with aiohttp.ClientSession() as session:
        for _ in range(50):
            async with session.post(
                f"http://127.0.0.1:{port}{path}",
                data=b"\x00" * 64,
                headers={"Authorization": forged},
            ) as response:
                assert response.status == 204
    await until(lambda: state_reads(simulator) == before + 1)
    await asyncio.sleep(push_appliance.MIN_READ_INTERVAL + 0.3)
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
    credentials: GroupCredentials,
) -> None:
    """A reload stops and restarts the listener: old slots go, new ones deliver."""
    entry = push_entry(simulator, credentials, free_port())
    await set_up(hass, entry)
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
    credentials: GroupCredentials,
) -> None:
    """Removing the entry deletes our slots and hides the peer; Cloud's and others' stay."""
    entry = push_entry(simulator, credentials, free_port())
    await set_up(hass, entry)
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
    credentials: GroupCredentials,
) -> None:
    """Turning push off deletes the slots and shows "off"."""
    entry = push_entry(simulator, credentials, free_port())
    await set_up(hass, entry)
    hass.config_entries.async_update_entry(entry, options={CONF_PUSH: False})
    await hass.config_entries.async_reload(entry.entry_id)
    await wait_idle(hass)
    assert hass.states.get(PUSH).state == "off"
    assert sorted(simulator.supervision.subscriptions) == [1]
    assert entry.state is ConfigEntryState.LOADED


async def test_port_taken(
    hass: HomeAssistant,
    simulator: SimulatedAppliance,
    credentials: GroupCredentials,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A listener port in use leaves push unknown and the appliance polled."""
    with socket.socket() as sock:
        sock.bind(("0.0.0.0", 0))  # noqa: S104
        sock.listen()
        entry = push_entry(simulator, credentials, sock.getsockname()[1])
        await set_up(hass, entry)
    assert entry.state is ConfigEntryState.LOADED
    assert hass.states.get(PUSH).state == "unknown"
    assert "cannot listen on port" in caplog.text
    assert not simulator.supervision.peers


async def test_subscription_retried_after_failure(
    hass: HomeAssistant,
    simulator: SimulatedAppliance,
    credentials: GroupCredentials,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A refused subscription shows unknown and is tried again later."""
    monkeypatch.setattr(push_appliance, "RETRY_DELAY", 0.05)
    answer = simulator.supervision.answer

    def refuse(method: str, parts: tuple[str, ...], body: object) -> Answer | None:
        if "SuperVision" in parts:
            return Answer(HTTPStatus.INTERNAL_SERVER_ERROR)
        return answer(method, parts, body)

    monkeypatch.setattr(simulator.supervision, "answer", refuse)
    entry = push_entry(simulator, credentials, free_port())
    await set_up(hass, entry)
    assert hass.states.get(PUSH).state == "unknown"
    monkeypatch.setattr(simulator.supervision, "answer", answer)
    await until(lambda: hass.states.get(PUSH).state == "silent")
