"""Base entities: appliance entities fed by the coordinator, health entities by the monitor."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.const import EntityCategory
from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN
from .coordinator import MieleApplianceCoordinator

if TYPE_CHECKING:
    from homeassistant.helpers.typing import StateType

    from mielelocal.connection.health import DeviceHealth

MANUFACTURER = "Miele"


def device_info(coordinator: MieleApplianceCoordinator) -> DeviceInfo:
    """Describe the appliance for the device registry (identified by its FabNumber)."""
    ident = coordinator.data.ident
    return DeviceInfo(
        identifiers={(DOMAIN, coordinator.device_id)},
        manufacturer=MANUFACTURER,
        name=ident.device_name or coordinator.config_entry.title,
        model=ident.tech_type,
        model_id=ident.mat_number,
        serial_number=ident.fab_number,
        hw_version=ident.xkm_tech_type,
        sw_version=ident.xkm_release_version,
    )


class MieleEntity(CoordinatorEntity[MieleApplianceCoordinator]):
    """An appliance entity: available while the coordinator has a fresh State."""

    _attr_has_entity_name = True

    def __init__(
        self, coordinator: MieleApplianceCoordinator, description: EntityDescription
    ) -> None:
        """Attach the entity to the appliance's device."""
        super().__init__(coordinator)
        self.entity_description = description
        self._attr_unique_id = f"{coordinator.device_id}-{description.key}"
        self._attr_device_info = device_info(coordinator)

    @property
    def available(self) -> bool:
        """Whether the last poll succeeded and produced a State."""
        return super().available and self.coordinator.data is not None


class MieleHealthEntity(Entity):
    """A connection-health entity: diagnostic, pushed by the health monitor, always available."""

    _attr_has_entity_name = True
    _attr_should_poll = False
    _attr_entity_category = EntityCategory.DIAGNOSTIC

    def __init__(
        self, coordinator: MieleApplianceCoordinator, description: EntityDescription
    ) -> None:
        """Attach the entity to the appliance's device."""
        self.coordinator = coordinator
        self.entity_description = description
        self._attr_unique_id = f"{coordinator.device_id}-{description.key}"
        self._attr_device_info = device_info(coordinator)
        self._last_written: tuple[bool, StateType] | None = None

    @property
    def health(self) -> DeviceHealth:
        """The appliance's current connection health."""
        return self.coordinator.health

    @property
    def _shown(self) -> tuple[bool, StateType]:
        """What the state machine shows of this entity: availability and state."""
        return self.available, self.state

    async def async_added_to_hass(self) -> None:
        """Follow every outcome the health monitor records."""
        await super().async_added_to_hass()
        self._last_written = self._shown  # the platform writes it right after this
        self.async_on_remove(
            self.coordinator.async_add_health_listener(self._handle_health_update)
        )

    @callback
    def _handle_health_update(self) -> None:
        """Write the new health to the state machine, only when what it shows changed."""
        if (shown := self._shown) != self._last_written:
            self._last_written = shown
            self.async_write_ha_state()
