"""Hob cooking zones: power level, residual heat and timer per zone the hob has."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.const import STATE_UNKNOWN, Platform
import pytest

from custom_components.miele_local import hob
from custom_components.miele_local.miele.models import Ident, State

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


def _ident(tech_type: str) -> Ident:
    return Ident.from_json(
        {
            "DeviceType": 27,
            "DeviceIdentLabel": {"FabNumber": "000160829578", "TechType": tech_type},
        }
    )


@pytest.mark.parametrize(
    ("tech_type", "plate_steps", "zones"),
    [
        ("KM 7464 FL", [0, 0, 0, 0], 4),  # not in the table: four zones
        ("KM 7575", [0, 0, 0, 0], 6),  # six by TechType, whatever the State lists
        ("KMDA 7774-1 FL", None, 5),
        ("KM 7464 FL", [0, 0, 0, 0, 0], 5),  # the State lists more zones
        ("KM 7464 FL", [0] * 9, 6),  # never more than the six a hob can have
    ],
)
def test_zone_count(tech_type: str, plate_steps: list[int] | None, zones: int) -> None:
    state = State.from_json({"PlateStep": plate_steps})
    assert hob.zone_count(_ident(tech_type), state) == zones


@pytest.mark.parametrize(
    ("code", "key"),
    [
        (0, "plate_step_0"),
        (1, "plate_step_1"),
        (23, "plate_step_23"),
        (24, None),
        (100, "plate_step_residual_heat"),
        (107, "plate_step_residual_heat"),
        (108, None),
        (110, "plate_step_warm"),
        (220, "plate_step_warm"),
        (117, "plate_step_boost"),
        (118, "plate_step_boost"),
        (218, "plate_step_boost"),
        (217, "plate_step_boost_2"),
        (-1, None),
    ],
)
def test_plate_step_codes(code: int, key: str | None) -> None:
    assert hob.plate_step_key(code) == key
    assert key is None or key in hob.PLATE_STEP_OPTIONS


@pytest.mark.parametrize(
    ("code", "booster", "key"),
    [
        (17, 0, "plate_step_17"),
        (17, 1, "plate_step_boost"),
        (17, 2, "plate_step_boost_2"),
        (None, 3, "plate_step_boost_3"),
        (None, 0, None),
        (None, None, None),
    ],
)
def test_booster_wins_over_plate_step(
    code: int | None, booster: int | None, key: str | None
) -> None:
    assert hob.power_level_key(code, booster) == key
    assert key is None or key in hob.PLATE_STEP_OPTIONS


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
