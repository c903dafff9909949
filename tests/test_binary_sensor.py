"""Binary sensor platform: snapshots per appliance type and flags following the State."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNKNOWN, Platform
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)

from custom_components.miele_local.binary_sensor import BINARY_SENSORS
from mielelocal.models import State

from .helpers import APPLIANCES, poll

if TYPE_CHECKING:
    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers import entity_registry as er
    from syrupy.assertion import SnapshotAssertion

    from simulator import SimulatedAppliance

ENTITY = "binary_sensor.miele_000177753917"


@pytest.fixture
def platforms() -> list[Platform]:
    """Set up only the binary sensor platform."""
    return [Platform.BINARY_SENSOR]


@pytest.mark.parametrize("appliance_type", APPLIANCES)
async def test_snapshot(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    init_integration: MockConfigEntry,
) -> None:
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)


async def test_flags_follow_state(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatedAppliance,
    init_integration: MockConfigEntry,
) -> None:
    simulator.update_state(
        SignalDoor=True, SignalFailure=True, SignalInfo="yes", RemoteEnable=[0, 0, 0]
    )
    await poll(hass, freezer)

    assert hass.states.get(f"{ENTITY}_door").state == STATE_ON
    assert hass.states.get(f"{ENTITY}_failure").state == STATE_ON
    assert hass.states.get(f"{ENTITY}_information").state == STATE_UNKNOWN
    assert hass.states.get(f"{ENTITY}_remote_control").state == STATE_OFF
    assert hass.states.get(f"{ENTITY}_connectivity").state == STATE_ON


async def test_connectivity_unknown_after_history_is_cleared(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    coordinator = init_integration.runtime_data.coordinator

    await coordinator.manager.get_health_monitor().clear_history(coordinator.device_id)
    await hass.async_block_till_done()

    assert hass.states.get(f"{ENTITY}_connectivity").state == STATE_UNKNOWN


@pytest.mark.parametrize("appliance_type", ["fridge_freezer"])
async def test_boosts_shown_read_only_where_writes_are_refused(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatedAppliance,
    init_integration: MockConfigEntry,
) -> None:
    """An EK057 fridge-freezer refuses writes: its boosts are binary sensors."""
    for status, freeze, cool in (
        (5, STATE_OFF, STATE_OFF),
        (13, STATE_ON, STATE_OFF),
        (14, STATE_OFF, STATE_ON),
        (146, STATE_ON, STATE_ON),
    ):
        simulator.update_state(Status=status)
        await poll(hass, freezer)
        assert hass.states.get(f"{ENTITY}_superfreeze").state == freeze, status
        assert hass.states.get(f"{ENTITY}_supercool").state == cool, status


@pytest.mark.parametrize("appliance_type", ["fridge_freezer_ek044w", "wine_cabinet"])
async def test_no_read_only_boosts(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Where the switch works there is no duplicate; wine cabinets have no boosts."""
    assert hass.states.get(f"{ENTITY}_superfreeze") is None
    assert hass.states.get(f"{ENTITY}_supercool") is None


def test_boost_unknown_without_status() -> None:
    """A State without a status (the simulator never sends one) leaves the boosts unknown."""
    for key in ("superfreeze", "supercool"):
        description = next(d for d in BINARY_SENSORS if d.key == key)
        assert description.value_fn(State.from_json({})) is None
        assert description.value_fn(State.from_json({"Status": 5})) is False


@pytest.mark.parametrize("appliance_type", ["wine_cabinet"])
async def test_light_shown_read_only_where_writes_are_refused(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatedAppliance,
    init_integration: MockConfigEntry,
) -> None:
    """An EK057 wine cabinet's light cannot be switched: its state is a binary sensor."""
    entity_id = f"{ENTITY}_light"
    assert hass.states.get(entity_id).state == STATE_OFF
    for light, shown in ((1, STATE_ON), (0, STATE_UNKNOWN), (2, STATE_OFF)):
        simulator.update_state(Light=light)
        await poll(hass, freezer)
        assert hass.states.get(entity_id).state == shown, light


@pytest.mark.parametrize("appliance_type", ["oven", "hood"])
async def test_no_read_only_light_where_it_can_be_switched(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    assert hass.states.get(f"{ENTITY}_light") is None
