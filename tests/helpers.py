"""Plain helpers shared by the Home Assistant platform tests."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from homeassistant.const import ATTR_ENTITY_ID
from pytest_homeassistant_custom_component.common import async_fire_time_changed

if TYPE_CHECKING:
    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant

    from simulator import SimulatedAppliance

APPLIANCES = (
    "washer",
    "tumble_dryer",
    "dishwasher",
    "oven",
    "fridge_freezer",
    "hood",
    "coffee_machine",
)
FROZEN_START = "2026-05-04T12:00:20+00:00"
SCAN_INTERVAL = timedelta(seconds=30)


async def poll(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    """Let one scan interval pass so the coordinator reads State again."""
    freezer.tick(SCAN_INTERVAL)
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


async def call_entity_service(
    hass: HomeAssistant, domain: str, service: str, entity_id: str
) -> None:
    """Call a service on one entity and wait until Home Assistant is idle."""
    await hass.services.async_call(
        domain, service, {ATTR_ENTITY_ID: entity_id}, blocking=True
    )
    await hass.async_block_till_done()


def put_statuses(simulator: SimulatedAppliance) -> list[int | None]:
    """HTTP statuses of the writes the simulator received."""
    return [record.status for record in simulator.requests if record.method == "PUT"]
