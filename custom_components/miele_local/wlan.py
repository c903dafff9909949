"""A second, slow coordinator per appliance: the module's Wi-Fi connection (``GET /WLAN/``)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Final

from homeassistant.core import callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed

from mielelocal.connection.health import ConnectionState
from mielelocal.exceptions import (
    MieleAuthError,
    MieleBusyError,
    MieleConnectionError,
    MieleError,
    MieleResponseError,
    MieleSecurityError,
)
from mielelocal.wlan import WlanInfo

from .const import DEFAULT_RETRIES, DOMAIN, LOGGER

if TYPE_CHECKING:
    from collections.abc import Callable

    from homeassistant.core import HomeAssistant

    from .coordinator import MieleApplianceCoordinator, MieleLocalConfigEntry

WLAN_INTERVAL: Final = timedelta(seconds=300)
"""
Time between two ``/WLAN/`` reads.

The signal drifts slowly, ha-miele-at-lan reads it at this pace, and one request per five
minutes is negligible next to State polling (every 5 to 120 s).
"""

QUIET_STATES: Final = frozenset(
    {ConnectionState.SLEEPING, ConnectionState.UNHEALTHY, ConnectionState.PAIRING_LOST}
)
"""Health states in which ``/WLAN/`` is not read: the module is asleep or unreachable."""

NOT_SERVED: Final = 404


class MieleWlanCoordinator(DataUpdateCoordinator[WlanInfo | None]):
    """Reads the module's Wi-Fi connection every `WLAN_INTERVAL`, only while something listens.

    Reads go through the appliance's connection manager (never two requests at once) and
    are skipped, keeping the last outcome and sending nothing, while the appliance is
    asleep, unreachable, its key refused or polling off. The first read waits for the first
    listener (the Wi-Fi sensor, disabled by default): no listener, no request. A module
    that answers 404 is not read again unasked until the entry reloads.
    """

    config_entry: MieleLocalConfigEntry

    def __init__(
        self,
        hass: HomeAssistant,
        entry: MieleLocalConfigEntry,
        appliance: MieleApplianceCoordinator,
    ) -> None:
        """Read through `appliance`'s manager and client; skip while it is quiet."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"{entry.title} Wi-Fi",
            update_interval=WLAN_INTERVAL,
            always_update=False,
        )
        self.appliance = appliance

    @property
    def quiet(self) -> bool:
        """Whether nothing may be sent: asleep, unreachable, key refused or polling off."""
        appliance = self.appliance
        return (
            appliance.paused
            or not appliance.last_update_success
            or appliance.manager.get_health_monitor().state_of(appliance.device_id)
            in QUIET_STATES
        )

    @callback
    def async_add_listener(
        self, update_callback: Callable[[], None], context: object = None
    ) -> Callable[[], None]:
        """Add a listener; the first one (the enabled sensor) starts the first read."""
        first = not self._listeners
        remove = super().async_add_listener(update_callback, context)
        if first and self.data is None:
            self.config_entry.async_create_background_task(
                self.hass, self.async_request_refresh(), f"{self.name} first read"
            )
        return remove

    async def _async_update_data(self) -> WlanInfo | None:
        """Read ``/WLAN/`` unless the appliance is quiet; a skip keeps the last outcome."""
        if self.quiet:
            LOGGER.debug("%s: appliance quiet, not reading", self.name)
            failure = self.last_exception
            if not self.last_update_success and isinstance(failure, HomeAssistantError):
                raise UpdateFailed(
                    translation_domain=DOMAIN,
                    translation_key=failure.translation_key,
                    translation_placeholders=failure.translation_placeholders,
                )
            return self.data
        appliance = self.appliance
        try:
            wlan = await appliance.manager.execute_with_retry(
                appliance.device_id, appliance.client.get_wlan, retries=DEFAULT_RETRIES
            )
        except MieleError as err:
            if isinstance(err, MieleResponseError) and err.status == NOT_SERVED:
                self.update_interval = None
            raise self._failure(err) from err
        self.update_interval = WLAN_INTERVAL
        return wlan

    def _failure(self, err: MieleError) -> UpdateFailed:
        """Translate a failed read, naming only the appliance and its address."""
        if isinstance(err, MieleResponseError) and err.status == NOT_SERVED:
            key = "wlan_not_served"
        elif isinstance(err, MieleBusyError):
            key = "busy"
        elif isinstance(err, MieleAuthError):
            key = "invalid_auth"
        elif isinstance(err, MieleConnectionError):
            key = "cannot_connect"
        elif isinstance(err, MieleSecurityError):
            key = "invalid_signature"
        else:
            key = "invalid_response"
        return UpdateFailed(
            translation_domain=DOMAIN,
            translation_key=key,
            translation_placeholders={
                "name": self.config_entry.title,
                "host": self.appliance.profile.host,
            },
        )
