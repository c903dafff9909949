"""The Wi-Fi signal sensor: a slow second coordinator over ``/WLAN/``, each read counted."""

from __future__ import annotations

from datetime import timedelta
import json
from typing import TYPE_CHECKING

from homeassistant.components.diagnostics import REDACTED
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_UNAVAILABLE, Platform
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)

from custom_components.miele_local.wlan import WLAN_INTERVAL
from simulator import documents

from .helpers import coordinator_of, poll, wait_idle

if TYPE_CHECKING:
    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry
    from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

    from simulator import SimulatedAppliance

WIFI = "sensor.miele_000177753917_wi_fi_signal"

pytestmark = pytest.mark.usefixtures("frozen_start", "frozen_sleep")


@pytest.fixture
def platforms() -> list[Platform]:
    """Set up only the sensor platform."""
    return [Platform.SENSOR]


def wlan_reads(simulator: SimulatedAppliance) -> int:
    """How many ``/WLAN/`` requests the module received."""
    return sum(record.path == "/WLAN/" for record in simulator.requests)


async def let_pass(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, times: int = 1
) -> None:
    """Let `WLAN_INTERVAL` pass `times` times, every timer due running."""
    for _ in range(times):
        freezer.tick(WLAN_INTERVAL)
        async_fire_time_changed(hass)
        await wait_idle(hass)


def test_interval() -> None:
    """Five minutes: the signal drifts slowly; next to State polling it is negligible."""
    assert timedelta(seconds=300) == WLAN_INTERVAL


async def test_disabled_sensor_reads_nothing(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    entity_registry: er.EntityRegistry,
    simulator: SimulatedAppliance,
    init_integration: MockConfigEntry,
) -> None:
    """Disabled by default: zero reads; enabled, one read at once, then one per interval."""
    registered = entity_registry.async_get(WIFI)
    assert registered is not None
    assert registered.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    assert registered.unique_id == f"{simulator.device_id}-wifi_signal"
    assert init_integration.runtime_data.wlan.update_interval == WLAN_INTERVAL
    await let_pass(hass, freezer, 3)
    assert wlan_reads(simulator) == 0

    entity_registry.async_update_entity(WIFI, disabled_by=None)
    await poll(hass, freezer, timedelta(seconds=31))  # Home Assistant reloads the entry
    assert init_integration.state is ConfigEntryState.LOADED
    assert wlan_reads(simulator) == 1
    state = hass.states.get(WIFI)
    assert state.state == "-61"
    assert state.attributes["unit_of_measurement"] == "dBm"
    assert state.attributes["device_class"] == "signal_strength"

    await let_pass(hass, freezer)
    assert wlan_reads(simulator) == 2
    assert simulator.max_concurrent == 1


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.parametrize("fault", ["sleep", "offline", "reset"])
async def test_no_read_while_the_appliance_is_quiet(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatedAppliance,
    init_integration: MockConfigEntry,
    fault: str,
) -> None:
    """Asleep, unreachable or its key refused: the last value stays, nothing is sent."""
    assert wlan_reads(simulator) == 1
    simulator.wake_delay = 3600  # a module that does not wake up
    simulator.set_fault(fault)
    await poll(hass, freezer)
    coordinator = coordinator_of(init_integration)
    assert not coordinator.last_update_success or coordinator.paused

    await let_pass(hass, freezer, 3)
    assert wlan_reads(simulator) == 1
    assert hass.states.get(WIFI).state == "-61"

    if fault == "reset":
        return  # only the user or an event ends a refusal
    simulator.set_fault("none")
    await poll(hass, freezer)
    await let_pass(hass, freezer)
    assert wlan_reads(simulator) == 2


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_no_read_with_polling_off(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatedAppliance,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Polling turned off for the entry: the enabled sensor never reads."""
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(mock_config_entry, pref_disable_polling=True)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await wait_idle(hass)
    await let_pass(hass, freezer, 3)
    assert wlan_reads(simulator) == 0
    assert hass.states.get(WIFI).state == STATE_UNAVAILABLE


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.parametrize(
    ("document", "reads"),
    [
        pytest.param([], 4, id="not an object"),
        pytest.param(None, 1, id="not served"),
    ],
)
async def test_first_read_fails(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    monkeypatch: pytest.MonkeyPatch,
    simulator: SimulatedAppliance,
    mock_config_entry: MockConfigEntry,
    document: object,
    reads: int,
) -> None:
    """
    The entry loads and the sensor stays unavailable; each interval reads once more.

    A module that answers 404 (no ``/WLAN/``) is not read again.
    """
    monkeypatch.setattr(documents, "wlan", lambda *_: document)
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await wait_idle(hass)
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert wlan_reads(simulator) == 1
    assert hass.states.get(WIFI).state == STATE_UNAVAILABLE

    await let_pass(hass, freezer, 3)
    assert wlan_reads(simulator) == reads
    assert hass.states.get(WIFI).state == STATE_UNAVAILABLE


@pytest.mark.usefixtures("entity_registry_enabled_by_default", "socket_enabled")
async def test_diagnostics_hold_the_document_without_ssid_or_key(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    init_integration: MockConfigEntry,
) -> None:
    await wait_idle(hass)
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, init_integration
    )
    wlan = diagnostics["wlan"]
    assert wlan["RSSI"] == -61
    assert wlan["Percentage"] == 78
    assert wlan["SSID"] == REDACTED
    assert "Key" not in wlan
    text = json.dumps(diagnostics)
    assert "MieleLocalSim" not in text
    assert documents.WLAN_KEY_PLACEHOLDER not in text


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_a_failure_outlasts_a_quiet_appliance(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    monkeypatch: pytest.MonkeyPatch,
    simulator: SimulatedAppliance,
    init_integration: MockConfigEntry,
) -> None:
    """A skipped read keeps the last outcome: a failed read's unavailability too."""
    await wait_idle(hass)
    wlan = documents.wlan
    monkeypatch.setattr(documents, "wlan", lambda *_: [])
    await let_pass(hass, freezer)
    assert wlan_reads(simulator) == 2
    assert hass.states.get(WIFI).state == STATE_UNAVAILABLE

    simulator.set_fault("offline")
    await poll(hass, freezer)
    await let_pass(hass, freezer)
    assert hass.states.get(WIFI).state == STATE_UNAVAILABLE

    monkeypatch.setattr(documents, "wlan", wlan)
    simulator.set_fault("none")
    await poll(hass, freezer)
    await let_pass(hass, freezer)
    assert wlan_reads(simulator) == 3
    assert hass.states.get(WIFI).state == "-61"


@pytest.mark.usefixtures("entity_registry_enabled_by_default", "socket_enabled")
@pytest.mark.parametrize(
    ("fault", "key"),
    [
        ("busy", "busy"),
        ("offline", "cannot_connect"),
        ("bad_signature", "invalid_signature"),
        ("garbage", "invalid_response"),
        ("reset", "invalid_auth"),
    ],
)
async def test_a_failed_read_names_its_cause(
    hass: HomeAssistant,
    simulator: SimulatedAppliance,
    init_integration: MockConfigEntry,
    fault: str,
    key: str,
) -> None:
    """Each way a read of ``/WLAN/`` fails is translated, naming only the appliance."""
    wlan = init_integration.runtime_data.wlan
    await wait_idle(hass)
    assert wlan.last_update_success
    simulator.set_fault(fault)

    await wlan.async_refresh()

    assert not wlan.last_update_success
    assert wlan.last_exception is not None
    assert wlan.last_exception.translation_key == key
    assert hass.states.get(WIFI).state == STATE_UNAVAILABLE
