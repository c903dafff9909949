"""The push-state diagnostic sensor (added to the sensor platform)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
)
from homeassistant.const import EntityCategory
from homeassistant.core import callback

from custom_components.miele_local.entity import device_info

from .appliance import PushState

if TYPE_CHECKING:
    from .appliance import PushAppliance

PUSH_SENSOR = SensorEntityDescription(
    key="push",
    translation_key="push",
    device_class=SensorDeviceClass.ENUM,
    entity_category=EntityCategory.DIAGNOSTIC,
    entity_registry_enabled_default=False,
    options=[state.value for state in PushState],
)


class MielePushSensor(SensorEntity):
    """Push state: off, active, unsupported or silent (unknown while subscribing)."""

    _attr_has_entity_name = True
    _attr_should_poll = False
    entity_description = PUSH_SENSOR

    def __init__(self, push: PushAppliance) -> None:
        """Attach the sensor to the appliance's device."""
        self._push = push
        self._attr_unique_id = f"{push.device_id}-{PUSH_SENSOR.key}"
        self._attr_device_info = device_info(push.coordinator)

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
