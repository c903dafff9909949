"""Polling, spurious samples, availability logging, actions and health, over time."""

from __future__ import annotations

from datetime import timedelta
import logging
from typing import TYPE_CHECKING, Any

from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.miele_local.const import (
    DEFAULT_RETRIES,
    DOMAIN,
    OFF_CONFIRM_DELAY,
)
from mielelocal.models import Status

from .conftest import SimulatorFactory, entry_data
from .helpers import coordinator_of, poll, wait_idle

if TYPE_CHECKING:
    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant


pytestmark = pytest.mark.usefixtures("socket_enabled")


async def test_polls_state_at_the_cadence(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Any,
    freezer: FrozenDateTimeFactory,
) -> None:
    coordinator = coordinator_of(init_integration)
    reads = sum(1 for r in simulator.requests if r.path.endswith("/State"))
    simulator.update_state(Status=6)
    assert coordinator.data.state.status == Status.RUNNING
    await poll(hass, freezer)
    assert coordinator.data.state.status == Status.PAUSE
    assert sum(1 for r in simulator.requests if r.path.endswith("/State")) == reads + 1


async def test_failed_poll_retries_three_times(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Any,
    freezer: FrozenDateTimeFactory,
) -> None:
    coordinator = coordinator_of(init_integration)
    simulator.set_fault("offline")
    await poll(hass, freezer)
    assert not coordinator.last_update_success
    assert coordinator.health.consecutive_failures == 1 + DEFAULT_RETRIES


def state_reads(simulator: Any) -> int:
    """State reads the appliance answered."""
    return sum(record.path.endswith("/State") for record in simulator.requests)


async def confirm_off(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Let the short confirmation delay after a suspicious Off sample pass."""
    freezer.tick(timedelta(seconds=OFF_CONFIRM_DELAY))
    async_fire_time_changed(hass)
    await wait_idle(hass)


async def test_single_off_sample_holds_only_the_status(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Any,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A spurious Off keeps the status for one sample; a confirmation read follows."""
    coordinator = coordinator_of(init_integration)
    assert coordinator.data.state.status == Status.RUNNING
    simulator.update_state(Status=1, RemoteEnable=[0, 0, 0])
    await poll(hass, freezer)
    assert coordinator.data.state.status == Status.RUNNING  # held
    assert coordinator.data.state.remote_enable == (0, 0, 0)  # the rest is new
    simulator.update_state(Status=5)  # it was spurious: running again
    reads = state_reads(simulator)
    await confirm_off(hass, freezer)
    assert state_reads(simulator) == reads + 1
    assert coordinator.data.state.status == Status.RUNNING


async def test_genuine_end_shows_after_the_confirmation_read(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Any,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A real Off is shown OFF_CONFIRM_DELAY later, not a scan interval later."""
    coordinator = coordinator_of(init_integration)
    simulator.update_state(Status=1)
    await poll(hass, freezer)
    assert coordinator.data.state.status == Status.RUNNING
    await confirm_off(hass, freezer)
    assert coordinator.data.state.status == Status.OFF
    reads = state_reads(simulator)
    await confirm_off(hass, freezer)  # nothing more is scheduled
    assert state_reads(simulator) == reads
    simulator.update_state(Status=5)
    await poll(hass, freezer)
    simulator.update_state(Status=1)
    await poll(hass, freezer)
    assert (
        coordinator.data.state.status == Status.RUNNING
    )  # each new Off is confirmed again


async def test_unload_cancels_a_pending_confirmation(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Any,
    freezer: FrozenDateTimeFactory,
) -> None:
    simulator.update_state(Status=1)
    await poll(hass, freezer)
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    reads = state_reads(simulator)
    await confirm_off(hass, freezer)
    assert state_reads(simulator) == reads


async def test_coordinator_is_named_after_the_appliance(
    init_integration: MockConfigEntry,
) -> None:
    assert coordinator_of(init_integration).name == init_integration.title


async def test_unavailable_and_back_logged_once(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Any,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """One outage: one line going down, one coming back (Home Assistant's coordinator)."""
    coordinator = coordinator_of(init_integration)
    caplog.set_level(logging.INFO, logger="custom_components.miele_local")
    simulator.set_fault("offline")
    await poll(hass, freezer)
    await poll(hass, freezer)
    assert not coordinator.last_update_success
    simulator.set_fault("none")
    await poll(hass, freezer)
    await poll(hass, freezer)
    assert coordinator.last_update_success
    messages = [
        r.getMessage()
        for r in caplog.records
        if r.name == "custom_components.miele_local" and r.levelno >= logging.INFO
    ]
    title = init_integration.title
    assert messages == [
        f"Error fetching {title} data: Cannot reach {title} at {simulator.host}",
        f"Fetching {title} data recovered",
    ]


@pytest.mark.parametrize(
    ("fault", "key"),
    [
        ("bad_signature", "invalid_signature"),
        ("garbage", "invalid_response"),
        ("offline", "cannot_connect"),
    ],
)
async def test_failures_are_translated(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Any,
    freezer: FrozenDateTimeFactory,
    fault: str,
    key: str,
) -> None:
    coordinator = coordinator_of(init_integration)
    simulator.set_fault(fault)
    await poll(hass, freezer)
    assert not coordinator.last_update_success
    assert coordinator.last_exception is not None
    assert getattr(coordinator.last_exception, "translation_key", None) == key
    # Only the appliance's name and address: no library text in a translated error.
    placeholders = getattr(coordinator.last_exception, "translation_placeholders", {})
    assert placeholders.keys() == {"name", "host"}


async def test_action_sent_once_then_refreshed(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Any
) -> None:
    coordinator = coordinator_of(init_integration)
    await coordinator.async_send_action({"DeviceAction": 2})
    assert simulator.actions == [{"DeviceAction": 2}]


async def test_refused_action_is_not_retried(
    hass: HomeAssistant,
    simulator_factory: SimulatorFactory,
    credentials: Any,
) -> None:
    sim = await simulator_factory("fridge_freezer", credentials=credentials)
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Fridge",
        unique_id=sim.device_id,
        data=entry_data(sim.host, sim.device_id, credentials),
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    with pytest.raises(HomeAssistantError) as err:
        await coordinator_of(entry).async_send_action({"ProcessAction": 4})
    assert err.value.translation_key == "action_refused"
    assert [r.method for r in sim.requests].count("PUT") == 1


async def test_failed_action_is_not_retried(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Any
) -> None:
    simulator.set_fault("error500")
    with pytest.raises(HomeAssistantError) as err:
        await coordinator_of(init_integration).async_send_action({"ProcessAction": 2})
    assert err.value.translation_key == "action_failed"
    assert [r.method for r in simulator.requests].count("PUT") == 1
    assert simulator.actions == []


async def test_health_listener(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    coordinator = coordinator_of(init_integration)
    calls: list[None] = []
    unsubscribe = coordinator.async_add_health_listener(lambda: calls.append(None))
    await poll(hass, freezer)
    assert calls
    assert coordinator.health.requests_total >= 2
    unsubscribe()
    seen = len(calls)
    await poll(hass, freezer)
    assert len(calls) == seen
