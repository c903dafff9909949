"""Push for one appliance: its subscription, its doorbell and the state the entity shows."""

from __future__ import annotations

import asyncio
from enum import StrEnum
import logging
from typing import TYPE_CHECKING, Any, Protocol

from homeassistant.core import callback

from custom_components.miele_local.const import LOGGER
from mielelocal.doorbell import Doorbell
from mielelocal.exceptions import MieleError
from mielelocal.supervision import enrol, withdraw

if TYPE_CHECKING:
    from asyncio import TimerHandle
    from collections.abc import Callable

    from homeassistant.config_entries import ConfigEntry
    from homeassistant.core import CALLBACK_TYPE, HomeAssistant

    from custom_components.miele_local.advertisement import Diagnosis
    from mielelocal.client import MieleClient
    from mielelocal.connection.manager import ConnectionManager
    from mielelocal.connection.profile import DeviceProfile
    from mielelocal.models import State
    from mielelocal.supervision import PushEvidence

    from .hub import PushHub

RETRY_DELAY = 300.0
"""Seconds before a failed subscription is tried again."""
MISSED_WINDOW = 5.0
"""Seconds a push may trail the read that found its change (then pushes count as stopped)."""
RECOVERY_FLOOR = 600.0
"""Seconds between two recoveries (advertise and subscribe again) after pushes stopped."""
SERIAL_MASK = "**REDACTED**"


def scrubbed(err: MieleError, device_id: str) -> str:
    """Return the error's text with the appliance's serial number (in request paths) masked."""
    return str(err).replace(device_id, SERIAL_MASK)


class StateHolder(Protocol):
    """What push reads of the appliance's latest data."""

    @property
    def state(self) -> State:
        """The latest State."""
        ...


class PushTarget(Protocol):
    """What push needs of the appliance's coordinator.

    Push depends on this interface only, never on the coordinator's module.
    """

    push_active: bool
    """Set while pushes arrive (the coordinator polls less meanwhile)."""

    @property
    def device_id(self) -> str:
        """The appliance's FabNumber."""
        ...

    @property
    def profile(self) -> DeviceProfile:
        """The appliance's address and household key."""
        ...

    @property
    def manager(self) -> ConnectionManager:
        """The shared connection manager."""
        ...

    @property
    def client(self) -> MieleClient:
        """The appliance's client."""
        ...

    @property
    def refused(self) -> Diagnosis | None:
        """The prompt open for a refused household key, None while the key works."""
        ...

    @property
    def data(self) -> StateHolder:
        """The latest data of the appliance."""
        ...

    def async_add_listener(
        self, update_callback: CALLBACK_TYPE, context: Any = None
    ) -> Callable[[], None]:
        """Call `update_callback` after every read; returns the unsubscribe."""
        ...

    async def async_read_now(self) -> None:
        """Read State at once (coalesced with other requested reads)."""
        ...


class PushState(StrEnum):
    """What the push entity shows."""

    OFF = "off"
    ACTIVE = "active"  # pushes arrive
    UNSUPPORTED = "unsupported"  # the appliance answers 404 to SuperVision
    SILENT = "silent"  # subscribed, nothing received yet


