"""Sensors: appliance status, programme, times and temperatures, plus connection health."""

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
    EntityCategory,
    UnitOfTime,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.util import dt as dt_util

from mielelocal import codes
from mielelocal.capabilities import capabilities
from mielelocal.connection.health import ConnectionState, DeviceHealth
from mielelocal.models import Ident, State, Status

from . import zones
from .entity import MieleEntity, MieleHealthEntity, MieleSensorEntityDescription, having
from .push.entity import MielePushSensor

if TYPE_CHECKING:
    from collections.abc import Callable

    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
    from homeassistant.helpers.typing import StateType

    from .coordinator import MieleHubCoordinator, MieleLocalConfigEntry

PARALLEL_UPDATES = 0

DRYING_STEPS = (
    "extra_dry",
    "normal_plus",
    "normal",
    "slightly_dry",
    "hand_iron_1",
    "hand_iron_2",
    "machine_iron",
    "smoothing",
)
"""Translation keys of ``DryingStep`` 0-7."""
STANDBY_STATES = {1: "network_idle", 2: "deep_standby", 3: "going_to_standby"}
"""Translation keys of ``StandbyState`` (0 means not known, shown as unknown)."""

FINISH_TIME_TOLERANCE = timedelta(minutes=1)


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


def _drying_step(state: State, _ident: Ident) -> str | None:
    step = state.drying_step
    return (
        DRYING_STEPS[step]
        if step is not None and 0 <= step < len(DRYING_STEPS)
        else None
    )


_RUNS_PROGRAMMES = having(lambda caps: caps.runs_programmes)
_RUNS_TIMED_PROGRAMMES = having(lambda caps: caps.runs_timed_programmes)

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
        exists_fn=_RUNS_PROGRAMMES,
    ),
    MieleSensorEntityDescription(
        key="program_phase",
        translation_key="program_phase",
        device_class=SensorDeviceClass.ENUM,
        options_fn=codes.phase_options,
        value_fn=_phase,
        exists_fn=_RUNS_PROGRAMMES,
    ),
    MieleSensorEntityDescription(
        key="remaining_time",
        translation_key="remaining_time",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        value_fn=lambda state, _ident: _minutes(state.remaining_time),
        exists_fn=_RUNS_TIMED_PROGRAMMES,
    ),
    MieleSensorEntityDescription(
        key="program_type",
        translation_key="program_type",
        device_class=SensorDeviceClass.ENUM,
        entity_category=EntityCategory.DIAGNOSTIC,
        options=codes.program_type_options(),
        value_fn=_program_type,
        exists_fn=_RUNS_PROGRAMMES,
    ),
    MieleSensorEntityDescription(
        key="start_time",
        translation_key="start_time",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        value_fn=lambda state, _ident: _minutes(state.start_time),
        exists_fn=_RUNS_TIMED_PROGRAMMES,
    ),
    MieleSensorEntityDescription(
        key="elapsed_time",
        translation_key="elapsed_time",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.MINUTES,
        value_fn=lambda state, _ident: _minutes(state.elapsed_time),
        exists_fn=_RUNS_TIMED_PROGRAMMES,
    ),
    *zones.TEMPERATURE_SENSORS,
    MieleSensorEntityDescription(
        key="spin_speed",
        translation_key="spin_speed",
        native_unit_of_measurement=REVOLUTIONS_PER_MINUTE,
        value_fn=lambda state, _ident: state.spinning_speed,
        exists_fn=having(lambda caps: caps.spin_speed),
    ),
    MieleSensorEntityDescription(
        key="drying_step",
        translation_key="drying_step",
        device_class=SensorDeviceClass.ENUM,
        options=list(DRYING_STEPS),
        value_fn=_drying_step,
        exists_fn=having(lambda caps: caps.drying_step),
    ),
    MieleSensorEntityDescription(
        key="fan_level",
        translation_key="fan_level",
        value_fn=lambda state, _ident: state.ventilation_step,
        exists_fn=having(lambda caps: caps.has_fan),
    ),
    MieleSensorEntityDescription(
        key="standby_state",
        translation_key="standby_state",
        device_class=SensorDeviceClass.ENUM,
        entity_category=EntityCategory.DIAGNOSTIC,
        entity_registry_enabled_default=False,
        options=list(STANDBY_STATES.values()),
        value_fn=lambda state, _ident: STANDBY_STATES.get(state.standby_state or 0),
    ),
    MieleSensorEntityDescription(
        key="battery",
        device_class=SensorDeviceClass.BATTERY,
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda state, _ident: state.battery_level,
        exists_fn=having(lambda caps: caps.has_battery),
    ),
    *zones.HOB_SENSORS,
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


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MieleLocalConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the sensors that fit the appliance, and its connection-health sensors."""
    coordinator = entry.runtime_data.coordinator
    ident, state = coordinator.ident, coordinator.data
    entities: list[SensorEntity] = [
        MieleSensor(coordinator, description)
        for description in SENSORS
        if description.exists_fn(ident, state)
    ]
    if capabilities(ident).runs_timed_programmes:
        entities.extend(
            MieleMomentSensor(coordinator, description)
            for description in MOMENT_SENSORS
        )
    entities.extend(
        MieleHealthSensor(coordinator, description) for description in HEALTH_SENSORS
    )
    entities.append(MielePushSensor(entry.runtime_data.push))
    async_add_entities(entities)


class MieleSensor(MieleEntity, SensorEntity):
    """A value read from the appliance's State."""

    entity_description: MieleSensorEntityDescription

    def __init__(
        self,
        coordinator: MieleHubCoordinator,
        description: MieleSensorEntityDescription,
    ) -> None:
        """Take enum options for the appliance's type when they depend on it."""
        super().__init__(coordinator, description)
        if description.options_fn is not None:
            self._attr_options = description.options_fn(coordinator.ident.device_type)

    @property
    def native_value(self) -> StateType:
        """The value of the latest State."""
        return self.entity_description.value_fn(self.state_data, self.coordinator.ident)


class MieleMomentSensor(MieleEntity, SensorEntity):
    """
    When the programme ends (or a delayed start begins): now + the countdown, to the minute.

    The appliance reports whole minutes, so successive polls disagree by up to a minute;
    the previous value is kept until the estimate moves by a minute or more.
    """

    entity_description: MieleMomentSensorEntityDescription

    def __init__(
        self,
        coordinator: MieleHubCoordinator,
        description: MieleMomentSensorEntityDescription,
    ) -> None:
        """Estimate the moment from the first State."""
        super().__init__(coordinator, description)
        self._attr_native_value = self._estimate(None)

    def _estimate(self, previous: datetime | None) -> datetime | None:
        state = self.coordinator.data
        description = self.entity_description
        if state is None or state.status != description.status:
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
