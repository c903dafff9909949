"""Binary sensors: door, failure, information, remote control, read-only boosts, connectivity."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.const import EntityCategory

from mielelocal.capabilities import capabilities
from mielelocal.connection.health import ConnectionState, DeviceHealth
from mielelocal.models import LightAction, Status

from .entity import MieleEntity, MieleHealthEntity

if TYPE_CHECKING:
    from collections.abc import Callable

    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from mielelocal.capabilities import Capabilities
    from mielelocal.models import State

    from .coordinator import MieleLocalConfigEntry

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class MieleBinarySensorEntityDescription(BinarySensorEntityDescription):
    """An appliance binary sensor: its value from the State, and the appliances it fits."""

    value_fn: Callable[[State], bool | None]
    exists_fn: Callable[[Capabilities], bool] = lambda _caps: True


def _read_only(
    control: Callable[[Capabilities], bool],
) -> Callable[[Capabilities], bool]:
    """Show a control's state read-only where the appliance refuses its writes."""
    return lambda caps: control(caps) and not caps.accepts_writes


def _light_on(state: State) -> bool | None:
    """On or off as reported; unknown while the State reports no light."""
    if state.light not in (LightAction.ON, LightAction.OFF):
        return None
    return state.light == LightAction.ON


def _status_in(*statuses: Status) -> Callable[[State], bool | None]:
    """Return a ``value_fn``: on in ``statuses``, unknown while no status is reported."""
    return lambda state: None if state.status is None else state.status in statuses


BINARY_SENSORS: tuple[MieleBinarySensorEntityDescription, ...] = (
    MieleBinarySensorEntityDescription(
        key="door",
        device_class=BinarySensorDeviceClass.DOOR,
        value_fn=lambda state: state.signal_door,
        exists_fn=lambda caps: caps.has_door,
    ),
    MieleBinarySensorEntityDescription(
        key="failure",
        translation_key="failure",
        device_class=BinarySensorDeviceClass.PROBLEM,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda state: state.signal_failure,
    ),
    MieleBinarySensorEntityDescription(
        key="info",
        translation_key="info",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda state: state.signal_info,
    ),
    MieleBinarySensorEntityDescription(
        key="remote_control",
        translation_key="remote_control",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda state: state.remote_control_enabled,
    ),
    MieleBinarySensorEntityDescription(
        key="superfreeze",
        translation_key="superfreeze",
        value_fn=_status_in(Status.SUPERFREEZING, Status.SUPERCOOLING_SUPERFREEZING),
        exists_fn=_read_only(lambda caps: caps.superfreeze),
    ),
    MieleBinarySensorEntityDescription(
        key="supercool",
        translation_key="supercool",
        value_fn=_status_in(Status.SUPERCOOLING, Status.SUPERCOOLING_SUPERFREEZING),
        exists_fn=_read_only(lambda caps: caps.supercool),
    ),
    MieleBinarySensorEntityDescription(
        key="light",
        device_class=BinarySensorDeviceClass.LIGHT,
        value_fn=_light_on,
        exists_fn=_read_only(lambda caps: caps.has_light),
    ),
)


def _connected(health: DeviceHealth) -> bool | None:
    """Answering (healthy or degraded), not answering, or not known yet."""
    if health.state is ConnectionState.UNKNOWN:
        return None
    return health.state in (ConnectionState.HEALTHY, ConnectionState.DEGRADED)


CONNECTIVITY = BinarySensorEntityDescription(
    key="connectivity",
    device_class=BinarySensorDeviceClass.CONNECTIVITY,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MieleLocalConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the binary sensors that fit the appliance, and its connectivity sensor."""
    coordinator = entry.runtime_data.coordinator
    caps = capabilities(coordinator.data.ident)
    entities: list[BinarySensorEntity] = [
        MieleBinarySensor(coordinator, description)
        for description in BINARY_SENSORS
        if description.exists_fn(caps)
    ]
    entities.append(MieleConnectivitySensor(coordinator, CONNECTIVITY))
    async_add_entities(entities)


class MieleBinarySensor(MieleEntity, BinarySensorEntity):
    """A flag read from the appliance's State."""

    entity_description: MieleBinarySensorEntityDescription

    @property
    def is_on(self) -> bool | None:
        """The flag in the latest State (``None`` when the appliance does not report it)."""
        return self.entity_description.value_fn(self.coordinator.data.state)


class MieleConnectivitySensor(MieleHealthEntity, BinarySensorEntity):
    """Whether the appliance answers, from its connection health."""

    @property
    def is_on(self) -> bool | None:
        """Connected while the connection is healthy or degraded."""
        return _connected(self.health)
