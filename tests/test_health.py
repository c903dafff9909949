"""Connection-health entities follow the simulator going offline, asleep and reset."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE, Platform
from homeassistant.util import dt as dt_util
import pytest

from .conftest import unpaired
from .helpers import FROZEN_START as START, poll

if TYPE_CHECKING:
    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from custom_components.miele_local.advertisement import Advertisement
    from simulator import SimulatedAppliance

ENTITY = "miele_000177753917"

pytestmark = pytest.mark.usefixtures(
    "frozen_start", "frozen_sleep", "entity_registry_enabled_by_default"
)


@pytest.fixture
def platforms() -> list[Platform]:
    """Set up the platforms that carry health entities."""
    return [Platform.BINARY_SENSOR, Platform.SENSOR]


def health(hass: HomeAssistant) -> dict[str, str]:
    """The states of the health entities (and of the appliance's status sensor)."""
    entity_ids = {
        "state": f"sensor.{ENTITY}_connection_state",
        "connected": f"binary_sensor.{ENTITY}_connectivity",
        "failures": f"sensor.{ENTITY}_consecutive_failures",
        "last_success": f"sensor.{ENTITY}_last_successful_contact",
        "ratio": f"sensor.{ENTITY}_success_ratio",
        "response_time": f"sensor.{ENTITY}_response_time",
        "status": f"sensor.{ENTITY}_status",
    }
    return {
        name: hass.states.get(entity_id).state for name, entity_id in entity_ids.items()
    }


async def test_offline_and_back(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatedAppliance,
    init_integration: MockConfigEntry,
) -> None:
    assert health(hass) == {
        "state": "healthy",
        "connected": STATE_ON,
        "failures": "0",
        "last_success": START,
        "ratio": "100.0",
        "response_time": "0.0",
        "status": "running",
    }

    simulator.set_fault("offline")
    await poll(hass, freezer)
    offline = health(hass)
    assert offline["status"] == STATE_UNAVAILABLE
    assert offline["state"] == "unhealthy"
    assert offline["connected"] == STATE_OFF
    assert int(offline["failures"]) >= 4
    assert offline["last_success"] == START
    assert float(offline["ratio"]) < 100

    simulator.set_fault("none")
    await poll(hass, freezer)
    first = health(hass)
    assert first["status"] == "running"
    # The first answer is confirmed at once by a second request: healthy in one poll.
    assert first["state"] == "healthy"
    assert first["connected"] == STATE_ON
    assert first["failures"] == "0"
    # Backoff sleeps advanced the frozen clock: the success is stamped "now".
    assert first["last_success"] == dt_util.utcnow().isoformat(timespec="seconds")
    assert first["last_success"] > START

    await poll(hass, freezer)
    assert health(hass)["state"] == "healthy"


async def test_sleeping_module_is_woken(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatedAppliance,
    init_integration: MockConfigEntry,
) -> None:
    simulator.set_fault("sleep")
    await poll(hass, freezer)

    assert {"DeviceAction": 2} in simulator.actions
    after = health(hass)
    assert after["status"] == "running"
    assert after["state"] == "healthy"
    assert after["failures"] == "0"
    assert float(after["ratio"]) < 100

    # A module that does not wake up is reported asleep, not broken.
    simulator.wake_delay = 3600
    simulator.set_fault("sleep")
    await poll(hass, freezer)
    asleep = health(hass)
    assert asleep["state"] == "sleeping"
    assert asleep["connected"] == STATE_OFF
    assert asleep["status"] == STATE_UNAVAILABLE

    simulator.set_fault("none")
    await poll(hass, freezer)
    assert health(hass)["state"] == "healthy"


async def test_reset_means_pairing_lost(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatedAppliance,
    init_integration: MockConfigEntry,
    mdns_answers: dict[str, Advertisement],
) -> None:
    simulator.set_fault("reset")
    mdns_answers[simulator.host] = unpaired(simulator)
    await poll(hass, freezer)
    lost = health(hass)
    assert lost["state"] == "pairing_lost"
    assert lost["connected"] == STATE_OFF
    assert lost["status"] == STATE_UNAVAILABLE

    simulator.set_fault("none")
    await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    back = health(hass)
    assert back["state"] == "healthy"
    assert back["connected"] == STATE_ON
    assert back["status"] == "running"


async def test_health_is_written_only_when_it_changes(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    init_integration: MockConfigEntry,
) -> None:
    """Each poll updates the health; an entity writes its state only if that changed."""
    steady = (
        f"sensor.{ENTITY}_connection_state",
        f"binary_sensor.{ENTITY}_connectivity",
        f"sensor.{ENTITY}_consecutive_failures",
    )
    changing = f"sensor.{ENTITY}_last_successful_contact"
    # The state machine updates `last_reported` in place: keep copies of the values.
    reported = {
        entity_id: hass.states.get(entity_id).last_reported
        for entity_id in (*steady, changing)
    }
    last_success = hass.states.get(changing).state

    await poll(hass, freezer)

    for entity_id in steady:
        assert hass.states.get(entity_id).last_reported == reported[entity_id]
    assert hass.states.get(changing).state > last_success
    assert hass.states.get(changing).last_reported > reported[changing]
