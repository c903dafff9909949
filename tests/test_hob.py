"""Hob cooking zones: power level, residual heat and timer per zone the hob has."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.const import STATE_UNKNOWN, Platform
import pytest

from .helpers import poll

if TYPE_CHECKING:
    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers import entity_registry as er
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from simulator import SimulatedAppliance

pytestmark = pytest.mark.usefixtures("frozen_start", "frozen_clock")

SENSOR = "sensor.miele_000177753917_zone"


@pytest.fixture
def platforms() -> list[Platform]:
    """Set up only the sensor platform."""
    return [Platform.SENSOR]


@pytest.fixture
def appliance_type() -> str:
    """The four-zone induction hob of the capture."""
    return "hob"


async def test_zones_follow_the_state(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatedAppliance,
    init_integration: MockConfigEntry,
) -> None:
    for zone in (1, 2, 3, 4):
        assert hass.states.get(f"{SENSOR}_{zone}_power_level").state == "plate_step_0"
        assert hass.states.get(f"{SENSOR}_{zone}_residual_heat").state == "none"
        assert hass.states.get(f"{SENSOR}_{zone}_timer").state == "0"
    assert hass.states.get(f"{SENSOR}_5_power_level") is None

    simulator.update_state(
        Status=5,
        PlateStep=[117, 9, 110, 217],
        PlateRemainingHeat=[0, 3, 2, 9],
        PlateRemainingMinutes=[12, 0],
    )
    await poll(hass, freezer)

    steps = [
        "plate_step_boost",
        "plate_step_9",
        "plate_step_warm",
        "plate_step_boost_2",
    ]
    for zone, step in enumerate(steps, start=1):
        assert hass.states.get(f"{SENSOR}_{zone}_power_level").state == step
    heat = ["none", "high", "medium", STATE_UNKNOWN]
    for zone, level in enumerate(heat, start=1):
        assert hass.states.get(f"{SENSOR}_{zone}_residual_heat").state == level
    assert hass.states.get(f"{SENSOR}_1_timer").state == "12"
    assert hass.states.get(f"{SENSOR}_3_timer").state == STATE_UNKNOWN

    simulator.update_state(PlateStep=[999, 0, 0, 0], PlateRemainingHeat="hot")
    await poll(hass, freezer)
    assert hass.states.get(f"{SENSOR}_1_power_level").state == STATE_UNKNOWN
    assert hass.states.get(f"{SENSOR}_2_residual_heat").state == STATE_UNKNOWN


async def test_zones_the_hob_lacks_are_not_created(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    init_integration: MockConfigEntry,
) -> None:
    zones = {
        entry.unique_id.split("-")[1].split("_")[1]
        for entry in entity_registry.entities.values()
        if entry.unique_id.split("-")[1].startswith("plate_")
    }
    assert zones == {"1", "2", "3", "4"}


async def test_booster_reported_only_in_extended_state(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatedAppliance,
    init_integration: MockConfigEntry,
) -> None:
    """Newer hobs keep the base level in PlateStep and report the booster elsewhere."""
    blob = bytearray(62)
    blob[14], blob[15] = (
        0x11,
        0x48,
    )  # zone 3: level 9, Boost I (as observed on a KM7576)
    simulator.update_state(
        Status=5, PlateStep=[0, 0, 17, 0], ExtendedState=blob.hex().upper()
    )
    await poll(hass, freezer)

    assert hass.states.get(f"{SENSOR}_3_power_level").state == "plate_step_boost"
    assert hass.states.get(f"{SENSOR}_1_power_level").state == "plate_step_0"

    simulator.update_state(ExtendedState="not hex")
    await poll(hass, freezer)
    assert hass.states.get(f"{SENSOR}_3_power_level").state == "plate_step_17"
