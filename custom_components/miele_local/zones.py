"""Zone sensors: temperature zones and food probe by appliance type, and hob cooking zones."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.components.sensor import SensorDeviceClass, SensorStateClass
from homeassistant.const import UnitOfTemperature, UnitOfTime

from mielelocal import hob
from mielelocal.capabilities import MAX_TEMPERATURE_ZONES

from .entity import ExistsFn, MieleSensorEntityDescription, having

if TYPE_CHECKING:
    from collections.abc import Callable

    from mielelocal.models import Ident, State


def _zone[T](values: tuple[T, ...] | None, zone: int) -> T | None:
    """Return the value of a 1-based zone, ``None`` when the State does not report it."""
    return values[zone - 1] if values is not None and len(values) >= zone else None


def _target_temperature(zone: int) -> Callable[[State, Ident], float | None]:
    return lambda state, _ident: _zone(state.target_temperatures, zone)


def _temperature(zone: int) -> Callable[[State, Ident], float | None]:
    return lambda state, _ident: _zone(state.temperatures, zone)


def _has_temperature_zone(zone: int) -> ExistsFn:
    return having(lambda caps: zone <= caps.temperature_zones)


def _has_target_temperature_zone(zone: int) -> ExistsFn:
    return having(lambda caps: zone <= caps.target_temperature_zones)


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
            exists_fn=having(lambda caps: caps.has_food_probe),
        ),
        MieleSensorEntityDescription(
            key="core_temperature",
            translation_key="core_temperature",
            device_class=SensorDeviceClass.TEMPERATURE,
            native_unit_of_measurement=UnitOfTemperature.CELSIUS,
            state_class=SensorStateClass.MEASUREMENT,
            value_fn=_temperature(2),
            exists_fn=having(lambda caps: caps.has_food_probe),
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


TEMPERATURE_SENSORS = _temperature_sensors()
HOB_SENSORS = _hob_sensors()
