"""Miele Local: Miele appliances over the local network, no cloud."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_HOST, EVENT_HOMEASSISTANT_STOP, Platform
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryError, ConfigEntryNotReady
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util.hass_dict import HassKey

from mielelocal.client import MieleClient
from mielelocal.connection.manager import ConnectionManager
from mielelocal.connection.profile import DeviceProfile
from mielelocal.credentials import GroupCredentials
from mielelocal.exceptions import MieleConfigError, MieleError

from .const import (
    CONF_DEVICE_ID,
    CONF_GROUP_ID,
    CONF_GROUP_KEY,
    CONF_PUSH,
    CONF_PUSH_PORT,
    DEFAULT_TIMEOUT,
    DOMAIN,
    LOGGER,
    WAKE_DELAY,
    WAKE_ROUNDS,
)
from .coordinator import (
    KEY_TRIES,
    MieleHubCoordinator,
    MieleLocalConfigEntry,
    MieleRuntimeData,
    key_try_allowed,
    open_key_prompt,
    pairing_lost_issue_id,
)
from .push import async_remove_push, async_setup_push, async_unload_push

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from homeassistant.config_entries import ConfigEntry

PLATFORMS = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.FAN,
    Platform.LIGHT,
    Platform.SENSOR,
    Platform.SWITCH,
]
MIELE_MANAGER: HassKey[ConnectionManager] = HassKey(DOMAIN)
MIELE_CLOSE_UNUSED: HassKey[Callable[[], Awaitable[None]]] = HassKey(
    f"{DOMAIN}_close_unused"
)


@callback
def get_manager(hass: HomeAssistant) -> ConnectionManager:
    """
    Return the one connection manager of this Home Assistant instance.

    Created on first use; closed when the last loaded appliance unloads, or on stop.
    """
    if (manager := hass.data.get(MIELE_MANAGER)) is not None:
        return manager
    session = async_get_clientsession(hass)

    def create_client(profile: DeviceProfile) -> MieleClient:
        """Create a client that takes its turn in the host's connection slot."""
        pool = shared.get_connection_pool()
        return MieleClient(
            profile.host,
            profile.credentials,
            session=session,
            timeout=DEFAULT_TIMEOUT,
            limiter=lambda: pool.slot(profile.host),
        )

    shared = hass.data[MIELE_MANAGER] = ConnectionManager(
        session=session,
        client_factory=create_client,
        create_task=hass.async_create_background_task,
        wake_delay=WAKE_DELAY,
        wake_attempts=WAKE_ROUNDS,
    )

    async def close(_: Event) -> None:
        del hass.data[MIELE_MANAGER]  # closed with the last entry: no longer subscribed
        await shared.close()

    unsubscribe = hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, close)

    async def close_unused() -> None:
        """Close the manager when no appliance uses it any more."""
        if hass.data.get(MIELE_MANAGER) is shared and not any(
            entry.state is ConfigEntryState.LOADED
            for entry in hass.config_entries.async_entries(DOMAIN)
        ):
            del hass.data[MIELE_MANAGER]
            unsubscribe()
            await shared.close()

    hass.data[MIELE_CLOSE_UNUSED] = close_unused
    return shared


def entry_profile(entry: MieleLocalConfigEntry) -> DeviceProfile:
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


async def async_migrate_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """
    Bring an entry to the current version; the appliance, its key and entities stay.

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
    """Connect to the appliance, read Ident and State, then set up the platforms."""
    manager = get_manager(hass)
    profile = entry_profile(entry)
    # Runs on unload and after a failed setup (unload is never called then).
    entry.async_on_unload(partial(_async_forget, hass, manager, profile.device_id))
    coordinator = await _connect(hass, entry, manager, profile)
    push = await async_setup_push(hass, entry, coordinator)
    entry.runtime_data = MieleRuntimeData(coordinator, push)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def _async_forget(
    hass: HomeAssistant, manager: ConnectionManager, device_id: str
) -> None:
    """Stop tracking the appliance; close the manager when no appliance is left."""
    await manager.remove_device(device_id)
    await hass.data[MIELE_CLOSE_UNUSED]()


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


async def async_key_may_work_again(
    hass: HomeAssistant, entry: MieleLocalConfigEntry | None
) -> bool:
    """
    Try an entry's refused key once more: an event says the appliance may accept it again.

    For the discovery flow (the appliance announces our GroupID over mDNS again). Only an
    entry waiting for the user on a refused key is tried (its lost-pairing repair or
    re-authentication is open), with one signed State read, at most once per
    `KEY_RETRY_COOLDOWN`. When the appliance answers, the prompt closes: a loaded entry
    polls again, one whose setup failed on the key is reloaded. Returns whether it answered.
    """
    if entry is None or entry.domain != DOMAIN:
        return False
    if entry.state is ConfigEntryState.LOADED:
        coordinator: MieleHubCoordinator = entry.runtime_data.coordinator
        return await coordinator.async_key_may_work_again()
    if open_key_prompt(hass, entry) is None or not key_try_allowed(
        hass, entry.entry_id
    ):
        return False
    try:
        profile = entry_profile(entry)
    except ConfigEntryError:
        return False
    pool = get_manager(hass).get_connection_pool()
    client = MieleClient(
        profile.host,
        profile.credentials,
        session=async_get_clientsession(hass),
        timeout=DEFAULT_TIMEOUT,
        limiter=lambda: pool.slot(profile.host),
    )
    try:
        await client.get_state(profile.device_id)
    except MieleError as err:
        LOGGER.debug("%s: the stored key is still refused (%s)", entry.title, err)
        return False
    LOGGER.debug("%s: the household key works again: reloading", entry.title)
    hass.config_entries.async_schedule_reload(entry.entry_id)
    return True
