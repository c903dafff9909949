"""The hood's extraction fan, shown read-only: local fan writes are not proven to work."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.components.fan import FanEntity, FanEntityDescription
from homeassistant.components.fan.const import FanEntityFeature
from homeassistant.util.percentage import ranged_value_to_percentage

from .entity import HOODS, MieleEntity

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .coordinator import MieleLocalConfigEntry

PARALLEL_UPDATES = 0

SPEED_RANGE = (1, 4)
"""``VentilationStep`` 1-3 are the fan levels, 4 the intensive level (as core)."""

FAN = FanEntityDescription(key="fan", translation_key="fan")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MieleLocalConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the fan of hoods and hobs with an integrated hood."""
    coordinator = entry.runtime_data.coordinator
    if coordinator.ident.device_type in HOODS:
        async_add_entities([MieleFan(coordinator, FAN)])


class MieleFan(MieleEntity, FanEntity):
    """The extraction fan: its level from ``VentilationStep``; no controls."""

    _attr_supported_features = FanEntityFeature(0)
    _attr_speed_count = SPEED_RANGE[1] - SPEED_RANGE[0] + 1

    @property
    def is_on(self) -> bool | None:
        """Whether the fan runs (``None`` when the State does not report it)."""
        step = self.state_data.ventilation_step
        return None if step is None else step > 0

    @property
    def percentage(self) -> int | None:
        """The fan level as a percentage of the highest level."""
        step = self.state_data.ventilation_step
        if step is None:
            return None
        return ranged_value_to_percentage(SPEED_RANGE, min(step, SPEED_RANGE[1]))
