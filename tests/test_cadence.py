"""
The polling cadence follows the appliance; requested reads run at once, coalesced.

Tests over time take `freezer` before `init_integration`, so the coordinator's timers are
set on the frozen clock and fire exactly when the test lets their time pass.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.miele_local import cadence
from custom_components.miele_local.cadence import Cadence, poll_interval
from custom_components.miele_local.const import READ_NOW_COOLDOWN
from mielelocal.models import State, Status

from .helpers import coordinator_of, wait_idle

if TYPE_CHECKING:
    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from simulator import SimulatedAppliance

RUNNING_WASHER = {"Status": 5, "ProgramID": 1, "RemainingTime": [0, 55]}


def state(**fields: Any) -> State:
    """A State document with `fields` over an idle, switched-on appliance."""
    document: dict[str, Any] = {
        "Status": 2,
        "ProgramID": 0,
        "RemainingTime": [0, 0],
        "SignalDoor": False,
        "SignalFailure": False,
        "SignalInfo": False,
    }
    return State.from_json(document | fields)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"Status": 1}, cadence.OFF),
        ({"Status": 255}, cadence.OFF),
        ({"Status": 1, "SignalDoor": True}, cadence.OFF),
        ({}, cadence.IDLE),
        ({"Status": 3, "ProgramID": 1}, cadence.IDLE),
        ({"Status": 7, "ProgramID": 1}, cadence.IDLE),
        ({"Status": 5}, cadence.IDLE),  # a fridge keeping cool: no programme
        ({"SignalInfo": True}, cadence.IDLE),  # salt low can last for days
        (RUNNING_WASHER, cadence.RUNNING),
        ({"Status": 6, "ProgramID": 1, "RemainingTime": [1, 0]}, cadence.RUNNING),
        ({"Status": 5, "ProgramID": 1, "RemainingTime": "?"}, cadence.RUNNING),
        ({**RUNNING_WASHER, "RemainingTime": [0, 3]}, cadence.RUNNING),
        ({**RUNNING_WASHER, "RemainingTime": [0, 2]}, cadence.IMMINENT),
        ({**RUNNING_WASHER, "RemainingTime": [0, 0]}, cadence.IMMINENT),
        ({"SignalDoor": True}, cadence.IMMINENT),
        ({"SignalFailure": True}, cadence.IMMINENT),
        ({"Status": 8}, cadence.IMMINENT),
    ],
)
def test_poll_interval(fields: dict[str, Any], expected: timedelta) -> None:
    assert poll_interval(state(**fields)) == expected


def test_poll_interval_before_the_first_state_and_with_push() -> None:
    assert poll_interval(None) == cadence.OFF
    assert poll_interval(state(**RUNNING_WASHER), push_active=True) == cadence.PUSHED
    assert cadence.IMMINENT < cadence.RUNNING < cadence.IDLE < cadence.OFF
    assert cadence.OFF < cadence.PUSHED


def test_imminent_is_bounded_per_reason() -> None:
    """A lasting door or failure signal polls fast for IMMINENT_FOR, then as usual."""
    start = datetime(2026, 5, 4, 12, tzinfo=UTC)
    cadence_ = Cadence()
    door = state(SignalDoor=True)
    almost = cadence.IMMINENT_FOR - timedelta(seconds=1)
    assert cadence_.interval(door, start) == cadence.IMMINENT
    assert cadence_.interval(door, start + almost) == cadence.IMMINENT
    assert cadence_.interval(door, start + cadence.IMMINENT_FOR) == cadence.IDLE
    later = start + 2 * cadence.IMMINENT_FOR
    running = state(**RUNNING_WASHER, SignalDoor=True)
    assert cadence_.interval(running, later) == cadence.RUNNING
    # A new reason (a failure) is imminent again, for its own window.
    both = state(SignalDoor=True, SignalFailure=True)
    assert cadence_.interval(both, later) == cadence.IMMINENT
    assert cadence_.interval(door, later + almost) == cadence.IMMINENT  # one left
    assert cadence_.interval(door, later + cadence.IMMINENT_FOR) == cadence.IDLE
    # Gone and back: a new window; pushes still win.
    assert cadence_.interval(state(), later + cadence.IMMINENT_FOR) == cadence.IDLE
    assert cadence_.interval(door, later + 3 * cadence.IMMINENT_FOR) == cadence.IMMINENT
    assert cadence_.interval(door, start, push_active=True) == cadence.PUSHED
    # A remaining time stuck at the end is bounded the same way.
    ending = state(**{**RUNNING_WASHER, "RemainingTime": [0, 0]})
    assert cadence_.interval(ending, start) == cadence.IMMINENT
    assert cadence_.interval(ending, start + cadence.IMMINENT_FOR) == cadence.RUNNING


def state_reads(simulator: SimulatedAppliance) -> int:
    """How many State reads the simulator served."""
    return sum(
        1
        for record in simulator.requests
        if record.method == "GET" and record.path.endswith("/State")
    )


async def elapse(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, interval: timedelta
) -> None:
    """Let `interval` pass and every timer that came due fire."""
    freezer.tick(interval)
    async_fire_time_changed(hass)
    await wait_idle(hass)


async def test_cadence_follows_a_programme_to_its_end_and_off(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: SimulatedAppliance,
) -> None:
    coordinator = coordinator_of(init_integration)
    monitor = coordinator.manager.get_health_monitor()
    assert coordinator.update_interval == cadence.RUNNING
    assert monitor.poll_interval(simulator.device_id) == cadence.RUNNING.total_seconds()
    reads = state_reads(simulator)
    await elapse(hass, freezer, cadence.RUNNING)
    assert state_reads(simulator) == reads + 1

    simulator.update_state(RemainingTime=[0, 2])
    await elapse(hass, freezer, cadence.RUNNING)
    assert coordinator.update_interval == cadence.IMMINENT

    simulator.update_state(Status=7, RemainingTime=[0, 0], ProgramPhase=268)
    await elapse(hass, freezer, cadence.IMMINENT)
    assert coordinator.data.state.status == Status.END_PROGRAMMED
    assert coordinator.update_interval == cadence.IDLE

    simulator.update_state(Status=1)
    await elapse(hass, freezer, cadence.IDLE)  # the single Off sample is held
    await elapse(hass, freezer, cadence.IDLE)
    assert coordinator.data.state.status == Status.OFF
    assert coordinator.update_interval == cadence.OFF
    assert monitor.poll_interval(simulator.device_id) == cadence.OFF.total_seconds()
    reads = state_reads(simulator)
    await elapse(hass, freezer, cadence.IDLE)
    assert state_reads(simulator) == reads  # off: nothing read after one minute
    await elapse(hass, freezer, cadence.OFF - cadence.IDLE)
    assert state_reads(simulator) == reads + 1


async def test_a_door_left_open_polls_fast_only_for_a_few_minutes(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: SimulatedAppliance,
) -> None:
    """Ten minutes of an open door: IMMINENT_FOR at 5 s, then the running cadence."""
    coordinator = coordinator_of(init_integration)
    simulator.update_state(SignalDoor=True)
    await coordinator.async_refresh()
    assert coordinator.update_interval == cadence.IMMINENT
    reads = state_reads(simulator)
    for _ in range(int(timedelta(minutes=10) / cadence.IMMINENT)):
        await elapse(hass, freezer, cadence.IMMINENT)
    fast = cadence.IMMINENT_FOR / cadence.IMMINENT
    slow = (timedelta(minutes=10) - cadence.IMMINENT_FOR) / cadence.RUNNING
    assert state_reads(simulator) - reads <= fast + slow + 1
    assert coordinator.update_interval == cadence.RUNNING
    assert coordinator.data.state.signal_door


async def test_read_now_is_immediate_and_coalesced(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: SimulatedAppliance,
) -> None:
    coordinator = coordinator_of(init_integration)
    in_flight = [0]
    most_in_flight = 0
    real_get_state = coordinator.client.get_state

    async def counting_get_state(device_id: str) -> State:
        nonlocal most_in_flight
        in_flight[0] += 1
        most_in_flight = max(most_in_flight, in_flight[0])
        try:
            return await real_get_state(device_id)
        finally:
            in_flight[0] -= 1

    coordinator.client.get_state = counting_get_state  # type: ignore[method-assign]
    reads = state_reads(simulator)
    simulator.update_state(Status=6)
    await coordinator.async_read_now()
    assert state_reads(simulator) == reads + 1
    assert coordinator.data.state.status == Status.PAUSE

    # Within the cooldown, a burst of requests queues exactly one read.
    await asyncio.gather(*(coordinator.async_read_now() for _ in range(5)))
    assert state_reads(simulator) == reads + 1
    await elapse(hass, freezer, timedelta(seconds=READ_NOW_COOLDOWN))
    assert state_reads(simulator) == reads + 2

    # After a quiet spell: one read at once, the rest coalesced, never two in flight.
    await elapse(hass, freezer, timedelta(seconds=READ_NOW_COOLDOWN))
    await asyncio.gather(*(coordinator.async_read_now() for _ in range(5)))
    assert state_reads(simulator) == reads + 3
    await elapse(hass, freezer, timedelta(seconds=READ_NOW_COOLDOWN))
    assert state_reads(simulator) == reads + 4
    assert most_in_flight == 1


async def test_each_action_reads_state_at_once(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: SimulatedAppliance,
) -> None:
    coordinator = coordinator_of(init_integration)
    reads = state_reads(simulator)
    await coordinator.async_send_action({"DeviceAction": 2})
    assert state_reads(simulator) == reads + 1
    # Two seconds later (core's default would wait out a 10 s cooldown): at once again.
    await elapse(hass, freezer, timedelta(seconds=2))
    await coordinator.async_send_action({"DeviceAction": 2})
    assert state_reads(simulator) == reads + 2


async def test_update_entity_reads_state_at_once(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: SimulatedAppliance,
    entity_registry: er.EntityRegistry,
) -> None:
    assert await async_setup_component(hass, "homeassistant", {})
    entity_id = next(
        entry.entity_id
        for entry in er.async_entries_for_config_entry(
            entity_registry, init_integration.entry_id
        )
        if not entry.disabled
    )
    reads = state_reads(simulator)
    simulator.update_state(Status=6)
    await hass.services.async_call(
        "homeassistant", "update_entity", {"entity_id": entity_id}, blocking=True
    )
    assert state_reads(simulator) == reads + 1
    assert coordinator_of(init_integration).data.state.status == Status.PAUSE


async def test_push_backs_polling_off_while_pushes_arrive(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: SimulatedAppliance,
) -> None:
    coordinator = coordinator_of(init_integration)
    reads = state_reads(simulator)
    coordinator.push_active = True
    coordinator.push_active = True  # unchanged: nothing moves
    assert coordinator.push_active
    assert coordinator.update_interval == cadence.PUSHED
    assert (
        coordinator.manager.get_health_monitor().poll_interval(simulator.device_id)
        == cadence.PUSHED.total_seconds()
    )
    await elapse(hass, freezer, cadence.OFF)
    assert state_reads(simulator) == reads
    await elapse(hass, freezer, cadence.PUSHED - cadence.OFF)
    assert state_reads(simulator) == reads + 1
    assert coordinator.update_interval == cadence.PUSHED  # a read keeps the back-off

    coordinator.push_active = False  # pushes stopped: back to the cadence at once
    assert coordinator.update_interval == cadence.RUNNING
    await elapse(hass, freezer, cadence.RUNNING)
    assert state_reads(simulator) == reads + 2


async def test_push_change_after_shutdown_schedules_no_read(
    freezer: FrozenDateTimeFactory,
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: SimulatedAppliance,
) -> None:
    coordinator = coordinator_of(init_integration)
    await coordinator.async_shutdown()
    reads = state_reads(simulator)
    coordinator.push_active = True
    await elapse(hass, freezer, cadence.PUSHED)
    assert state_reads(simulator) == reads
