"""Sensors: appliance status, programme, times, temperatures, hob zones; health, push, Wi-Fi."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    PERCENTAGE,
    REVOLUTIONS_PER_MINUTE,
    SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
    EntityCategory,
    UnitOfTemperature,
    UnitOfTime,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.update_coordinator import CoordinatorEntity
from homeassistant.util import dt as dt_util

from mielelocal import codes, hob
from mielelocal.capabilities import MAX_TEMPERATURE_ZONES, Capabilities, capabilities
from mielelocal.connection.health import ConnectionState, DeviceHealth
from mielelocal.models import Ident, State, Status

from .entity import MieleEntity, MieleHealthEntity, device_info
from .push import PushState
from .wlan import MieleWlanCoordinator

if TYPE_CHECKING:
    from collections.abc import Callable

    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
    from homeassistant.helpers.typing import StateType

    from mielelocal.wlan import WlanInfo

    from .coordinator import MieleApplianceCoordinator, MieleLocalConfigEntry
    from .push import PushAppliance

PARALLEL_UPDATES = 0

FINISH_TIME_TOLERANCE = timedelta(minutes=1)

type ExistsFn = Callable[[Ident, State], bool]


def _always(_ident: Ident, _state: State) -> bool:
    """Default ``exists_fn``: the sensor fits every appliance."""
    return True


def _having(predicate: Callable[[Capabilities], bool]) -> ExistsFn:
    """Return an ``exists_fn`` that accepts the appliances whose capabilities pass."""

    def exists(ident: Ident, _state: State) -> bool:
        return predicate(capabilities(ident))

    return exists


@dataclass(frozen=True, kw_only=True)
class MieleSensorEntityDescription(SensorEntityDescription):
    """An appliance sensor: its value from the State, and the appliances it fits."""

    value_fn: Callable[[State, Ident], StateType]
    exists_fn: ExistsFn = _always
    options_fn: Callable[[int], list[str]] | None = None
    """For enum sensors whose options depend on the appliance type."""


@dataclass(frozen=True, kw_only=True)
class MieleHealthSensorEntityDescription(SensorEntityDescription):
    """A connection-health sensor: its value from the appliance's health snapshot."""

    value_fn: Callable[[DeviceHealth], StateType | datetime]


def _status(state: State, _ident: Ident) -> str | None:
    return None if state.status is None else codes.status_key(state.status)


def _program_type(state: State, _ident: Ident) -> str | None:
    program_type = state.program_type
    return None if program_type is None else codes.program_type_key(program_type)


def _program(state: State, ident: Ident) -> str | None:
    if state.program_id is None:
        return None
    return codes.program_key(ident.device_type, state.program_id)


def _phase(state: State, ident: Ident) -> str | None:
    if state.program_phase is None:
        return None
    return codes.phase_key(ident.device_type, state.program_phase)


def _minutes(duration: timedelta | None) -> int | None:
    return None if duration is None else int(duration.total_seconds()) // 60


def _zone[T](values: tuple[T, ...] | None, zone: int) -> T | None:
    """Return the value of a 1-based zone, ``None`` when the State does not report it."""
    return values[zone - 1] if values is not None and len(values) >= zone else None


def _target_temperature(zone: int) -> Callable[[State, Ident], float | None]:
    return lambda state, _ident: _zone(state.target_temperatures, zone)


def _temperature(zone: int) -> Callable[[State, Ident], float | None]:
    return lambda state, _ident: _zone(state.temperatures, zone)


def _has_temperature_zone(zone: int) -> ExistsFn:
    return _having(lambda caps: zone <= caps.temperature_zones)


def _has_target_temperature_zone(zone: int) -> ExistsFn:
    return _having(lambda caps: zone <= caps.target_temperature_zones)


