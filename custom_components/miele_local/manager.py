"""The one connection manager of a Home Assistant: created on first use, closed with the last entry."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_HOST, EVENT_HOMEASSISTANT_STOP
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryError
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util.hass_dict import HassKey

from mielelocal.client import MieleClient
from mielelocal.connection.manager import ConnectionManager
from mielelocal.connection.profile import DeviceProfile
from mielelocal.credentials import GroupCredentials, validate_host
from mielelocal.exceptions import MieleConfigError

from .const import (
    CONF_DEVICE_ID,
    CONF_GROUP_ID,
    CONF_GROUP_KEY,
    DEFAULT_TIMEOUT,
    DOMAIN,
    WAKE_DELAY,
    WAKE_ROUNDS,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from aiohttp import ClientSession

    from mielelocal.connection.pool import ConnectionPool

    from .coordinator import MieleLocalConfigEntry

MIELE_MANAGER: HassKey[ConnectionManager] = HassKey(DOMAIN)
MIELE_CLOSE_UNUSED: HassKey[Callable[[], Awaitable[None]]] = HassKey(
    f"{DOMAIN}_close_unused"
)


def _client(
    session: ClientSession,
    pool: ConnectionPool,
    host: str,
    credentials: GroupCredentials,
) -> MieleClient:
    """Create a client on `session` that takes its turn in `host`'s connection slot."""
    return MieleClient(
        host,
        credentials,
        session=session,
        timeout=DEFAULT_TIMEOUT,
        limiter=lambda: pool.slot(host),
    )


@callback
def get_manager(hass: HomeAssistant) -> ConnectionManager:
    """Return the one connection manager of this Home Assistant instance.

    Created on first use; closed when the last loaded appliance unloads, or on stop.
    """
    if (manager := hass.data.get(MIELE_MANAGER)) is not None:
        return manager
    session = async_get_clientsession(hass)

    def create_client(profile: DeviceProfile) -> MieleClient:
        """Create a client that takes its turn in the host's connection slot."""
        return _client(
            session, shared.get_connection_pool(), profile.host, profile.credentials
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


async def async_release(
    hass: HomeAssistant, manager: ConnectionManager, device_id: str
) -> None:
    """Stop tracking the appliance; close the manager when no appliance is left."""
    await manager.remove_device(device_id)
    await hass.data[MIELE_CLOSE_UNUSED]()


def create_client(
    hass: HomeAssistant, host: str, credentials: GroupCredentials
) -> MieleClient:
    """Create a client outside the manager, on Home Assistant's session, serialised with the pollers.

    The client and the pool slot both use the normalised host, so a user's spelling
    (" Washer.local ") shares the one slot of the pollers and never overlaps them.
    """
    pool = get_manager(hass).get_connection_pool()
    return _client(
        async_get_clientsession(hass), pool, validate_host(host), credentials
    )


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
