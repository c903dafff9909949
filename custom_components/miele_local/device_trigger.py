"""Device triggers for connection health, built on the connection-state sensor."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from homeassistant.components.device_automation import DEVICE_TRIGGER_BASE_SCHEMA
from homeassistant.components.homeassistant.triggers import state as state_trigger
from homeassistant.components.sensor import DOMAIN as SENSOR_DOMAIN
from homeassistant.const import (
    CONF_DEVICE_ID,
    CONF_DOMAIN,
    CONF_ENTITY_ID,
    CONF_PLATFORM,
    CONF_TYPE,
)
from homeassistant.helpers import config_validation as cv, entity_registry as er
import voluptuous as vol

from mielelocal.connection.health import ConnectionState

from .const import DOMAIN

if TYPE_CHECKING:
    from homeassistant.core import CALLBACK_TYPE, HomeAssistant
    from homeassistant.helpers.trigger import TriggerActionType, TriggerInfo
    from homeassistant.helpers.typing import ConfigType

CONNECTION_STATE_KEY = "connection_state"

_NOT_HEALTHY = [
    ConnectionState.DEGRADED.value,
    ConnectionState.UNHEALTHY.value,
    ConnectionState.SLEEPING.value,
    ConnectionState.PAIRING_LOST.value,
]
_STATE_MATCH: dict[str, dict[str, Any]] = {
    "connection_unhealthy": {state_trigger.CONF_TO: ConnectionState.UNHEALTHY.value},
    "connection_recovered": {
        state_trigger.CONF_FROM: _NOT_HEALTHY,
        state_trigger.CONF_TO: ConnectionState.HEALTHY.value,
    },
    "pairing_lost": {state_trigger.CONF_TO: ConnectionState.PAIRING_LOST.value},
}
TRIGGER_TYPES = frozenset(_STATE_MATCH)

TRIGGER_SCHEMA = DEVICE_TRIGGER_BASE_SCHEMA.extend(
    {
        vol.Required(CONF_ENTITY_ID): cv.entity_id_or_uuid,
        vol.Required(CONF_TYPE): vol.In(TRIGGER_TYPES),
    }
)


def _connection_state_entity(
    registry: er.EntityRegistry, device_id: str
) -> er.RegistryEntry | None:
    """Return the connection-state sensor of a device, if it has one."""
    return next(
        (
            entry
            for entry in er.async_entries_for_device(registry, device_id)
            if entry.platform == DOMAIN
            and entry.domain == SENSOR_DOMAIN
            and entry.translation_key == CONNECTION_STATE_KEY
        ),
        None,
    )


async def async_get_triggers(
    hass: HomeAssistant, device_id: str
) -> list[dict[str, str]]:
    """List the connection-health triggers of an appliance."""
    entry = _connection_state_entity(er.async_get(hass), device_id)
    if entry is None:
        return []
    return [
        {
            CONF_PLATFORM: "device",
            CONF_DEVICE_ID: device_id,
            CONF_DOMAIN: DOMAIN,
            CONF_ENTITY_ID: entry.id,
            CONF_TYPE: trigger_type,
        }
        for trigger_type in sorted(TRIGGER_TYPES)
    ]


async def async_attach_trigger(
    hass: HomeAssistant,
    config: ConfigType,
    action: TriggerActionType,
    trigger_info: TriggerInfo,
) -> CALLBACK_TYPE:
    """Attach a state trigger on the connection-state sensor."""
    state_config = await state_trigger.async_validate_trigger_config(
        hass,
        {
            CONF_PLATFORM: "state",
            CONF_ENTITY_ID: config[CONF_ENTITY_ID],
            **_STATE_MATCH[config[CONF_TYPE]],
        },
    )
    return await state_trigger.async_attach_trigger(
        hass, state_config, action, trigger_info, platform_type="device"
    )
