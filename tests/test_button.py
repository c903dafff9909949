"""Button platform: start, stop and pause reach the simulator once, never retried."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN, SERVICE_PRESS
from homeassistant.const import STATE_UNAVAILABLE, Platform
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

ENTITY = "button.miele_000177753917"


@pytest.fixture
def platforms() -> list[Platform]:
    """Set up only the button platform."""
    return [Platform.BUTTON]


async def press(hass: HomeAssistant, button: str) -> None:
    """Press one of the appliance's buttons."""
    await call_entity_service(hass, BUTTON_DOMAIN, SERVICE_PRESS, f"{ENTITY}_{button}")


def available(hass: HomeAssistant) -> dict[str, bool]:
    """Which buttons are available."""
    return {
        button: hass.states.get(f"{ENTITY}_{button}").state != STATE_UNAVAILABLE
        for button in ("start", "stop", "pause")
    }


@pytest.mark.parametrize(
    "appliance_type", ["washer", "tumble_dryer", "dishwasher", "oven"]
)
async def test_snapshot(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    init_integration: MockConfigEntry,
) -> None:
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)


@pytest.mark.parametrize("appliance_type", ["fridge_freezer", "hood", "coffee_machine"])
async def test_no_buttons_without_programmes(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    init_integration: MockConfigEntry,
) -> None:
    assert not er.async_entries_for_config_entry(
        entity_registry, init_integration.entry_id
    )


@pytest.mark.parametrize("appliance_type", ["dishwasher"])
async def test_start(
    hass: HomeAssistant,
    simulator: SimulatedAppliance,
    init_integration: MockConfigEntry,
) -> None:
    assert available(hass) == {"start": True, "stop": True, "pause": False}

    await press(hass, "start")

    assert simulator.actions == [{"ProcessAction": 1}]
    assert simulator.state["Status"] == 5
    assert available(hass) == {"start": False, "stop": True, "pause": True}


async def test_pause_resume_and_stop(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatedAppliance,
    init_integration: MockConfigEntry,
) -> None:
    assert available(hass) == {"start": False, "stop": True, "pause": True}

    await press(hass, "pause")
    assert simulator.actions == [{"ProcessAction": 3}]
    assert available(hass) == {"start": True, "stop": True, "pause": False}

    await press(hass, "start")
    await poll(hass, freezer)
    assert available(hass) == {"start": False, "stop": True, "pause": True}

    await press(hass, "stop")
    await poll(hass, freezer)
    assert simulator.actions == [
        {"ProcessAction": 3},
        {"ProcessAction": 1},
        {"ProcessAction": 2},
    ]
    assert simulator.state["Status"] == 2
    assert available(hass) == {"start": False, "stop": False, "pause": False}


async def test_remote_start_off_leaves_only_stop(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatedAppliance,
    init_integration: MockConfigEntry,
) -> None:
    """RemoteEnable 0: no start or pause; stop needs no remote control (as the app)."""
    simulator.update_state(RemoteEnable=[0, 0, 0])
    await poll(hass, freezer)

    assert available(hass) == {"start": False, "stop": True, "pause": False}


async def test_remote_enable_7_still_allows_remote_start(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatedAppliance,
    init_integration: MockConfigEntry,
) -> None:
    """The app treats RemoteEnable 7 (bit 0 set) like 15; the appliance decides."""
    simulator.update_state(RemoteEnable=[7, 0, 0])
    await poll(hass, freezer)
    assert available(hass) == {"start": False, "stop": True, "pause": True}

    await press(hass, "pause")

    assert simulator.actions == [{"ProcessAction": 3}]


@pytest.mark.parametrize("appliance_type", ["oven"])
async def test_ovens_only_stop(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    init_integration: MockConfigEntry,
) -> None:
    """The Miele app never starts, pauses or resumes an oven over the State."""
    entries = er.async_entries_for_config_entry(
        entity_registry, init_integration.entry_id
    )
    assert [entry.entity_id for entry in entries] == [f"{ENTITY}_stop"]


async def test_refused_press_is_sent_once(
    hass: HomeAssistant,
    simulator: SimulatedAppliance,
    init_integration: MockConfigEntry,
) -> None:
    # Remote control switched off on the panel since the last poll: the write gets 403.
    simulator.update_state(RemoteEnable=[0, 0, 0])

    with pytest.raises(HomeAssistantError) as err:
        await press(hass, "pause")

    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == "action_refused"
    assert put_statuses(simulator) == [403]
    assert simulator.actions == []


async def test_failed_press_is_not_retried(
    hass: HomeAssistant,
    simulator: SimulatedAppliance,
    init_integration: MockConfigEntry,
) -> None:
    simulator.set_fault("error500")

    with pytest.raises(HomeAssistantError) as err:
        await press(hass, "stop")

    assert err.value.translation_key == "action_failed"
    assert err.value.translation_placeholders.keys() == {"name"}  # no library text
    assert put_statuses(simulator) == [500]

    simulator.set_fault("offline")
    with pytest.raises(HomeAssistantError) as err:
        await press(hass, "stop")

    assert err.value.translation_key == "action_failed"
    assert put_statuses(simulator) == [500]
    assert simulator.actions == []
