"""Switch platform: superfreeze and supercool, only on appliances that take writes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
from homeassistant.const import (
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_OFF,
    STATE_ON,
    Platform,
)
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)

from custom_components.miele_local.const import DOMAIN

from .helpers import call_entity_service, put_statuses

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from syrupy.assertion import SnapshotAssertion

    from simulator import SimulatedAppliance

SUPERFREEZE = "switch.miele_000177753917_superfreeze"
SUPERCOOL = "switch.miele_000177753917_supercool"


@pytest.fixture
def platforms() -> list[Platform]:
    """Set up only the switch platform."""
    return [Platform.SWITCH]


@pytest.fixture
def appliance_type() -> str:
    """The simulated fridge-freezer whose module is not known to refuse writes."""
    return "fridge_freezer_ek044w"


async def switch(hass: HomeAssistant, service: str, entity_id: str) -> None:
    """Turn a switch on or off."""
    await call_entity_service(hass, SWITCH_DOMAIN, service, entity_id)


async def test_snapshot(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    init_integration: MockConfigEntry,
) -> None:
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)


@pytest.mark.parametrize(
    "appliance_type",
    [
        "washer",
        "tumble_dryer",
        "dishwasher",
        "oven",
        "hood",
        "hob",
        # EK057 cooling appliances refuse every write: a switch could only fail.
        "fridge_freezer",
        "wine_cabinet",
    ],
)
async def test_no_switches(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    init_integration: MockConfigEntry,
) -> None:
    assert not er.async_entries_for_config_entry(
        entity_registry, init_integration.entry_id
    )


async def test_toggle_boosts(
    hass: HomeAssistant,
    simulator: SimulatedAppliance,
    init_integration: MockConfigEntry,
) -> None:
    await switch(hass, SERVICE_TURN_ON, SUPERFREEZE)
    assert simulator.state["Status"] == 13
    assert hass.states.get(SUPERFREEZE).state == STATE_ON
    assert hass.states.get(SUPERCOOL).state == STATE_OFF

    await switch(hass, SERVICE_TURN_ON, SUPERCOOL)
    await switch(hass, SERVICE_TURN_OFF, SUPERFREEZE)
    assert simulator.actions == [
        {"ProcessAction": 4},
        {"ProcessAction": 6},
        {"ProcessAction": 5},
    ]
    assert simulator.state["Status"] == 14

    await switch(hass, SERVICE_TURN_OFF, SUPERCOOL)
    assert simulator.actions[-1] == {"ProcessAction": 7}
    assert simulator.state["Status"] == 5


async def test_refused_write_is_sent_once(
    hass: HomeAssistant,
    simulator: SimulatedAppliance,
    init_integration: MockConfigEntry,
) -> None:
    simulator.model.writes_allowed = False  # should this module refuse after all
    with pytest.raises(HomeAssistantError) as err:
        await switch(hass, SERVICE_TURN_ON, SUPERCOOL)

    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == "action_refused"
    assert put_statuses(simulator) == [403]
    assert hass.states.get(SUPERCOOL).state == STATE_OFF
