"""Connection-health device triggers: listed for the appliance and firing automations."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.components import automation
from homeassistant.components.device_automation import DeviceAutomationType
from homeassistant.const import Platform
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_get_device_automations,
)

from custom_components.miele_local.const import DOMAIN
from custom_components.miele_local.device_trigger import TRIGGER_TYPES

from .conftest import unpaired
from .helpers import poll

if TYPE_CHECKING:
    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant, ServiceCall
    from homeassistant.helpers import device_registry as dr, entity_registry as er

    from custom_components.miele_local.advertisement import Advertisement
    from simulator import SimulatedAppliance

CONNECTION_STATE = "sensor.miele_000177753917_connection_state"

pytestmark = pytest.mark.usefixtures("frozen_sleep")


@pytest.fixture
def platforms() -> list[Platform]:
    """Set up the sensor platform, which carries the connection-state sensor."""
    return [Platform.SENSOR]


def appliance_device(
    device_registry: dr.DeviceRegistry, entry: MockConfigEntry
) -> dr.DeviceEntry:
    """The device of the simulated appliance."""
    device = device_registry.async_get_device_by_identifier(
        (DOMAIN, entry.unique_id), entry.entry_id
    )
    assert device is not None
    return device


async def test_get_triggers(
    hass: HomeAssistant,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
    init_integration: MockConfigEntry,
) -> None:
    device = appliance_device(device_registry, init_integration)
    sensor = entity_registry.async_get(CONNECTION_STATE)

    triggers = await async_get_device_automations(
        hass, DeviceAutomationType.TRIGGER, device.id
    )

    assert sorted(
        (trigger["type"], trigger["entity_id"], trigger["device_id"])
        for trigger in triggers
        if trigger["domain"] == DOMAIN
    ) == [
        ("connection_recovered", sensor.id, device.id),
        ("connection_unhealthy", sensor.id, device.id),
        ("pairing_lost", sensor.id, device.id),
    ]


@pytest.mark.parametrize("platforms", [[Platform.BINARY_SENSOR]])
async def test_no_triggers_without_connection_state_sensor(
    hass: HomeAssistant,
    device_registry: dr.DeviceRegistry,
    init_integration: MockConfigEntry,
) -> None:
    device = appliance_device(device_registry, init_integration)

    triggers = await async_get_device_automations(
        hass, DeviceAutomationType.TRIGGER, device.id
    )

    assert triggers
    assert [trigger for trigger in triggers if trigger["domain"] == DOMAIN] == []


async def test_triggers_fire(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    device_registry: dr.DeviceRegistry,
    entity_registry: er.EntityRegistry,
    service_calls: list[ServiceCall],
    simulator: SimulatedAppliance,
    init_integration: MockConfigEntry,
    mdns_answers: dict[str, Advertisement],
) -> None:
    device = appliance_device(device_registry, init_integration)
    sensor = entity_registry.async_get(CONNECTION_STATE)
    assert await async_setup_component(
        hass,
        automation.DOMAIN,
        {
            automation.DOMAIN: [
                {
                    "triggers": {
                        "platform": "device",
                        "domain": DOMAIN,
                        "device_id": device.id,
                        "entity_id": sensor.id,
                        "type": trigger_type,
                    },
                    "actions": {
                        "action": "test.automation",
                        "data": {"type": trigger_type},
                    },
                }
                for trigger_type in sorted(TRIGGER_TYPES)
            ]
        },
    )

    def fired() -> list[str]:
        return [call.data["type"] for call in service_calls if call.domain == "test"]

    simulator.set_fault("offline")
    await poll(hass, freezer)
    assert hass.states.get(CONNECTION_STATE).state == "unhealthy"
    assert fired() == ["connection_unhealthy"]

    simulator.set_fault("none")
    await poll(hass, freezer)  # the first answer is confirmed at once: healthy
    assert hass.states.get(CONNECTION_STATE).state == "healthy"
    assert fired() == ["connection_unhealthy", "connection_recovered"]

    simulator.set_fault("reset")
    mdns_answers[simulator.host] = unpaired(simulator)
    await poll(hass, freezer)
    assert hass.states.get(CONNECTION_STATE).state == "pairing_lost"
    assert fired() == ["connection_unhealthy", "connection_recovered", "pairing_lost"]
