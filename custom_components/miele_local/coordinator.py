"""One coordinator per appliance: reads Ident once, then State at a cadence that follows the appliance."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Final

from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntry
from homeassistant.core import callback
from homeassistant.exceptions import (
    ConfigEntryAuthFailed,
    ConfigEntryError,
    HomeAssistantError,
)
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.debounce import Debouncer
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from mielelocal.codes import UnknownCodes
from mielelocal.exceptions import (
    MieleAuthError,
    MieleBusyError,
    MieleConnectionError,
    MieleError,
    MieleSecurityError,
)
from mielelocal.models import Ident, State, Status

from .advertisement import Diagnosis, async_lookup, diagnose
from .cadence import BUSY_BACKOFF, Cadence
from .const import (
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
    DOMAIN,
    LOGGER,
    OFF_CONFIRM_DELAY,
    READ_NOW_COOLDOWN,
    WAKE_DELAY,
    setup_budget,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Mapping
    from datetime import datetime

    from homeassistant.core import CALLBACK_TYPE, HomeAssistant

    from mielelocal.client import MieleClient
    from mielelocal.connection.health import DeviceHealth
    from mielelocal.connection.manager import ConnectionManager
    from mielelocal.connection.profile import DeviceProfile

    from .push.appliance import PushAppliance
    from .wlan import MieleWlanCoordinator


@dataclass(frozen=True, slots=True)
class MieleApplianceData:
    """What the coordinator knows of its appliance: Ident (read once) and the latest State."""

    ident: Ident
    state: State


@dataclass(slots=True)
class MieleRuntimeData:
    """What a loaded config entry holds: the State and Wi-Fi coordinators, push."""

    coordinator: MieleApplianceCoordinator
    push: PushAppliance
    wlan: MieleWlanCoordinator


type MieleLocalConfigEntry = ConfigEntry[MieleRuntimeData]

KEY_RETRY_COOLDOWN: Final = 60.0
"""Seconds between two tries of a refused key that an event (mDNS, a push) asked for."""
KEY_TRIES: HassKey[dict[str, float]] = HassKey(f"{DOMAIN}_key_tries")


class ApplianceBusyError(UpdateFailed):
    """The appliance answered "busy" (HTTP 503) after the manager's retries."""


def pairing_lost_issue_id(entry_id: str) -> str:
    """Repair issue id for an appliance that forgot its pairing."""
    return f"pairing_lost_{entry_id}"


@callback
def open_key_prompt(
    hass: HomeAssistant, entry: MieleLocalConfigEntry
) -> Diagnosis | None:
    """Return the prompt open for the entry's refused key, if any.

    `RESET`: the lost-pairing repair issue; `KEY_REFUSED`: a re-authentication flow.
    """
    issue_id = pairing_lost_issue_id(entry.entry_id)
    if ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None:
        return Diagnosis.RESET
    if any(entry.async_get_active_flows(hass, {SOURCE_REAUTH})):
        return Diagnosis.KEY_REFUSED
    return None


@callback
def key_try_allowed(hass: HomeAssistant, entry_id: str) -> bool:
    """Tell whether an event may try the entry's refused key now, and count the try.

    At most one try per `KEY_RETRY_COOLDOWN`: announcements repeat and pushes can be forged.
    """
    tries = hass.data.setdefault(KEY_TRIES, {})
    now = hass.loop.time()
    if (last := tries.get(entry_id)) is not None and now - last < KEY_RETRY_COOLDOWN:
        return False
    tries[entry_id] = now
    return True


