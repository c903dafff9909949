"""Light platform: the appliance light switches the simulator's light, once per call."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.components.light import (
    DOMAIN as LIGHT_DOMAIN,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
)
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE, Platform
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)

from custom_components.miele_local.const import DOMAIN

from .helpers import call_entity_service, poll, put_statuses

if TYPE_CHECKING:
    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant
    from syrupy.assertion import SnapshotAssertion

    from simulator import SimulatedAppliance

LIGHT = "light.miele_000177753917_light"


@pytest.fixture
def platforms() -> list[Platform]:
    """Set up only the light platform."""
    return [Platform.LIGHT]


async def switch_light(hass: HomeAssistant, service: str) -> None:
    """Turn the appliance light on or off."""
    await call_entity_service(hass, LIGHT_DOMAIN, service, LIGHT)


@pytest.mark.parametrize("appliance_type", ["oven", "oven_off", "hood"])
async def test_snapshot(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    init_integration: MockConfigEntry,
) -> None:
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)


@pytest.mark.parametrize(
    "appliance_type",
    ["washer", "tumble_dryer", "dishwasher", "fridge_freezer", "wine_cabinet", "hob"],
)
async def test_no_light(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    init_integration: MockConfigEntry,
) -> None:
    assert not er.async_entries_for_config_entry(
        entity_registry, init_integration.entry_id
    )


@pytest.mark.parametrize("appliance_type", ["oven", "hood"])
async def test_switch_light(
    hass: HomeAssistant,
    simulator: SimulatedAppliance,
    init_integration: MockConfigEntry,
) -> None:
    assert hass.states.get(LIGHT).state == STATE_ON

    await switch_light(hass, SERVICE_TURN_OFF)
    assert simulator.actions == [{"Light": 2}]
    assert simulator.state["Light"] == 2
    assert hass.states.get(LIGHT).state == STATE_OFF


@pytest.mark.parametrize("appliance_type", ["oven"])
async def test_turn_on_once_despite_failure(
    hass: HomeAssistant,
    simulator: SimulatedAppliance,
    init_integration: MockConfigEntry,
) -> None:
    simulator.update_state(Light=2, RemoteEnable=[0, 0, 0])

    with pytest.raises(HomeAssistantError) as err:
        await switch_light(hass, SERVICE_TURN_ON)

    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == "action_refused"
    assert put_statuses(simulator) == [403]

    simulator.update_state(RemoteEnable=[15, 0, 0])
    await switch_light(hass, SERVICE_TURN_ON)
    assert simulator.actions == [{"Light": 1}]
    assert simulator.state["Light"] == 1


@pytest.mark.parametrize("appliance_type", ["oven_off"])
async def test_oven_set_up_while_off_has_its_light(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatedAppliance,
    init_integration: MockConfigEntry,
) -> None:
    """The light exists by type; it is unavailable until the State reports it."""
    assert simulator.state["Light"] == 0
    assert hass.states.get(LIGHT).state == STATE_UNAVAILABLE

    simulator.update_state(Status=2, Light=2)
    await poll(hass, freezer)
    assert hass.states.get(LIGHT).state == STATE_OFF

    await switch_light(hass, SERVICE_TURN_ON)
    assert simulator.actions == [{"Light": 1}]
    assert hass.states.get(LIGHT).state == STATE_ON