def _temperature_sensors() -> tuple[MieleSensorEntityDescription, ...]:
    descriptions: list[MieleSensorEntityDescription] = []
    for zone in range(1, MAX_TEMPERATURE_ZONES + 1):
        suffix = "" if zone == 1 else "_zone"
        key_suffix = "" if zone == 1 else f"_zone_{zone}"
        placeholders = None if zone == 1 else {"zone": str(zone)}
        descriptions.extend(
            (
                MieleSensorEntityDescription(
                    key=f"target_temperature{key_suffix}",
                    translation_key=f"target_temperature{suffix}",
                    translation_placeholders=placeholders,
                    device_class=SensorDeviceClass.TEMPERATURE,
                    native_unit_of_measurement=UnitOfTemperature.CELSIUS,
                    value_fn=_target_temperature(zone),
                    exists_fn=_has_target_temperature_zone(zone),
                ),
                MieleSensorEntityDescription(
                    key=f"temperature{key_suffix}",
                    translation_key=f"temperature{suffix}",
                    translation_placeholders=placeholders,
                    device_class=SensorDeviceClass.TEMPERATURE,
                    native_unit_of_measurement=UnitOfTemperature.CELSIUS,
                    state_class=SensorStateClass.MEASUREMENT,
                    value_fn=_temperature(zone),
                    exists_fn=_has_temperature_zone(zone),
                ),
            )
        )
    return (
        *descriptions,
        MieleSensorEntityDescription(
            key="core_target_temperature",
            translation_key="core_target_temperature",
            device_class=SensorDeviceClass.TEMPERATURE,
            native_unit_of_measurement=UnitOfTemperature.CELSIUS,
            value_fn=_target_temperature(2),
            exists_fn=_having(lambda caps: caps.has_food_probe),
        ),
        MieleSensorEntityDescription(
            key="core_temperature",
            translation_key="core_temperature",
            device_class=SensorDeviceClass.TEMPERATURE,
            native_unit_of_measurement=UnitOfTemperature.CELSIUS,
            state_class=SensorStateClass.MEASUREMENT,
            value_fn=_temperature(2),
            exists_fn=_having(lambda caps: caps.has_food_probe),
        ),
    )


def _has_zone(zone: int) -> ExistsFn:
    """Return an ``exists_fn`` accepting hobs with at least ``zone`` zones."""

    def exists(ident: Ident, state: State) -> bool:
        return zone <= hob.hob_zone_count(ident, state)

    return exists


def _plate_step(zone: int) -> Callable[[State, Ident], str | None]:
    return lambda state, _ident: hob.zone_power_level_key(state, zone)


def _plate_remaining_heat(zone: int) -> Callable[[State, Ident], str | None]:
    def value(state: State, _ident: Ident) -> str | None:
        code = _zone(state.plate_remaining_heat, zone)
        return None if code is None else hob.remaining_heat_key(code)

    return value


def _plate_remaining_minutes(zone: int) -> Callable[[State, Ident], int | None]:
    return lambda state, _ident: _zone(state.plate_remaining_minutes, zone)


def _hob_sensors() -> tuple[MieleSensorEntityDescription, ...]:
    descriptions: list[MieleSensorEntityDescription] = []
    for zone in range(1, hob.MAX_ZONES + 1):
        placeholders = {"zone": str(zone)}
        descriptions.extend(
            (
                MieleSensorEntityDescription(
                    key=f"plate_{zone}_step",
                    translation_key="plate_step",
                    translation_placeholders=placeholders,
                    device_class=SensorDeviceClass.ENUM,
                    options=list(hob.PLATE_STEP_OPTIONS),
                    value_fn=_plate_step(zone),
                    exists_fn=_has_zone(zone),
                ),
                MieleSensorEntityDescription(
                    key=f"plate_{zone}_remaining_heat",
                    translation_key="plate_remaining_heat",
                    translation_placeholders=placeholders,
                    device_class=SensorDeviceClass.ENUM,
                    options=list(hob.REMAINING_HEAT_OPTIONS),
                    value_fn=_plate_remaining_heat(zone),
                    exists_fn=_has_zone(zone),
                ),
                MieleSensorEntityDescription(
                    key=f"plate_{zone}_remaining_minutes",
                    translation_key="plate_remaining_minutes",
                    translation_placeholders=placeholders,
                    device_class=SensorDeviceClass.DURATION,
                    native_unit_of_measurement=UnitOfTime.MINUTES,
                    value_fn=_plate_remaining_minutes(zone),
                    exists_fn=_has_zone(zone),
                ),
            )
        )
    return tuple(descriptions)


