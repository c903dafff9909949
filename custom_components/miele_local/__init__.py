"""Miele Local: Miele appliances over the local network, no cloud."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from homeassistant.const import Platform
from homeassistant.exceptions import ConfigEntryError, ConfigEntryNotReady
from homeassistant.helpers import issue_registry as ir

from mielelocal.exceptions import MieleError

from .const import CONF_DEVICE_ID, CONF_PUSH, CONF_PUSH_PORT, DOMAIN, LOGGER
from .coordinator import (
    KEY_TRIES,
    MieleApplianceCoordinator,
    MieleLocalConfigEntry,
    MieleRuntimeData,
    pairing_lost_issue_id,
)
from .manager import async_release, entry_profile, get_manager
from .push import async_remove_push, async_setup_push, async_unload_push
from .wlan import MieleWlanCoordinator

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import HomeAssistant

    from mielelocal.connection.manager import ConnectionManager
    from mielelocal.connection.profile import DeviceProfile

PLATFORMS = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.FAN,
    Platform.LIGHT,
    Platform.SENSOR,
    Platform.SWITCH,
]


async def async_migrate_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Bring an entry to the current version; the appliance, its key and entities stay.

    1.2: polling is the integration's job, so the scan interval, timeout and retries
    options go; the push options are kept (push added, off, where missing). (Home Assistant itself refuses an entry of
    a newer major version; a newer minor version is compatible and left alone.)
    """
    if entry.minor_version < 2:
        kept = {CONF_PUSH, CONF_PUSH_PORT}
        dropped = {
            key: value for key, value in entry.options.items() if key not in kept
        }
        options: dict[str, bool | int] = {
            CONF_PUSH: bool(entry.options.get(CONF_PUSH, False))
        }
        if CONF_PUSH_PORT in entry.options:
            options[CONF_PUSH_PORT] = int(entry.options[CONF_PUSH_PORT])
        hass.config_entries.async_update_entry(entry, options=options, minor_version=2)
        LOGGER.debug("%s: options %s now follow the appliance", entry.title, dropped)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: MieleLocalConfigEntry) -> bool:
    """Connect to the appliance, read Ident and State, then set up the platforms.

    The Wi-Fi coordinator reads nothing here: its first read waits for its first listener
    (the Wi-Fi sensor, disabled by default), and a failed read never fails the setup.
    """
    manager = get_manager(hass)
    profile = entry_profile(entry)
    # Runs on unload and after a failed setup (unload is never called then).
    entry.async_on_unload(partial(async_release, hass, manager, profile.device_id))
    coordinator = await _connect(hass, entry, manager, profile)
    push = await async_setup_push(hass, entry, coordinator)
    wlan = MieleWlanCoordinator(hass, entry, coordinator)
    entry.runtime_data = MieleRuntimeData(coordinator, push, wlan)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def _connect(
    hass: HomeAssistant,
    entry: MieleLocalConfigEntry,
    manager: ConnectionManager,
    profile: DeviceProfile,
) -> MieleApplianceCoordinator:
    """Create the appliance's client and coordinator, then read Ident and State."""
    try:
        client = await manager.get_client(profile.device_id, profile)
    except MieleError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="cannot_connect",
            translation_placeholders={"name": entry.title, "host": profile.host},
        ) from err
    coordinator = MieleApplianceCoordinator(hass, entry, manager, client, profile)
    await coordinator.async_config_entry_first_refresh()
    return coordinator


async def async_unload_entry(hass: HomeAssistant, entry: MieleLocalConfigEntry) -> bool:
    """Unload the platforms and push; the appliance's client and health history go on unload."""
    if unloaded := await hass.config_entries.async_unload_platforms(entry, PLATFORMS):
        await async_unload_push(entry.runtime_data.push)
    return unloaded


async def async_remove_entry(hass: HomeAssistant, entry: MieleLocalConfigEntry) -> None:
    """Forget a removed appliance: our push slots on it, its client, health, reset evidence."""
    manager = get_manager(hass)
    try:
        profile = entry_profile(entry)
    except ConfigEntryError:
        pass
    else:
        await async_remove_push(hass, manager, profile, name=entry.title)
    await manager.remove_device(entry.data[CONF_DEVICE_ID])
    ir.async_delete_issue(hass, DOMAIN, pairing_lost_issue_id(entry.entry_id))
    hass.data.get(KEY_TRIES, {}).pop(entry.entry_id, None)
