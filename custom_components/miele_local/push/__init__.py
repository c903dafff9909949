"""
Push as a doorbell (opt-in, experimental): appliances notify a listener, which reads State.

Pushed content is never used: a push only triggers an immediate signed, verified read,
at most one a second per appliance.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from custom_components.miele_local.const import (
    CONF_PUSH,
    CONF_PUSH_PORT,
    DEFAULT_PUSH_PORT,
    LOGGER,
)
from custom_components.miele_local.miele.exceptions import MieleError
from custom_components.miele_local.miele.supervision import withdraw

from .appliance import PushAppliance, PushState
from .hub import get_hub

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant

    from custom_components.miele_local.coordinator import (
        MieleHubCoordinator,
        MieleLocalConfigEntry,
    )
    from custom_components.miele_local.miele.connection.manager import ConnectionManager
    from custom_components.miele_local.miele.connection.profile import DeviceProfile

__all__ = [
    "PushAppliance",
    "PushState",
    "async_remove_push",
    "async_setup_push",
    "async_unload_push",
]


async def async_setup_push(
    hass: HomeAssistant, entry: MieleLocalConfigEntry, coordinator: MieleHubCoordinator
) -> PushAppliance:
    """Subscribe the appliance in the background when push is on; tidy up when it is off."""
    hub = get_hub(hass)
    await hub.async_load()
    push = PushAppliance(hass, entry, coordinator, hub)
    name = f"{entry.title} push"
    if not entry.options.get(CONF_PUSH, False):
        push.state = PushState.OFF
        if previous := hub.slots(push.device_id):
            entry.async_create_background_task(
                hass, push.async_withdraw(previous), name
            )
        return push
    port = int(entry.options.get(CONF_PUSH_PORT, DEFAULT_PUSH_PORT))
    try:
        await hub.async_attach(push, port)
    except OSError as err:
        LOGGER.warning("Push listener cannot listen on port %s: %s", port, err)
        return push
    push.watch()
    entry.async_create_background_task(hass, push.async_subscribe(), name)
    return push


async def async_unload_push(push: PushAppliance) -> None:
    """Stop the appliance's doorbell (its slots stay, for the next start to replace)."""
    push.cancel()
    await push.hub.async_detach(push)


async def async_remove_push(
    hass: HomeAssistant, manager: ConnectionManager, profile: DeviceProfile
) -> None:
    """Delete our own slots on a removed appliance (never anyone else's)."""
    hub = get_hub(hass)
    await hub.async_load()
    device_id = profile.device_id
    if not (slots := hub.slots(device_id)):
        return
    try:
        client = await manager.get_client(device_id, profile)
        await manager.execute_once(
            device_id, lambda: withdraw(client, device_id, hub.listener_fab, slots)
        )
    except MieleError as err:
        LOGGER.warning("Push subscriptions of %s not removed: %s", device_id, err)
    await hub.async_save_slots(device_id, [])