_RUNS_PROGRAMS = _having(lambda caps: caps.runs_programs)
_RUNS_TIMED_PROGRAMS = _having(lambda caps: caps.runs_timed_programs)

SENSORS: tuple[MieleSensorEntityDescription, ...] = (
    MieleSensorEntityDescription(
        key="status",
        translation_key="status",
        device_class=SensorDeviceClass.ENUM,
        options=codes.status_options(),
        value_fn=_status,
    ),
    MieleSensorEntityDescription(
        key="program",
        translation_key="program",
        device_class=SensorDeviceClass.ENUM,
        options_fn=codes.program_options,
        value_fn=_program,
        exists_fn=_RUNS_PROGRAMS,
    ),
    MieleSensorEntityDescription(
        key="program_phase",
        translation_key="program_phase",
        device_class=SensorDeviceClass.ENUM,
        options_fn=codes.phase_options,
        value_fn=_phase,
        exists_fn=_RUNS_PROGRAMS,
    ),
    MieleSensorEntityDescription(
        key="remaining_time",
        translation_key="remaining_time",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        value_fn=lambda state, _ident: _minutes(state.remaining_time),
        exists_fn=_RUNS_TIMED_PROGRAMS,
    ),
    MieleSensorEntityDescription(
        key="program_type",
        translation_key="program_type",
        device_class=SensorDeviceClass.ENUM,
        entity_category=EntityCategory.DIAGNOSTIC,
        options=codes.program_type_options(),
        value_fn=_program_type,
        exists_fn=_RUNS_PROGRAMS,
    ),
    MieleSensorEntityDescription(
        key="start_time",
        translation_key="start_time",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        value_fn=lambda state, _ident: _minutes(state.start_time),
        exists_fn=_RUNS_TIMED_PROGRAMS,
    ),
    MieleSensorEntityDescription(
        key="elapsed_time",
        translation_key="elapsed_time",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        value_fn=lambda state, _ident: _minutes(state.elapsed_time),
        exists_fn=_RUNS_TIMED_PROGRAMS,
    ),
    *_temperature_sensors(),
    MieleSensorEntityDescription(
        key="spin_speed",
        translation_key="spin_speed",
        native_unit_of_measurement=REVOLUTIONS_PER_MINUTE,
        value_fn=lambda state, _ident: state.spinning_speed,
        exists_fn=_having(lambda caps: caps.spin_speed),
    ),
    MieleSensorEntityDescription(
        key="drying_step",
        translation_key="drying_step",
        device_class=SensorDeviceClass.ENUM,
        options=list(codes.DRYING_STEPS),
        value_fn=lambda state, _ident: codes.drying_step_key(state.drying_step),
        exists_fn=_having(lambda caps: caps.drying_step),
    ),
    MieleSensorEntityDescription(
        key="fan_level",
        translation_key="fan_level",
        value_fn=lambda state, _ident: state.ventilation_step,
        exists_fn=_having(lambda caps: caps.has_fan),
    ),
    MieleSensorEntityDescription(
        key="standby_state",
        translation_key="standby_state",
        device_class=SensorDeviceClass.ENUM,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        options=list(codes.STANDBY_STATES.values()),
        value_fn=lambda state, _ident: codes.standby_state_key(state.standby_state),
    ),
    MieleSensorEntityDescription(
        key="battery",
        device_class=SensorDeviceClass.BATTERY,
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda state, _ident: state.battery_level,
        exists_fn=_having(lambda caps: caps.has_battery),
    ),
    *_hob_sensors(),
)


@dataclass(frozen=True, kw_only=True)
class MieleMomentSensorEntityDescription(SensorEntityDescription):
    """A moment estimated as now + a countdown the State reports in a given status."""

    status: Status
    countdown_fn: Callable[[State], timedelta | None]


