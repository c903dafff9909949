"""Miele Local: Miele appliances over the local network, no cloud."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.const import CONF_HOST, EVENT_HOMEASSISTANT_STOP, Platform
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryError, ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv, issue_registry as ir
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util.hass_dict import HassKey

from .const import (
    CONF_DEVICE_ID,
    CONF_GROUP_ID,
    CONF_GROUP_KEY,
    CONF_TIMEOUT,
    DEFAULT_TIMEOUT,
    DOMAIN,
)
from .coordinator import (
    MieleHubCoordinator,
    MieleLocalConfigEntry,
    MieleRuntimeData,
    pairing_lost_issue_id,
)
from .miele.client import MieleClient
from .miele.connection.manager import ConnectionManager
from .miele.connection.profile import DeviceProfile
from .miele.credentials import GroupCredentials
from .miele.exceptions import MieleConfigError, MieleError
from .push import async_remove_push, async_setup_push, async_unload_push

if TYPE_CHECKING:
    from homeassistant.config_entries import ConfigEntry
    from homeassistant.helpers.typing import ConfigType

PLATFORMS = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.FAN,
    Platform.LIGHT,
    Platform.SENSOR,
    Platform.SWITCH,
]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)
MIELE_MANAGER: HassKey[ConnectionManager] = HassKey(DOMAIN)


@callback
def get_manager(hass: HomeAssistant) -> ConnectionManager:
    """Return the one connection manager of this Home Assistant instance (closed on stop)."""
    if (manager := hass.data.get(MIELE_MANAGER)) is not None:
        return manager
    session = async_get_clientsession(hass)

    def create_client(profile: DeviceProfile) -> MieleClient:
        """Create a client with the request timeout chosen in the appliance's options."""
        entry = hass.config_entries.async_entry_for_domain_unique_id(
            DOMAIN, profile.device_id
        )
        timeout = (
            entry.options.get(CONF_TIMEOUT, DEFAULT_TIMEOUT)
            if entry
            else DEFAULT_TIMEOUT
        )
        pool = shared.get_connection_pool()
        return MieleClient(
            profile.host,
            profile.credentials,
            session=session,
            timeout=timeout,
            limiter=lambda: pool.slot(profile.host),
        )

    shared = hass.data[MIELE_MANAGER] = ConnectionManager(
        session=session,
        client_factory=create_client,
        create_task=hass.async_create_background_task,
    )

    async def close(_: Event) -> None:
        await shared.close()

    hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, close)
    return shared


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Create the shared connection manager."""
    get_manager(hass)
    return True


def entry_profile(entry: ConfigEntry) -> DeviceProfile:
    """Return the stored appliance address and key, validated."""
    try:
        credentials = GroupCredentials.from_hex(
            entry.data[CONF_GROUP_ID], entry.data[CONF_GROUP_KEY]
        )
        return DeviceProfile(
            entry.data[CONF_DEVICE_ID], entry.data[CONF_HOST], credentials
        )
    except MieleConfigError as err:
        raise ConfigEntryError(
            translation_domain=DOMAIN,
            translation_key="invalid_config",
            translation_placeholders={"field": err.field},
        ) from err


async def async_setup_entry(hass: HomeAssistant, entry: MieleLocalConfigEntry) -> bool:
    """Connect to the appliance, read Ident and State, then set up the platforms."""
    manager = get_manager(hass)
    profile = entry_profile(entry)
    try:
        coordinator = await _connect(hass, entry, manager, profile)
    except BaseException:
        # Setup failed: unload is never called, so stop tracking the appliance here.
        await manager.remove_device(profile.device_id)
        raise
    push = await async_setup_push(hass, entry, coordinator)
    entry.runtime_data = MieleRuntimeData(coordinator, push)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def _connect(
    hass: HomeAssistant,
    entry: MieleLocalConfigEntry,
    manager: ConnectionManager,
    profile: DeviceProfile,
) -> MieleHubCoordinator:
    """Create the appliance's client and coordinator, then read Ident and State."""
    try:
        client = await manager.get_client(profile.device_id, profile)
    except MieleError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="cannot_connect",
            translation_placeholders={"name": entry.title, "host": profile.host},
        ) from err
    coordinator = MieleHubCoordinator(hass, entry, manager, client, profile)
    await coordinator.async_config_entry_first_refresh()
    return coordinator


async def async_unload_entry(hass: HomeAssistant, entry: MieleLocalConfigEntry) -> bool:
    """Unload the platforms and forget the appliance's client and health history."""
    if unloaded := await hass.config_entries.async_unload_platforms(entry, PLATFORMS):
        await async_unload_push(entry.runtime_data.push)
        await get_manager(hass).remove_device(entry.runtime_data.coordinator.device_id)
    return unloaded


async def async_remove_entry(hass: HomeAssistant, entry: MieleLocalConfigEntry) -> None:
    """Forget a removed appliance: our push slots on it, its client, health, reset evidence."""
    manager = get_manager(hass)
    try:
        profile = entry_profile(entry)
    except ConfigEntryError:
        pass
    else:
        await async_remove_push(hass, manager, profile)
    await manager.remove_device(entry.data[CONF_DEVICE_ID])
    ir.async_delete_issue(hass, DOMAIN, pairing_lost_issue_id(entry.entry_id))
