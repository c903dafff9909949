"""One coordinator per appliance: reads Ident once and State every scan interval."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry
from homeassistant.exceptions import ConfigEntryAuthFailed, HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from .const import (
    CONF_RETRIES,
    CONF_SCAN_INTERVAL,
    DEFAULT_RETRIES,
    DEFAULT_SCAN_INTERVAL,
    DOMAIN,
    LOGGER,
    SETUP_TIMEOUT,
)
from .miele.exceptions import (
    MieleAuthError,
    MieleConnectionError,
    MieleError,
    MieleSecurityError,
)
from .miele.models import Ident, State, Status

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping

    from homeassistant.core import HomeAssistant

    from .miele.client import MieleClient
    from .miele.connection.health import DeviceHealth
    from .miele.connection.manager import ConnectionManager
    from .miele.connection.profile import DeviceProfile
    from .push.appliance import PushAppliance


@dataclass(slots=True)
class MieleRuntimeData:
    """What a loaded config entry holds."""

    coordinator: MieleHubCoordinator
    push: PushAppliance


type MieleLocalConfigEntry = ConfigEntry[MieleRuntimeData]


def pairing_lost_issue_id(entry_id: str) -> str:
    """Repair issue id for an appliance that forgot its pairing."""
    return f"pairing_lost_{entry_id}"


class MieleHubCoordinator(DataUpdateCoordinator[State]):
    """Polls one appliance through the shared connection manager."""

    config_entry: MieleLocalConfigEntry
    ident: Ident

    def __init__(
        self,
        hass: HomeAssistant,
        entry: MieleLocalConfigEntry,
        manager: ConnectionManager,
        client: MieleClient,
        profile: DeviceProfile,
    ) -> None:
        """Poll `profile`'s appliance every scan interval (an option, 30 s by default)."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"Miele {profile.device_id}",
            update_interval=timedelta(
                seconds=entry.options.get(CONF_SCAN_INTERVAL, DEFAULT_SCAN_INTERVAL)
            ),
        )
        self.device_id = profile.device_id
        self.profile = profile
        self.manager = manager
        self.client = client
        self._held_off_sample = False
        self.push_active = False
        """Set by the push module: True only while pushes actually arrive."""
        self._read_lock = asyncio.Lock()
        self._read_queued = False

    @property
    def health(self) -> DeviceHealth:
        """The connection health of this appliance."""
        return self.manager.get_health_monitor().get_health(self.device_id)

    def async_add_health_listener(
        self, listener: Callable[[], None]
    ) -> Callable[[], None]:
        """Call `listener` after every recorded request outcome; returns the unsubscribe."""
        return self.manager.get_health_monitor().add_listener(self.device_id, listener)

    async def async_read_now(self) -> None:
        """Read State at once; coalesced: never two in flight, at most one queued."""
        if self._read_queued:
            return
        self._read_queued = True
        async with self._read_lock:
            self._read_queued = False
            await self.async_refresh()

    async def _async_setup(self) -> None:
        """Read the appliance's identity once."""
        self.ident = await self._read(lambda: self.client.get_ident(self.device_id))

    async def _async_update_data(self) -> State:
        """Read State; hold a single "off" sample that follows an active state."""
        try:
            state = await self._read(lambda: self.client.get_state(self.device_id))
        except UpdateFailed as err:
            if self.last_update_success:
                LOGGER.info("%s is unavailable: %s", self.config_entry.title, err)
            raise
        if not self.last_update_success:
            LOGGER.info("%s is available again", self.config_entry.title)
        return self._filter_spurious_off(state)

    def _filter_spurious_off(self, state: State) -> State:
        """
        Keep the previous State when one poll reports Off while the appliance was on.

        Some modules report a spurious "off" sample now and then; a second one is accepted.
        """
        previous = self.data
        if (
            state.status == Status.OFF
            and previous is not None
            and previous.status not in (None, Status.OFF)
            and not self._held_off_sample
        ):
            self._held_off_sample = True
            LOGGER.debug("%s: holding a single Off sample", self.device_id)
            return previous
        self._held_off_sample = False
        return state

    async def _read[T](self, read: Callable[[], Awaitable[T]]) -> T:
        """
        Run a signed read with retries; translate failures for Home Assistant.

        Until the first State arrives (setup) the read, and the reset detection a refused
        read triggers, are bounded by `SETUP_TIMEOUT`, so an unreachable appliance never
        holds Home Assistant's start-up.
        """
        try:
            async with asyncio.timeout(
                None if self.data is not None else SETUP_TIMEOUT
            ):
                result = await self._translated_read(read)
        except TimeoutError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="cannot_connect",
                translation_placeholders=self._placeholders,
            ) from err
        self._clear_pairing_lost()
        return result

    @property
    def _placeholders(self) -> dict[str, str]:
        return {"name": self.config_entry.title, "host": self.profile.host}

    async def _translated_read[T](self, read: Callable[[], Awaitable[T]]) -> T:
        """Run the read; a refused key triggers reset detection, errors are translated."""
        placeholders = self._placeholders
        try:
            return await self.manager.execute_with_retry(
                self.device_id,
                read,
                retries=int(
                    self.config_entry.options.get(CONF_RETRIES, DEFAULT_RETRIES)
                ),
            )
        except MieleAuthError as err:
            if await self.manager.get_device_resetter().detect_factory_reset(
                self.client, self.device_id
            ):
                self._raise_pairing_lost()
                raise UpdateFailed(
                    translation_domain=DOMAIN,
                    translation_key="pairing_lost",
                    translation_placeholders=placeholders,
                ) from err
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN,
                translation_key="invalid_auth",
                translation_placeholders=placeholders,
            ) from err
        except MieleConnectionError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="cannot_connect",
                translation_placeholders=placeholders,
            ) from err
        except MieleSecurityError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="invalid_signature",
                translation_placeholders=placeholders,
            ) from err
        except MieleError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="invalid_response",
                translation_placeholders={**placeholders, "error": str(err)},
            ) from err

    def _raise_pairing_lost(self) -> None:
        """Open the fixable repair issue for a lost pairing."""
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            pairing_lost_issue_id(self.config_entry.entry_id),
            is_fixable=True,
            severity=ir.IssueSeverity.ERROR,
            translation_key="pairing_lost",
            translation_placeholders={"name": self.config_entry.title},
            data={"entry_id": self.config_entry.entry_id},
        )

    def _clear_pairing_lost(self) -> None:
        """Delete the repair issue once the appliance answers to our key again."""
        issue_id = pairing_lost_issue_id(self.config_entry.entry_id)
        if ir.async_get(self.hass).async_get_issue(DOMAIN, issue_id):
            ir.async_delete_issue(self.hass, DOMAIN, issue_id)

    async def async_send_action(self, payload: Mapping[str, int]) -> None:
        """Send one action exactly once, then refresh; failures become translated errors."""
        try:
            await self.manager.execute_once(
                self.device_id, lambda: self.client.send_action(self.device_id, payload)
            )
        except MieleAuthError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="action_refused",
                translation_placeholders={"name": self.config_entry.title},
            ) from err
        except MieleError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="action_failed",
                translation_placeholders={
                    "name": self.config_entry.title,
                    "error": str(err),
                },
            ) from err
        await self.async_request_refresh()
