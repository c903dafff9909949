"""The hood's extraction fan, read-only: local fan writes are not proven to work.

Home Assistant shows a fan's speed only when it can be set, so the level itself is the
``fan_level`` sensor's; the fan shows whether extraction runs (as core's read-only fan).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.components.fan import FanEntity, FanEntityDescription
from homeassistant.components.fan.const import FanEntityFeature

from mielelocal.capabilities import capabilities

from .entity import MieleEntity

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .coordinator import MieleLocalConfigEntry

PARALLEL_UPDATES = 0

FAN = FanEntityDescription(key="fan", translation_key="fan")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MieleLocalConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the fan of hoods and hobs with an integrated hood."""
    coordinator = entry.runtime_data.coordinator
    if capabilities(coordinator.data.ident).has_fan:
        async_add_entities([MieleFan(coordinator, FAN)])


class MieleFan(MieleEntity, FanEntity):
    """The extraction fan, on while ``VentilationStep`` is above 0; no controls."""

    _attr_supported_features = FanEntityFeature(0)

    @property
    def is_on(self) -> bool | None:
        """Whether the fan runs (``None`` when the State does not report it)."""
        step = self.coordinator.data.state.ventilation_step
        return None if step is None else step > 0
