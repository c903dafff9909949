"""The appliance light (ovens, hoods, ...): each switch is sent once, never retried."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.components.light import LightEntity, LightEntityDescription
from homeassistant.components.light.const import ColorMode

from mielelocal.capabilities import capabilities
from mielelocal.models import LightAction

from .entity import MieleEntity

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .coordinator import MieleLocalConfigEntry

PARALLEL_UPDATES = 1

LIGHT = LightEntityDescription(key="light", translation_key="light")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MieleLocalConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the light of appliances that have one (by type) and take writes."""
    coordinator = entry.runtime_data.coordinator
    caps = capabilities(coordinator.data.ident)
    if caps.has_light and caps.accepts_writes:
        async_add_entities([MieleLight(coordinator, LIGHT)])


class MieleLight(MieleEntity, LightEntity):
    """The appliance's interior or cooktop light."""

    _attr_color_mode = ColorMode.ONOFF

    @property
    def supported_color_modes(self) -> set[ColorMode]:
        """The light only switches on and off."""
        return {ColorMode.ONOFF}

    @property
    def available(self) -> bool:
        """Available while the State reports the light (``Light`` 1 on or 2 off)."""
        return super().available and self.coordinator.data.state.light in (
            LightAction.ON,
            LightAction.OFF,
        )

    @property
    def is_on(self) -> bool:
        """Whether the latest State reports the light on."""
        return self.coordinator.data.state.light == LightAction.ON

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Switch the light on (one request)."""
        await self.coordinator.async_send_action({"Light": int(LightAction.ON)})

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Switch the light off (one request)."""
        await self.coordinator.async_send_action({"Light": int(LightAction.OFF)})
