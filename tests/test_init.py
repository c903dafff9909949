"""Setup, unload, reload and the shared connection manager, against the simulator."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.miele_local.const import (
    CONF_GROUP_KEY,
    DOMAIN,
    WAKE_DELAY,
    WAKE_ROUNDS,
    setup_budget,
)
from custom_components.miele_local.coordinator import pairing_lost_issue_id
from custom_components.miele_local.manager import (
    MIELE_MANAGER,
    entry_profile,
    get_manager,
)
from mielelocal.credentials import GroupCredentials
from mielelocal.exceptions import ReconnectionError

from .conftest import SimulatorFactory, entry_data, unpaired
from .helpers import ENDLESS_TASKS, wait_idle

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from custom_components.miele_local.advertisement import Advertisement

pytestmark = pytest.mark.usefixtures("socket_enabled")


def budget(_: float) -> float:
    """A setup budget short enough for a test."""
    return 0.2


async def test_setup_unload_and_reload(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    assert init_integration.state is ConfigEntryState.LOADED
    coordinator = init_integration.runtime_data.coordinator
    assert coordinator.data.ident.fab_number == init_integration.unique_id
    assert coordinator.data.state.status is not None
    assert coordinator.manager is hass.data[MIELE_MANAGER]

    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert init_integration.state is ConfigEntryState.LOADED
    assert init_integration.runtime_data.coordinator is not coordinator

    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert init_integration.state is ConfigEntryState.NOT_LOADED


async def test_unreachable_appliance_retries_setup(
    hass: HomeAssistant,
    simulator: Any,
    mock_config_entry: MockConfigEntry,
) -> None:
    simulator.set_fault("offline")
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    assert (
        mock_config_entry.reason
        == f"Cannot reach {mock_config_entry.title} at {simulator.host}"
    )

    simulator.set_fault("none")
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=1))
    await wait_idle(hass)
    assert mock_config_entry.state is ConfigEntryState.LOADED


async def test_setup_is_bounded_in_time(
    hass: HomeAssistant, simulator: Any, mock_config_entry: MockConfigEntry
) -> None:
    """An appliance that accepts but never answers cannot hold Home Assistant's start."""
    simulator.set_fault("timeout")
    mock_config_entry.add_to_hass(hass)
    with patch("custom_components.miele_local.coordinator.setup_budget", budget):
        await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    simulator.set_fault("none")


async def test_invalid_stored_key_is_a_setup_error(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    mock_config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        mock_config_entry, data={**mock_config_entry.data, CONF_GROUP_KEY: "12"}
    )
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    assert mock_config_entry.state is ConfigEntryState.SETUP_ERROR
    assert "group_key" in str(mock_config_entry.reason)
    assert "12" not in str(mock_config_entry.reason)


async def test_rejected_key_of_our_household_starts_reauth(
    hass: HomeAssistant, simulator: Any, credentials: GroupCredentials
) -> None:
    """The key is refused and mDNS tells nothing: ask for the key."""
    wrong = GroupCredentials(credentials.group_id, bytes(64))
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=simulator.device_id,
        data=entry_data(simulator.host, simulator.device_id, wrong),
    )
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_ERROR
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [flow["context"]["source"] for flow in flows] == [SOURCE_REAUTH]


async def test_manager_is_shared_and_closed_on_stop(
    hass: HomeAssistant, init_integration: MockConfigEntry, simulator: Any
) -> None:
    manager = get_manager(hass)
    assert manager is init_integration.runtime_data.coordinator.manager
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await hass.async_block_till_done()
    with pytest.raises(ReconnectionError):
        await manager.start()


async def test_manager_is_closed_with_the_last_entry(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    simulator_factory: SimulatorFactory,
    credentials: GroupCredentials,
) -> None:
    """Unloading one of two appliances keeps the manager; unloading the last closes it."""
    other = await simulator_factory("oven", credentials=credentials)
    second = MockConfigEntry(
        domain=DOMAIN,
        unique_id=other.device_id,
        data=entry_data(other.host, other.device_id, credentials),
    )
    second.add_to_hass(hass)
    assert await hass.config_entries.async_setup(second.entry_id)
    manager = get_manager(hass)
    assert await hass.config_entries.async_unload(second.entry_id)
    assert get_manager(hass) is manager
    assert other.device_id not in manager.get_health_monitor().devices
    assert await hass.config_entries.async_unload(init_integration.entry_id)
    await hass.async_block_till_done()
    assert MIELE_MANAGER not in hass.data
    with pytest.raises(ReconnectionError):
        await manager.start()
    # Loading again creates a new manager.
    assert await hass.config_entries.async_setup(init_integration.entry_id)
    assert get_manager(hass) is not manager
    assert init_integration.runtime_data.coordinator.manager is get_manager(hass)