MOMENT_SENSORS = (
    MieleMomentSensorEntityDescription(
        key="finish_time",
        translation_key="finish_time",
        device_class=SensorDeviceClass.TIMESTAMP,
        status=Status.RUNNING,
        countdown_fn=lambda state: state.remaining_time,
    ),
    MieleMomentSensorEntityDescription(
        key="start_timestamp",
        translation_key="start",
        device_class=SensorDeviceClass.TIMESTAMP,
        status=Status.WAITING_TO_START,
        countdown_fn=lambda state: state.start_time,
    ),
)


def _milliseconds(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 3)


def _percent(ratio: float | None) -> float | None:
    return None if ratio is None else round(ratio * 100, 1)


HEALTH_SENSORS: tuple[MieleHealthSensorEntityDescription, ...] = (
    MieleHealthSensorEntityDescription(
        key="connection_state",
        translation_key="connection_state",
        device_class=SensorDeviceClass.ENUM,
        options=[state.value for state in ConnectionState],
        value_fn=lambda health: health.state.value,
    ),
    MieleHealthSensorEntityDescription(
        key="response_time",
        translation_key="response_time",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MILLISECONDS,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        entity_registry_enabled_default=False,
        value_fn=lambda health: _milliseconds(health.response_time),
    ),
    MieleHealthSensorEntityDescription(
        key="consecutive_failures",
        translation_key="consecutive_failures",
        state_class=SensorStateClass.MEASUREMENT,
        entity_registry_enabled_default=False,
        value_fn=lambda health: health.consecutive_failures,
    ),
    MieleHealthSensorEntityDescription(
        key="last_success",
        translation_key="last_success",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_registry_enabled_default=False,
        value_fn=lambda health: health.last_success,
    ),
    MieleHealthSensorEntityDescription(
        key="success_ratio",
        translation_key="success_ratio",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        entity_registry_enabled_default=False,
        value_fn=lambda health: _percent(health.success_ratio),
    ),
    MieleHealthSensorEntityDescription(
        key="reconnects",
        translation_key="reconnects",
        state_class=SensorStateClass.TOTAL_INCREASING,
        entity_registry_enabled_default=False,
        value_fn=lambda health: health.reconnect_count,
    ),
)


PUSH_SENSOR = SensorEntityDescription(
    key="push",
    translation_key="push",
    device_class=SensorDeviceClass.ENUM,
    entity_category=EntityCategory.DIAGNOSTIC,
    entity_registry_enabled_default=False,
    options=[state.value for state in PushState],
)


@dataclass(frozen=True, kw_only=True)
class MieleWlanSensorEntityDescription(SensorEntityDescription):
    """A Wi-Fi sensor: its value from the module's ``/WLAN/`` document."""

    value_fn: Callable[[WlanInfo], StateType]


