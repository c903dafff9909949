"""Plain helpers shared by the Home Assistant platform tests."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any
from weakref import WeakSet

from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.miele_local import cadence
from custom_components.miele_local.const import DOMAIN
from custom_components.miele_local.coordinator import pairing_lost_issue_id

if TYPE_CHECKING:
    from datetime import timedelta

    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from custom_components.miele_local.coordinator import MieleApplianceCoordinator
    from simulator import SimulatedAppliance

APPLIANCES = (
    "washer",
    "tumble_dryer",
    "dishwasher",
    "oven",
    "oven_off",
    "hob",
    "fridge_freezer",
    "fridge_freezer_ek044w",
    "wine_cabinet",
    "hood",
    "coffee_machine",
)
FROZEN_START = "2026-05-04T12:00:20+00:00"
ENDLESS_TASKS: WeakSet[asyncio.Task[None]] = WeakSet()
"""Background tasks that run until Home Assistant stops (the manager's maintenance loop)."""


def coordinator_of(entry: MockConfigEntry) -> MieleApplianceCoordinator:
    """The loaded entry's coordinator."""
    return entry.runtime_data.coordinator


async def wait_idle(hass: HomeAssistant) -> None:
    """Wait until every task and background task is done, except the ENDLESS_TASKS."""
    await hass.async_block_till_done()
    # Home Assistant's own wait (wait_background_tasks=True) would wait for them forever.
    while pending := [
        task
        for task in hass._background_tasks
        if task not in ENDLESS_TASKS and not task.done()
    ]:
        await asyncio.wait(pending)
        await hass.async_block_till_done()


async def poll(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    at_least: timedelta = cadence.IMMINENT,
) -> None:
    """
    Let the longest current cadence of the loaded appliances (or `at_least`) pass.

    Each appliance reads State once more.
    """
    intervals = [
        entry.runtime_data.coordinator.update_interval
        for entry in hass.config_entries.async_loaded_entries(DOMAIN)
    ]
    freezer.tick(max([at_least, *(i for i in intervals if i is not None)]))
    async_fire_time_changed(hass)
    await wait_idle(hass)


async def call_entity_service(
    hass: HomeAssistant, domain: str, service: str, entity_id: str
) -> None:
    """Call a service on one entity and wait until Home Assistant is idle."""
    await hass.services.async_call(
        domain, service, {ATTR_ENTITY_ID: entity_id}, blocking=True
    )
    await hass.async_block_till_done()


def reauth_flows(hass: HomeAssistant) -> list[Any]:
    """The re-authentication flows in progress for this integration."""
    return [
        flow
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        if flow["context"]["source"] == SOURCE_REAUTH
    ]


def issue(hass: HomeAssistant, entry: MockConfigEntry) -> ir.IssueEntry | None:
    """The entry's pairing-lost repair issue, if one is open."""
    return ir.async_get(hass).async_get_issue(
        DOMAIN, pairing_lost_issue_id(entry.entry_id)
    )


def put_statuses(simulator: SimulatedAppliance) -> list[int | None]:
    """HTTP statuses of the writes the simulator received."""
    return [record.status for record in simulator.requests if record.method == "PUT"]
