"""Fan platform: the hood's fan, read-only (local fan writes are not proven)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.const import (
    ATTR_SUPPORTED_FEATURES,
    STATE_OFF,
    STATE_ON,
    STATE_UNKNOWN,
    Platform,
)
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)

from .helpers import poll

if TYPE_CHECKING:
    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant
    from syrupy.assertion import SnapshotAssertion

    from simulator import SimulatedAppliance

FAN = "fan.miele_000177753917_fan"


@pytest.fixture
def platforms() -> list[Platform]:
    """Set up only the fan platform."""
    return [Platform.FAN]


@pytest.fixture
def appliance_type() -> str:
    """The simulated hood."""
    return "hood"


async def test_snapshot(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    init_integration: MockConfigEntry,
) -> None:
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)


@pytest.mark.parametrize("appliance_type", ["oven", "hob", "fridge_freezer"])
async def test_no_fan(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    init_integration: MockConfigEntry,
) -> None:
    assert not er.async_entries_for_config_entry(
        entity_registry, init_integration.entry_id
    )


@pytest.mark.usefixtures("frozen_clock")
async def test_level_follows_the_state(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatedAppliance,
    init_integration: MockConfigEntry,
) -> None:
    state = hass.states.get(FAN)
    assert state.state == STATE_ON
    assert state.attributes[ATTR_SUPPORTED_FEATURES] == 0  # no controls offered

    for step, expected in ((4, STATE_ON), (0, STATE_OFF), (None, STATE_UNKNOWN)):
        simulator.update_state(VentilationStep=step)
        await poll(hass, freezer)
        assert hass.states.get(FAN).state == expected, step
