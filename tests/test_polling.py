"""
Nothing is sent unasked to an appliance whose entry does not poll.

Polling turned off in the entry's system options, or a household key the appliance refused
(re-authentication or the lost-pairing repair pending): ten simulated minutes pass and the
simulator receives no request, except the one read a user's refresh makes.
"""

from __future__ import annotations

from datetime import timedelta
import time
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntryState
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.miele_local import cadence

from .conftest import unpaired
from .helpers import coordinator_of, poll, reauth_flows, wait_idle

if TYPE_CHECKING:
    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from custom_components.miele_local.advertisement import Advertisement
    from simulator import SimulatedAppliance

pytestmark = pytest.mark.usefixtures("socket_enabled", "frozen_clock")

STEP = timedelta(seconds=15)
"""The manager's maintenance loop looks at quiet appliances this often (60 s / 4)."""
STATUS = "sensor.miele_000177753917_status"


async def settle(hass: HomeAssistant) -> None:
    """Give requests in flight (the manager's loop is not waited for) real time to land."""
    for _ in range(5):
        await hass.async_add_executor_job(time.sleep, 0.005)
    await wait_idle(hass)


async def ten_minutes(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Let ten minutes pass in steps, every timer and background loop running on time."""
    for _ in range(int(timedelta(minutes=10) / STEP)):
        freezer.tick(STEP)
        async_fire_time_changed(hass)
        await settle(hass)


async def user_refresh(hass: HomeAssistant) -> None:
    """The user asks for a refresh of the appliance's status (an explicit action)."""
    assert await async_setup_component(hass, "homeassistant", {})
    await hass.services.async_call(
        "homeassistant", "update_entity", {"entity_id": STATUS}, blocking=True
    )
    await wait_idle(hass)


async def test_polling_turned_off_sends_nothing_unasked(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    simulator: SimulatedAppliance,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Only setup reads; no health check for ten minutes; a refresh reads once."""
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(mock_config_entry, pref_disable_polling=True)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await wait_idle(hass)
    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert coordinator_of(mock_config_entry).paused
    requests = simulator.requests.total

    await ten_minutes(hass, freezer)
    assert simulator.requests.total == requests

    await user_refresh(hass)
    assert [r.path for r in simulator.requests][requests:] == [
        f"/Devices/{simulator.device_id}/State"
    ]
    await ten_minutes(hass, freezer)
    assert simulator.requests.total == requests + 1


@pytest.mark.parametrize("advertised_unpaired", [False, True])
async def test_refused_key_sends_nothing_unasked(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    simulator: SimulatedAppliance,
    init_integration: MockConfigEntry,
    mdns_answers: dict[str, Advertisement],
    advertised_unpaired: bool,
) -> None:
    """
    Re-authentication (no evidence) or the repair (a reset): ten silent minutes.

    A refresh by the user is one State read with the refused key, and opens no prompt.
    """
    assert await async_setup_component(hass, "repairs", {})
    if advertised_unpaired:
        mdns_answers[simulator.host] = unpaired(simulator)
    simulator.update_state(SignalDoor=True)  # the fastest cadence, if it went on
    await poll(hass, freezer)
    simulator.set_fault("reset")
    await poll(hass, freezer, cadence.IMMINENT)
    coordinator = coordinator_of(init_integration)
    assert coordinator.refused is not None
    assert len(reauth_flows(hass)) == (0 if advertised_unpaired else 1)
    requests = simulator.requests.total

    await ten_minutes(hass, freezer)
    assert simulator.requests.total == requests

    await user_refresh(hass)
    assert [r.path for r in simulator.requests][requests:] == [
        f"/Devices/{simulator.device_id}/State"
    ]
    assert len(reauth_flows(hass)) == (0 if advertised_unpaired else 1)
    await ten_minutes(hass, freezer)
    assert simulator.requests.total == requests + 1


@pytest.mark.parametrize("fault", ["busy", "offline"])
async def test_a_refresh_that_fails_otherwise_keeps_polling_stopped(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    simulator: SimulatedAppliance,
    init_integration: MockConfigEntry,
    fault: str,
) -> None:
    """A busy or missing answer proves nothing about the refused key: still silent."""
    simulator.set_fault("reset")
    await poll(hass, freezer)
    assert len(reauth_flows(hass)) == 1
    simulator.set_fault(fault)
    await user_refresh(hass)
    coordinator = coordinator_of(init_integration)
    assert coordinator.refused is not None
    assert coordinator.update_interval is None
    requests = simulator.requests.total

    await ten_minutes(hass, freezer)
    assert simulator.requests.total == requests
    assert len(reauth_flows(hass)) == 1