class MieleApplianceCoordinator(DataUpdateCoordinator[MieleApplianceData]):
    """Polls one appliance through the shared connection manager."""

    config_entry: MieleLocalConfigEntry
    _ident: Ident

    def __init__(
        self,
        hass: HomeAssistant,
        entry: MieleLocalConfigEntry,
        manager: ConnectionManager,
        client: MieleClient,
        profile: DeviceProfile,
    ) -> None:
        """Poll `profile`'s appliance at its cadence; requested reads run at once, coalesced."""
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=entry.title,
            request_refresh_debouncer=Debouncer(
                hass, LOGGER, cooldown=READ_NOW_COOLDOWN, immediate=True
            ),
        )
        self.device_id = profile.device_id
        self.profile = profile
        self.manager = manager
        self.client = client
        self._cancel_off_confirmation: CALLBACK_TYPE | None = None
        self.unknown_codes = UnknownCodes(entry.title)
        self._push_active = False
        self._busy = False
        self._cadence = Cadence()
        self.in_deep_standby = False
        """The last State read was the blank sample of a module in deep standby."""
        self.refused: Diagnosis | None = None
        """
        The appliance refused the household key: the prompt the user got for it.

        `RESET`: the lost-pairing repair; `KEY_REFUSED`: re-authentication. Nothing is
        polled meanwhile; one read (the user's refresh, an event) may end it.
        """
        self._follow(None)

    @property
    def push_active(self) -> bool:
        """Whether pushes arrive from the appliance (set by the push listener)."""
        return self._push_active

    @push_active.setter
    def push_active(self, active: bool) -> None:
        """Back polling off while pushes arrive; return to the cadence when they stop."""
        if active == self._push_active:
            return
        self._push_active = active
        self._follow(self._state)
        # Move the scheduled read; one in flight reschedules itself when it ends.
        if self._unsub_refresh is not None:
            self._schedule_refresh()

    @property
    def _state(self) -> State | None:
        """The latest State, None before the first read."""
        return None if self.data is None else self.data.state

    @property
    def paused(self) -> bool:
        """Whether nothing is sent unasked: polling is off for the entry, or the key refused."""
        return self.config_entry.pref_disable_polling or self.refused is not None

    def _follow(self, state: State | None) -> None:
        """Time the next read from `state`; the manager's health check waits for it too.

        No read is scheduled while the key is refused, whatever a read meanwhile ends in
        (busy, unreachable), and the manager sends nothing on its own while paused.
        """
        interval = self._cadence.interval(
            state, dt_util.utcnow(), push_active=self._push_active
        )
        self.update_interval = None if self.refused is not None else interval
        self.manager.set_poll_interval(self.device_id, interval.total_seconds())
        self.manager.set_paused(self.device_id, self.paused)

    async def async_read_now(self) -> None:
        """Read State at once (after an action, for a push).

        Reads are coalesced with `homeassistant.update_entity`'s (the same debouncer): never
        two in flight; a request during a read or within `READ_NOW_COOLDOWN` after one
        queues a single read for the end of the cooldown. While the key is refused this
        is an event that may end it (`async_key_may_work_again`); the user's refresh
        always reads.
        """
        if self.refused is not None:
            await self.async_key_may_work_again()
            return
        await self.async_request_refresh()

    async def async_key_may_work_again(self) -> bool:
        """Try the refused key with one signed read, as an event suggests it may work again.

        At most once per `KEY_RETRY_COOLDOWN` (`key_try_allowed`). When the appliance
        answers, the repair issue or re-authentication closes and polling resumes.
        Returns whether the key works.
        """
        if self.refused is None or not key_try_allowed(
            self.hass, self.config_entry.entry_id
        ):
            return False
        LOGGER.debug("%s: trying the refused key once more", self.name)
        await self.async_refresh()
        return self.refused is None

    @property
    def health(self) -> DeviceHealth:
        """The connection health of this appliance."""
        return self.manager.get_health_monitor().get_health(self.device_id)

    def async_add_health_listener(
        self, listener: Callable[[], None]
    ) -> Callable[[], None]:
        """Call `listener` after every recorded request outcome; returns the unsubscribe."""
        return self.manager.get_health_monitor().add_listener(self.device_id, listener)

    async def _async_setup(self) -> None:
        """Read the appliance's identity once."""
        self._ident = await self._read(lambda: self.client.get_ident(self.device_id))

    async def _async_update_data(self) -> MieleApplianceData:
        """Read State; odd samples never replace what the appliance really reported.

        A first "busy" answer keeps the last State and reads again `BUSY_BACKOFF` later
        (only a second one in a row fails); the blank sample of a module in deep standby
        keeps the last State; an "off" right after an active state is confirmed shortly after.
        """
        try:
            state = await self._read(lambda: self.client.get_state(self.device_id))
        except ApplianceBusyError:
            if self.data is None or self._busy or self.refused is not None:
                raise
            self._busy = True
            LOGGER.debug("%s: busy, reading again later", self.name)
            self._back_off()
            return self.data
        self._busy = False
        self.in_deep_standby = state.is_blank
        if state.is_blank and self.data is not None:
            LOGGER.debug("%s: blank standby sample, keeping the last State", self.name)
            return self.data
        self.unknown_codes.check(self._ident.device_type, state)
        state = self._filter_spurious_off(state)
        self._follow(state)
        return MieleApplianceData(self._ident, state)

    def _back_off(self) -> None:
        """Read no sooner than `BUSY_BACKOFF` from now."""
        interval = max(self.update_interval or BUSY_BACKOFF, BUSY_BACKOFF)
        self.update_interval = interval
        self.manager.set_poll_interval(self.device_id, interval.total_seconds())

    def _filter_spurious_off(self, state: State) -> State:
        """Hold the previous status for one sample that reports Off while the appliance was on.

        Some modules report a spurious "off" sample now and then. Only the status is held,
        only once, and a confirmation read follows after `OFF_CONFIRM_DELAY` seconds, so a
        genuine end of programme shows that much later, not a scan interval later.
        """
        previous = self._state
        if (
            state.status == Status.OFF
            and previous is not None
            and previous.status not in (None, Status.OFF)
            and self._cancel_off_confirmation is None
        ):
            LOGGER.debug("%s: confirming an Off sample", self.name)
            self._cancel_off_confirmation = async_call_later(
                self.hass, OFF_CONFIRM_DELAY, self._async_confirm_off
            )
            return replace(state, status=previous.status)
        return state

    async def _async_confirm_off(self, _: datetime) -> None:
        """Read State again; its status is taken as it is."""
        await self.async_refresh()
        self._cancel_off_confirmation = None

    async def async_shutdown(self) -> None:
        """Cancel a pending Off confirmation, then shut down."""
        if self._cancel_off_confirmation is not None:
            self._cancel_off_confirmation()
            self._cancel_off_confirmation = None
        await super().async_shutdown()

    async def _read[T](self, read: Callable[[], Awaitable[T]]) -> T:
        """Run a signed read with retries; translate failures for Home Assistant.

        Until the first State arrives (setup) the read, wake-ups of a sleeping module and
        the diagnosis of a refused key included, is bounded by `setup_budget`, so an
        unreachable appliance never holds Home Assistant's start-up for long.
        """
        try:
            async with asyncio.timeout(
                None if self.data is not None else setup_budget(DEFAULT_TIMEOUT)
            ):
                result = await self._translated_read(read)
        except TimeoutError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="cannot_connect",
                translation_placeholders=self._placeholders,
            ) from err
        self._key_accepted()
        return result

    @property
    def _placeholders(self) -> dict[str, str]:
        return {"name": self.config_entry.title, "host": self.profile.host}

    async def _translated_read[T](self, read: Callable[[], Awaitable[T]]) -> T:
        """Run the read; a refused key is diagnosed, errors are translated."""
        placeholders = self._placeholders
        try:
            return await self.manager.execute_with_retry(
                self.device_id,
                read,
                retries=DEFAULT_RETRIES,
            )
        except MieleAuthError as err:
            raise await self._async_refused() from err
        except MieleConnectionError as err:
            raise UpdateFailed(
                translation_domain=DOMAIN,
                translation_key="cannot_connect",
                translation_placeholders=placeholders,
            ) from err
        except MieleBusyError as err:
            raise ApplianceBusyError(
                translation_domain=DOMAIN,
                translation_key="busy",
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
                translation_placeholders=placeholders,
            ) from err

    async def _async_refused(self) -> HomeAssistantError:
        """Stop polling on a refused key and give the user one prompt for it.

        A reset takes the lost-pairing repair (never re-authentication): the entry stays
        loaded, or fails setup without retries; anything else takes re-authentication.
        The prompt is decided once per refusal: a refused read meanwhile (the user's
        refresh, an event) neither diagnoses again nor opens the other prompt.
        """
        if self.refused is None:
            self.refused = await self._async_diagnose()
            if self._cancel_off_confirmation is not None:
                self._cancel_off_confirmation()
                self._cancel_off_confirmation = None
        self.manager.set_paused(self.device_id, True)
        self.update_interval = None  # only the prompt, the user or an event reads again
        placeholders = self._placeholders
        if self.refused is Diagnosis.KEY_REFUSED:
            return ConfigEntryAuthFailed(
                translation_domain=DOMAIN,
                translation_key="invalid_auth",
                translation_placeholders=placeholders,
            )
        self._raise_pairing_lost()
        failure = UpdateFailed if self.data is not None else ConfigEntryError
        return failure(
            translation_domain=DOMAIN,
            translation_key="pairing_lost",
            translation_placeholders=placeholders,
        )

    async def _async_diagnose(self) -> Diagnosis:
        """Decide what a refused key means (polling stops until the user acts).

        A prompt still open for an earlier refusal is kept (the same event). Otherwise mDNS
        is asked now for the appliance: advertised unpaired, and both signed Ident and
        State refused (the reset detector's evidence), is a reset; anything else (paired to
        our group or another, another appliance at the address, or no answer) asks for the
        key again, with pairing again as a choice.
        """
        if (open_prompt := open_key_prompt(self.hass, self.config_entry)) is not None:
            return open_prompt
        advertisement = await async_lookup(self.hass, self.profile.host)
        diagnosis = diagnose(advertisement, self.device_id)
        if diagnosis is Diagnosis.RESET:
            resetter = self.manager.get_device_resetter()
            resetter.note_advertised_group(self.device_id, "")
            if not await resetter.detect_factory_reset(self.client, self.device_id):
                diagnosis = Diagnosis.KEY_REFUSED
        LOGGER.debug("%s: refused key diagnosed as %s", self.name, diagnosis)
        return diagnosis

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

    def _key_accepted(self) -> None:
        """Close the prompt of a refused key and poll again: the appliance answered to it.

        The repair issue is deleted; after a refusal, the entry's re-authentication flow is
        aborted and polling resumes at the cadence.
        """
        issue_id = pairing_lost_issue_id(self.config_entry.entry_id)
        if ir.async_get(self.hass).async_get_issue(DOMAIN, issue_id):
            ir.async_delete_issue(self.hass, DOMAIN, issue_id)
        if self.refused is None:
            return
        LOGGER.debug("%s: the household key works again", self.name)
        self.refused = None
        for flow in self.config_entry.async_get_active_flows(
            self.hass, {SOURCE_REAUTH}
        ):
            self.hass.config_entries.flow.async_abort(flow["flow_id"])
        self._follow(self._state)

    async def async_send_action(self, payload: Mapping[str, int]) -> None:
        """Send one action exactly once, then read State at once; failures become translated errors.

        A module whose last sample was the deep-standby blank answers writes with 500 until
        woken, so it is woken first (a wake-up changes nothing on the appliance) and the
        action is still sent only once.
        """
        if self.in_deep_standby:
            await self._async_wake_for_action()
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
                translation_placeholders={"name": self.config_entry.title},
            ) from err
        await self.async_read_now()

    async def _async_wake_for_action(self) -> None:
        """Wake a module in deep standby before an action; its answer is not the action's."""
        try:
            await self.manager.execute_once(
                self.device_id, lambda: self.client.wake(self.device_id)
            )
        except MieleError as err:
            LOGGER.debug("%s: wake-up before an action failed: %s", self.name, err)
            return
        self.in_deep_standby = False
        await asyncio.sleep(WAKE_DELAY)