class PushAppliance:
    """Subscribe one appliance to the listener and turn its pushes into verified reads."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        coordinator: PushTarget,
        hub: PushHub,
    ) -> None:
        """Serve `coordinator`'s appliance, whose `entry` owns the background tasks."""
        self.hass = hass
        self.entry = entry
        self.coordinator = coordinator
        self.hub = hub
        self.state: PushState | None = None
        """None while subscribing (or after a failed try, until the retry)."""
        self.pushes = 0
        self.decrypted = 0
        self.signature_verified = 0
        self.doorbell = Doorbell(hass.loop, self._read)
        self._pushes_seen = 0
        self._judging: TimerHandle | None = None
        self._last_recovery = -RECOVERY_FLOOR
        self._seen_status: object = None
        self._unlisten: Callable[[], None] | None = None
        self._retry: TimerHandle | None = None
        self._listeners: list[Callable[[], None]] = []
        self._subscribing = asyncio.Lock()
        self._failing = False
        """The last subscription failed (logged once; the next success is logged too)."""

    @property
    def device_id(self) -> str:
        """The appliance's FabNumber."""
        return self.coordinator.device_id

    @property
    def group_id(self) -> str:
        """The GroupID the appliance signs with."""
        return self.coordinator.profile.credentials.group_id

    @callback
    def add_listener(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call ``listener`` whenever the push state changes; returns the unsubscribe."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _set_state(self, state: PushState | None) -> None:
        if state != self.state:
            self.state = state
            self.coordinator.push_active = state is PushState.ACTIVE
            for listener in list(self._listeners):
                listener()

    async def async_subscribe(self) -> None:
        """Withdraw the slots of a previous run, then subscribe anew.

        Runs once (never retried within a try), one subscription at a time; a failure is
        tried again after ``RETRY_DELAY``. Only the first failure of a streak and the
        success that ends it are logged (info), with the entry title, never the serial.
        """
        async with self._subscribing:
            await self._subscribe()

    async def _subscribe(self) -> None:
        self._retry = None
        if self.coordinator.refused is not None:
            # Never with a key the appliance refused: tried again after the retry delay.
            self._retry = self.hass.loop.call_later(RETRY_DELAY, self.resubscribe)
            return
        pushes = self.pushes
        previous = self.hub.slots(self.device_id)
        slots: list[int] = []
        try:
            supported = await self.coordinator.manager.execute_once(
                self.device_id, lambda: self._enrol(previous, slots)
            )
        except MieleError as err:
            LOGGER.log(
                logging.DEBUG if self._failing else logging.INFO,
                "%s: push subscription failed, trying again later: %s",
                self.entry.title,
                scrubbed(err, self.device_id),
            )
            self._failing = True
            self._retry = self.hass.loop.call_later(RETRY_DELAY, self.resubscribe)
            self._set_state(None)
            return
        finally:
            await self.hub.async_save_slots(self.device_id, slots or previous)
        if self._failing:
            self._failing = False
            LOGGER.info("%s: push subscription works again", self.entry.title)
        if not supported:
            self._set_state(PushState.UNSUPPORTED)
        else:
            arrived = self.pushes > pushes  # pushes can beat the last subscription
            self._set_state(PushState.ACTIVE if arrived else PushState.SILENT)

    async def async_withdraw(self, previous: list[int]) -> None:
        """Push is off: delete the slots a previous run left."""
        client = self.coordinator.client
        try:
            await self.coordinator.manager.execute_once(
                self.device_id,
                lambda: withdraw(
                    client, self.device_id, self.hub.listener_fab, previous
                ),
            )
        except MieleError as err:
            LOGGER.info(
                "%s: push slots not withdrawn: %s",
                self.entry.title,
                scrubbed(err, self.device_id),
            )
            return
        await self.hub.async_save_slots(self.device_id, [])

    async def _enrol(self, previous: list[int], slots: list[int]) -> bool:
        client = self.coordinator.client
        if previous:
            await withdraw(client, self.device_id, self.hub.listener_fab, previous)
            previous.clear()
        return await enrol(
            client, self.device_id, self.hub.listener_fab, self.hub.callback_base, slots
        )

    @callback
    def resubscribe(self) -> None:
        """Subscribe again in the background (retry, or the listener moved)."""
        self.entry.async_create_background_task(
            self.hass, self.async_subscribe(), f"{self.entry.title} push subscription"
        )

    @callback
    def watch(self) -> None:
        """Follow the coordinator, to notice changes that no push announced."""
        self._seen_status = self.coordinator.data.state.status
        self._unlisten = self.coordinator.async_add_listener(self._updated)

    @callback
    def _updated(self) -> None:
        """Judge shortly a new Status that a read found with no push since the last read."""
        status = self.coordinator.data.state.status
        changed, self._seen_status = status != self._seen_status, status
        pushed, self._pushes_seen = self.pushes != self._pushes_seen, self.pushes
        if changed and not pushed and self._judging is None:
            self._judging = self.hass.loop.call_later(
                MISSED_WINDOW, self._judge, self.pushes
            )

    @callback
    def _judge(self, pushes: int) -> None:
        """Pushes stopped when none arrived in time for a change a read found."""
        self._judging = None
        if self.pushes == pushes and self.state is PushState.ACTIVE:
            LOGGER.debug("%s: a change arrived without a push", self.entry.title)
            self._set_state(PushState.SILENT)
            now = self.hass.loop.time()
            if now - self._last_recovery >= RECOVERY_FLOOR:
                self._last_recovery = now
                self.entry.async_create_background_task(
                    self.hass, self._recover(), f"{self.entry.title} push recovery"
                )

    async def _recover(self) -> None:
        """Advertise again (our address may have changed) and subscribe anew."""
        await self.hub.async_readvertise()
        await self.async_subscribe()

    @callback
    def ring(self, evidence: PushEvidence) -> None:
        """Read State for a push: now, or once the rate limit allows."""
        self.pushes += 1
        self.decrypted += evidence.decrypted
        self.signature_verified += evidence.signature_verified
        if self.state is not None:
            self._set_state(PushState.ACTIVE)
        self.doorbell.ring()

    @property
    def reads(self) -> int:
        """State reads pushes triggered."""
        return self.doorbell.reads

    @callback
    def _read(self) -> None:
        self.entry.async_create_background_task(
            self.hass, self.coordinator.async_read_now(), f"{self.entry.title} push"
        )

    @callback
    def cancel(self) -> None:
        """Cancel pending timers and stop watching (the entry unloads)."""
        if self._unlisten is not None:
            self._unlisten()
            self._unlisten = None
        self.doorbell.cancel()
        for handle in (self._retry, self._judging):
            if handle is not None:
                handle.cancel()
        self._retry = self._judging = None

    def diagnostics(self) -> dict[str, Any]:
        """Push figures, including what pushed bodies showed under the hypothesis."""
        return {
            "state": self.state,
            "slots": self.hub.slots(self.device_id),
            "pushes_received": self.pushes,
            "pushes_decrypted": self.decrypted,
            "pushes_signature_verified": self.signature_verified,
            "reads_triggered": self.reads,
        }