WIFI_SIGNAL_SENSOR = MieleWlanSensorEntityDescription(
    key="wifi_signal",
    translation_key="wifi_signal",
    device_class=SensorDeviceClass.SIGNAL_STRENGTH,
    native_unit_of_measurement=SIGNAL_STRENGTH_DECIBELS_MILLIWATT,
    state_class=SensorStateClass.MEASUREMENT,
    entity_category=EntityCategory.DIAGNOSTIC,
    entity_registry_enabled_default=False,
    value_fn=lambda wlan: wlan.rssi,
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MieleLocalConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensors that fit the appliance, its health, push and Wi-Fi sensors."""
    coordinator = entry.runtime_data.coordinator
    ident, state = coordinator.data.ident, coordinator.data.state
    entities: list[SensorEntity] = [
        MieleSensor(coordinator, description)
        for description in SENSORS
        if description.exists_fn(ident, state)
    ]
    if capabilities(ident).runs_timed_programs:
        entities.extend(
            MieleMomentSensor(coordinator, description)
            for description in MOMENT_SENSORS
        )
    entities.extend(
        MieleHealthSensor(coordinator, description) for description in HEALTH_SENSORS
    )
    entities.append(MielePushSensor(coordinator, entry.runtime_data.push))
    entities.append(MieleWlanSensor(entry.runtime_data.wlan, WIFI_SIGNAL_SENSOR))
    async_add_entities(entities)


class MieleSensor(MieleEntity, SensorEntity):
    """A value read from the appliance's State."""

    entity_description: MieleSensorEntityDescription

    def __init__(
        self,
        coordinator: MieleApplianceCoordinator,
        description: MieleSensorEntityDescription,
    ) -> None:
        """Take enum options for the appliance's type when they depend on it."""
        super().__init__(coordinator, description)
        if description.options_fn is not None:
            self._attr_options = description.options_fn(
                coordinator.data.ident.device_type
            )

    @property
    def native_value(self) -> StateType:
        """The value of the latest State."""
        data = self.coordinator.data
        return self.entity_description.value_fn(data.state, data.ident)


class MieleMomentSensor(MieleEntity, SensorEntity):
    """When the programme ends (or a delayed start begins): now + the countdown, to the minute.

    The appliance reports whole minutes, so successive polls disagree by up to a minute;
    the previous value is kept until the estimate moves by a minute or more.
    """

    entity_description: MieleMomentSensorEntityDescription

    def __init__(
        self,
        coordinator: MieleApplianceCoordinator,
        description: MieleMomentSensorEntityDescription,
    ) -> None:
        """Estimate the moment from the first State."""
        super().__init__(coordinator, description)
        self._attr_native_value = self._estimate(None)

    def _estimate(self, previous: datetime | None) -> datetime | None:
        state = self.coordinator.data.state
        description = self.entity_description
        if state.status != description.status:
            return None
        if not (countdown := description.countdown_fn(state)):
            return None
        finish = dt_util.utcnow() + countdown
        if previous is not None and abs(finish - previous) < FINISH_TIME_TOLERANCE:
            return previous
        return (finish + timedelta(seconds=30)).replace(second=0, microsecond=0)

    @callback
    def _handle_coordinator_update(self) -> None:
        """Update the estimate, keeping it steady against minute rounding."""
        previous = self._attr_native_value
        self._attr_native_value = self._estimate(
            previous if isinstance(previous, datetime) else None
        )
        super()._handle_coordinator_update()


class MieleHealthSensor(MieleHealthEntity, SensorEntity):
    """A connection-health figure of the appliance."""

    entity_description: MieleHealthSensorEntityDescription

    @property
    def native_value(self) -> StateType | datetime:
        """The figure from the latest health snapshot."""
        return self.entity_description.value_fn(self.health)


class MielePushSensor(SensorEntity):
    """Push state: off, active, unsupported or silent (unknown while subscribing)."""

    _attr_has_entity_name = True
    _attr_should_poll = False
    entity_description = PUSH_SENSOR

    def __init__(
        self, coordinator: MieleApplianceCoordinator, push: PushAppliance
    ) -> None:
        """Attach the sensor to the appliance's device."""
        self._push = push
        self._attr_unique_id = f"{coordinator.device_id}-{PUSH_SENSOR.key}"
        self._attr_device_info = device_info(coordinator)

    @property
    def native_value(self) -> str | None:
        """The current push state."""
        return None if self._push.state is None else self._push.state.value

    async def async_added_to_hass(self) -> None:
        """Follow the push state."""
        self.async_on_remove(self._push.add_listener(self._changed))

    @callback
    def _changed(self) -> None:
        self.async_write_ha_state()


class MieleWlanSensor(CoordinatorEntity[MieleWlanCoordinator], SensorEntity):
    """A figure of the module's Wi-Fi connection; unavailable until the first read."""

    _attr_has_entity_name = True
    entity_description: MieleWlanSensorEntityDescription

    def __init__(
        self,
        coordinator: MieleWlanCoordinator,
        description: MieleWlanSensorEntityDescription,
    ) -> None:
        """Attach the sensor to the appliance's device."""
        super().__init__(coordinator)
        self.entity_description = description
        appliance = coordinator.appliance
        self._attr_unique_id = f"{appliance.device_id}-{description.key}"
        self._attr_device_info = device_info(appliance)

    @property
    def available(self) -> bool:
        """Whether the last read succeeded (or was skipped) and one ever did."""
        return super().available and self.coordinator.data is not None

    @property
    def native_value(self) -> StateType:
        """The value of the last ``/WLAN/`` read."""
        wlan = self.coordinator.data
        return None if wlan is None else self.entity_description.value_fn(wlan)
