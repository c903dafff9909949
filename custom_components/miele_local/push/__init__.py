"""Push as a doorbell (opt-in, experimental): appliances notify a listener, which reads State.

Pushed content is never used: a push only triggers an immediate signed, verified read,
at most one a second per appliance.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from homeassistant.helpers import issue_registry as ir

from custom_components.miele_local.const import (
    CONF_PUSH,
    CONF_PUSH_PORT,
    DEFAULT_PUSH_PORT,
    DOMAIN,
    LOGGER,
)
from mielelocal.exceptions import MieleError
from mielelocal.supervision import withdraw

from .appliance import PushAppliance, PushState, PushTarget, scrubbed
from .hub import get_hub

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant

    from mielelocal.connection.manager import ConnectionManager
    from mielelocal.connection.profile import DeviceProfile

__all__ = [
    "PushAppliance",
    "PushState",
    "PushTarget",
    "async_remove_push",
    "async_setup_push",
    "async_unload_push",
    "port_issue_id",
]


def port_issue_id(entry_id: str) -> str:
    """Repair issue id for an appliance whose push listener port cannot be bound."""
    return f"push_port_in_use_{entry_id}"


async def async_setup_push(
    hass: HomeAssistant, entry: ConfigEntry, coordinator: PushTarget
) -> PushAppliance:
    """Subscribe the appliance in the background when push is on; tidy up when it is off.

    A listener port that cannot be bound raises a repair issue naming the port (push
    stays off for this appliance, polling goes on); the issue goes once the listener
    binds, push is turned off or the entry unloads.
    """
    hub = get_hub(hass)
    await hub.async_load()
    push = PushAppliance(hass, entry, coordinator, hub)
    name = f"{entry.title} push"
    issue_id = port_issue_id(entry.entry_id)
    ir.async_delete_issue(hass, DOMAIN, issue_id)
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
        LOGGER.warning(
            "%s: push listener cannot listen on port %s: %s", entry.title, port, err
        )
        ir.async_create_issue(
            hass,
            DOMAIN,
            issue_id,
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key="push_port_in_use",
            translation_placeholders={"name": entry.title, "port": str(port)},
        )
        entry.async_on_unload(partial(ir.async_delete_issue, hass, DOMAIN, issue_id))
        return push
    push.watch()
    entry.async_create_background_task(hass, push.async_subscribe(), name)
    return push


async def async_unload_push(push: PushAppliance) -> None:
    """Stop the appliance's doorbell (its slots stay, for the next start to replace)."""
    push.cancel()
    await push.hub.async_detach(push)


async def async_remove_push(
    hass: HomeAssistant,
    manager: ConnectionManager,
    profile: DeviceProfile,
    name: str | None = None,
) -> None:
    """Delete our own slots on a removed appliance (never anyone else's).

    ``name`` (the entry title) names the appliance in the log; without it, its address.
    """
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
        LOGGER.warning(
            "%s: push subscriptions not removed: %s",
            name or profile.host,
            scrubbed(err, device_id),
        )
    await hub.async_save_slots(device_id, [])