async def test_setup_wakes_a_sleeping_module(
    hass: HomeAssistant, simulator: Any, mock_config_entry: MockConfigEntry
) -> None:
    simulator.wake_delay = 0  # the manager's own wait is skipped in tests
    simulator.set_fault("sleep")
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    assert any(action == {"DeviceAction": 2} for action in simulator.actions)
    assert mock_config_entry.state is ConfigEntryState.LOADED


def test_setup_budget_leaves_room_for_wake_ups() -> None:
    """A timed-out read, the probe, and per wake-up its wait and one more read."""
    timeout = 10.0
    assert setup_budget(timeout) >= (
        timeout + timeout + WAKE_ROUNDS * (WAKE_DELAY + timeout)
    )


async def test_removing_the_entry_deletes_its_repair_issue(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    issue_id = pairing_lost_issue_id(init_integration.entry_id)
    ir.async_create_issue(
        hass, DOMAIN, issue_id, is_fixable=True, severity=ir.IssueSeverity.ERROR,
        translation_key="pairing_lost",
    )  # fmt: skip
    await hass.config_entries.async_remove(init_integration.entry_id)
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


async def test_setup_after_manager_closed_is_not_ready(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry
) -> None:
    """While Home Assistant stops, the closed manager refuses new clients: retry later."""
    await get_manager(hass).close()
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY


@pytest.mark.parametrize("fault", ["offline", "reset"])
async def test_failed_setup_forgets_the_appliance(
    hass: HomeAssistant,
    simulator: Any,
    mock_config_entry: MockConfigEntry,
    fault: str,
    mdns_answers: dict[str, Advertisement],
) -> None:
    """Unload never runs after a failed setup: client, health and evidence go at once."""
    simulator.set_fault(fault)
    mdns_answers[simulator.host] = unpaired(simulator)
    mock_config_entry.add_to_hass(hass)
    await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    assert mock_config_entry.state in (
        ConfigEntryState.SETUP_RETRY,
        ConfigEntryState.SETUP_ERROR,  # a reset asks for the user (repair, reauth)
    )
    manager = get_manager(hass)
    assert simulator.device_id not in manager.get_health_monitor().devices
    assert manager.get_device_resetter().last_evidence(simulator.device_id) is None


async def test_refused_key_at_setup_forgets_the_appliance(
    hass: HomeAssistant, simulator: Any, credentials: GroupCredentials
) -> None:
    """A setup that asks for the key again stops the signed reads with the refused one."""
    wrong = GroupCredentials(credentials.group_id, bytes(64))
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=simulator.device_id,
        data=entry_data(simulator.host, simulator.device_id, wrong),
    )
    entry.add_to_hass(hass)
    manager = get_manager(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_ERROR
    assert simulator.device_id not in manager.get_health_monitor().devices


async def test_reset_detection_at_setup_is_bounded_in_time(
    hass: HomeAssistant,
    simulator: Any,
    credentials: GroupCredentials,
    mdns_answers: dict[str, Advertisement],
) -> None:
    """A refused key starts reset detection; if the appliance then goes silent, retry."""
    wrong = GroupCredentials(credentials.group_id, bytes(64))
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Washer",
        unique_id=simulator.device_id,
        data=entry_data(simulator.host, simulator.device_id, wrong),
    )
    entry.add_to_hass(hass)
    manager = get_manager(hass)
    mdns_answers[simulator.host] = unpaired(simulator)
    # Once the refused read is recorded the appliance never answers: detection hangs.
    manager.get_health_monitor().add_listener(
        simulator.device_id, lambda: simulator.set_fault("timeout")
    )
    with patch("custom_components.miele_local.coordinator.setup_budget", budget):
        await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_RETRY
    assert entry.reason == f"Cannot reach Washer at {simulator.host}"
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    simulator.set_fault("none")


async def test_removing_an_unloaded_entry_forgets_the_appliance(
    hass: HomeAssistant, simulator: Any, mock_config_entry: MockConfigEntry
) -> None:
    """A repair may have created a client for an entry that never loaded: drop it too."""
    mock_config_entry.add_to_hass(hass)
    manager = get_manager(hass)
    client = await manager.get_client(
        simulator.device_id, entry_profile(mock_config_entry)
    )
    simulator.set_fault("reset")
    assert await manager.get_device_resetter().detect_factory_reset(
        client, simulator.device_id
    )
    assert simulator.device_id in manager.get_health_monitor().devices

    await hass.config_entries.async_remove(mock_config_entry.entry_id)
    assert simulator.device_id not in manager.get_health_monitor().devices
    assert manager.get_device_resetter().last_evidence(simulator.device_id) is None


async def test_maintenance_is_a_home_assistant_background_task(
    hass: HomeAssistant, init_integration: MockConfigEntry
) -> None:
    """Home Assistant tracks the manager's endless loop (and cancels it when it stops)."""
    running = [task for task in ENDLESS_TASKS if not task.done()]
    assert len(running) == 1
    assert running[0] in hass._background_tasks
