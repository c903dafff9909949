"""Polling, spurious samples, availability logging, actions and health, over time."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from homeassistant.exceptions import HomeAssistantError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.miele_local.const import DEFAULT_RETRIES, DOMAIN
from custom_components.miele_local.miele.connection.health import ConnectionState
from custom_components.miele_local.miele.models import Status

from .conftest import SimulatorFactory, entry_data
from .helpers import coordinator_of, poll

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
    assert coordinator.data.status == Status.RUNNING
    await poll(hass, freezer)
    assert coordinator.data.status == Status.PAUSE
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


async def test_single_off_sample_is_held(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Any,
    freezer: FrozenDateTimeFactory,
) -> None:
    coordinator = coordinator_of(init_integration)
    assert coordinator.data.status == Status.RUNNING
    simulator.update_state(Status=1)
    await poll(hass, freezer)
    assert coordinator.data.status == Status.RUNNING
    await poll(hass, freezer)
    assert coordinator.data.status == Status.OFF
    simulator.update_state(Status=1)
    await poll(hass, freezer)
    assert coordinator.data.status == Status.OFF


async def test_unavailable_and_back_logged_once(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator: Any,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    coordinator = coordinator_of(init_integration)
    caplog.set_level(logging.INFO, logger="custom_components.miele_local")
    simulator.set_fault("offline")
    await poll(hass, freezer)
    await poll(hass, freezer)
    assert not coordinator.last_update_success
    assert coordinator.health.state is not ConnectionState.HEALTHY
    simulator.set_fault("none")
    await poll(hass, freezer)
    await poll(hass, freezer)
    assert coordinator.last_update_success
    messages = [
        r.getMessage()
        for r in caplog.records
        if r.name.startswith("custom_components.miele_local")
        and r.levelno == logging.INFO
    ]
    title = init_integration.title
    assert messages.count(f"{title} is available again") == 1
    assert sum(m.startswith(f"{title} is unavailable") for m in messages) == 1


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
