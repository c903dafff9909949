"""Base entities: appliance entities fed by the coordinator, health entities by the monitor."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.components.sensor import SensorEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN
from .coordinator import MieleHubCoordinator
from .miele.models import DeviceType, Ident, State

if TYPE_CHECKING:
    from homeassistant.helpers.typing import StateType

    from .miele.connection.health import DeviceHealth

MANUFACTURER = "Miele"

WASHERS = frozenset(
    {
        DeviceType.WASHING_MACHINE,
        DeviceType.WASHING_MACHINE_SEMI_PROFESSIONAL,
        DeviceType.WASHING_MACHINE_PROFESSIONAL,
        DeviceType.WASHER_DRYER,
    }
)
DRYERS = frozenset(
    {
        DeviceType.TUMBLE_DRYER,
        DeviceType.TUMBLE_DRYER_SEMI_PROFESSIONAL,
        DeviceType.DRYER_PROFESSIONAL,
        DeviceType.WASHER_DRYER,
    }
)
DISHWASHERS = frozenset(
    {
        DeviceType.DISHWASHER,
        DeviceType.DISHWASHER_SEMI_PROFESSIONAL,
        DeviceType.DISHWASHER_PROFESSIONAL,
    }
)
OVENS = frozenset(
    {
        DeviceType.OVEN,
        DeviceType.OVEN_MICROWAVE,
        DeviceType.STEAM_OVEN,
        DeviceType.MICROWAVE,
        DeviceType.STEAM_OVEN_COMBI,
        DeviceType.STEAM_OVEN_MICRO,
        DeviceType.DIALOG_OVEN,
        DeviceType.STEAM_OVEN_MK2,
        DeviceType.DISH_WARMER,
    }
)
FRIDGES = frozenset({DeviceType.FRIDGE, DeviceType.FRIDGE_FREEZER})
FREEZERS = frozenset({DeviceType.FREEZER, DeviceType.FRIDGE_FREEZER})
WINE_CABINETS = frozenset(
    {
        DeviceType.WINE_CABINET,
        DeviceType.WINE_CONDITIONING_UNIT,
        DeviceType.WINE_STORAGE_CONDITIONING_UNIT,
        DeviceType.WINE_CABINET_FREEZER,
    }
)
SUPERCOOL_APPLIANCES = FRIDGES
"""Appliances with supercooling (as core: never wine cabinets)."""
SUPERFREEZE_APPLIANCES = FREEZERS | {DeviceType.WINE_CABINET_FREEZER}
"""Appliances with superfreezing (as core: of the wine cabinets only the one with a freezer)."""
HOODS = frozenset({DeviceType.HOOD, DeviceType.HOB_INDUCTION_EXTRACTION})
HOBS = frozenset(
    {
        DeviceType.HOB_HIGHLIGHT,
        DeviceType.HOB_INDUCTION,
        DeviceType.HOB_INDUCTION_EXTRACTION,
    }
)
LIGHT_APPLIANCES = frozenset(
    {
        DeviceType.OVEN,
        DeviceType.OVEN_MICROWAVE,
        DeviceType.STEAM_OVEN,
        DeviceType.MICROWAVE,
        DeviceType.COFFEE_SYSTEM,
        DeviceType.HOOD,
        DeviceType.STEAM_OVEN_COMBI,
        DeviceType.STEAM_OVEN_MICRO,
        DeviceType.STEAM_OVEN_MK2,
        *WINE_CABINETS,
    }
)
"""Appliances with a switchable light (core's list), whatever their first State says."""
CORE_PROBE_APPLIANCES = frozenset(
    {
        DeviceType.OVEN,
        DeviceType.OVEN_MICROWAVE,
        DeviceType.STEAM_OVEN_COMBI,
        DeviceType.STEAM_OVEN_MK2,
    }
)
"""Ovens with a food probe: their second temperature is the core temperature."""

CYCLE_APPLIANCES = WASHERS | DRYERS | DISHWASHERS | OVENS
"""Appliances that run a timed programme which can be started, paused and stopped."""
PROGRAMME_APPLIANCES = CYCLE_APPLIANCES | {
    DeviceType.COFFEE_SYSTEM,
    DeviceType.ROBOT_VACUUM_CLEANER,
}
COOLING_APPLIANCES = FRIDGES | FREEZERS | WINE_CABINETS
TEMPERATURE_APPLIANCES = OVENS | COOLING_APPLIANCES
TWO_ZONE_APPLIANCES = WINE_CABINETS | {DeviceType.FRIDGE_FREEZER}
"""Appliances with a second temperature zone (core's list)."""
THREE_ZONE_APPLIANCES = WINE_CABINETS
"""Appliances with a third temperature zone (core's list)."""
DOOR_APPLIANCES = CYCLE_APPLIANCES | COOLING_APPLIANCES | {DeviceType.COFFEE_SYSTEM}
WRITE_REFUSING_MODULE = "EK057"
"""Wi-Fi module whose cooling appliances answer 403 to every write (protocol.md)."""

type ExistsFn = Callable[[Ident, State], bool]


def device_info(coordinator: MieleHubCoordinator) -> DeviceInfo:
    """Describe the appliance for the device registry (identified by its FabNumber)."""
    ident = coordinator.ident
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


def accepts_writes(ident: Ident) -> bool:
    """
    Whether the appliance takes remote writes at all.

    Fridges, freezers and wine cabinets on the EK057 module refuse every write by design
    (field reports, ha-miele-at-lan against a KF 7772 B): their controls would only fail.
    """
    module = (ident.xkm_tech_type or "").replace(" ", "").upper()
    return not (
        ident.device_type in COOLING_APPLIANCES
        and module.startswith(WRITE_REFUSING_MODULE)
    )


def always(_ident: Ident, _state: State) -> bool:
    """Default ``exists_fn``: the entity fits every appliance."""
    return True


def for_types(types: frozenset[DeviceType]) -> ExistsFn:
    """Return an ``exists_fn`` that accepts the appliances of ``types``."""

    def exists(ident: Ident, _state: State) -> bool:
        return ident.device_type in types

    return exists


@dataclass(frozen=True, kw_only=True)
class MieleSensorEntityDescription(SensorEntityDescription):
    """An appliance sensor: its value from the State, and the appliances it fits."""

    value_fn: Callable[[State, Ident], StateType]
    exists_fn: ExistsFn = always
    options_fn: Callable[[int], list[str]] | None = None
    """For enum sensors whose options depend on the appliance type."""


class MieleEntity(CoordinatorEntity[MieleHubCoordinator]):
    """An appliance entity: available while the coordinator has a fresh State."""

    _attr_has_entity_name = True

    def __init__(
        self, coordinator: MieleHubCoordinator, description: EntityDescription
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

    @property
    def state_data(self) -> State:
        """The appliance's latest State."""
        return self.coordinator.data


class MieleHealthEntity(Entity):
    """A connection-health entity: diagnostic, pushed by the health monitor, always available."""

    _attr_has_entity_name = True
    _attr_should_poll = False
    _attr_entity_category = EntityCategory.DIAGNOSTIC

    def __init__(
        self, coordinator: MieleHubCoordinator, description: EntityDescription
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
