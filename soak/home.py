"""The Home Assistant side of the soak: entries, health, repairs and random actions."""

from __future__ import annotations

import asyncio
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

from homeassistant.components.repairs import DOMAIN as REPAIRS_DOMAIN
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import STATE_OFF, STATE_UNAVAILABLE
from homeassistant.data_entry_flow import FlowResultType, UnknownFlow
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry  # type: ignore[import-untyped]

from custom_components.miele_local.const import DOMAIN
from custom_components.miele_local.coordinator import (
    MieleLocalConfigEntry,
    pairing_lost_issue_id,
)
from mielelocal.connection.health import ConnectionState
from simulator.device import Fault

if TYPE_CHECKING:
    from collections.abc import Iterator
    from datetime import datetime
    import random

    from homeassistant.core import HomeAssistant

    from mielelocal.credentials import GroupCredentials
    from simulator.device import SimulatedAppliance

SCAN_INTERVAL = 5
"""The soak reads every appliance at this pace (not the cadence): it stresses recovery."""
TIMEOUT = 2
PROMPT_WAIT = 150.0
"""
Seconds the user waits for Home Assistant to ask for an unpaired appliance (a setup retried
with backoff notices a reset within about 90 s).
"""
USER_PAUSE = 2.0
"""Seconds the user takes between two tries of a form that reported an error."""


@contextmanager
def stress_pace() -> Iterator[None]:
    """Poll every ``SCAN_INTERVAL`` s with a ``TIMEOUT`` s request timeout."""

    def every_scan_interval(*_: Any, **__: Any) -> timedelta:
        return timedelta(seconds=SCAN_INTERVAL)

    with (
        patch(
            "custom_components.miele_local.cadence.Cadence.interval",
            every_scan_interval,
        ),
        patch("custom_components.miele_local.manager.DEFAULT_TIMEOUT", TIMEOUT),
    ):
        yield


CYCLE_STATUS_READY = 4
"""Status "waiting to start", as after a user loads a programme on the panel."""


@dataclass
class Home:
    """One Home Assistant instance with a config entry per simulated appliance."""

    hass: HomeAssistant
    appliances: dict[str, SimulatedAppliance]
    keys: dict[str, GroupCredentials]
    entries: dict[str, MieleLocalConfigEntry] = field(default_factory=dict)
    reauth_entries: set[str] = field(default_factory=set)

    @classmethod
    def of(cls, hass: HomeAssistant, fleet: list[SimulatedAppliance]) -> Home:
        """Remember each appliance's pairing before any fault can drop it."""
        keys = {sim.device_id: sim.credentials for sim in fleet}
        if any(key is None for key in keys.values()):
            raise ValueError("every simulated appliance must start paired")
        return cls(
            hass,
            {sim.device_id: sim for sim in fleet},
            {device_id: key for device_id, key in keys.items() if key is not None},
        )

    def add_entries(self) -> None:
        """Add one entry per appliance (run under `stress_pace`)."""
        for device_id, sim in self.appliances.items():
            key = self.keys[device_id]
            entry = MockConfigEntry(
                domain=DOMAIN,
                title=f"{sim.appliance} {device_id}",
                unique_id=device_id,
                data={
                    "host": sim.host,
                    "group_id": key.group_id,
                    "group_key": key.group_key_hex,
                    "device_id": device_id,
                },
            )
            entry.add_to_hass(self.hass)
            self.entries[device_id] = entry

    def healthy_since(self, device_id: str, since: datetime) -> bool:
        """Tell whether the appliance is loaded and healthy with a read after ``since``.

        No prompt may be left open for it: neither the repair nor re-authentication.
        """
        entry = self.entries[device_id]
        if (
            entry.state is not ConfigEntryState.LOADED
            or self._issue_open(device_id)
            or self._reauth_flow(device_id) is not None
        ):
            return False
        coordinator = entry.runtime_data.coordinator
        health = coordinator.health
        return (
            coordinator.last_update_success
            and health.state is ConnectionState.HEALTHY
            and health.last_success is not None
            and health.last_success > since
        )

    def last_success(self, device_id: str) -> datetime | None:
        """When the appliance's last signed read succeeded (None while not loaded)."""
        entry = self.entries[device_id]
        if entry.state is not ConfigEntryState.LOADED:
            return None
        return entry.runtime_data.coordinator.health.last_success

    def describe(self, device_id: str) -> str:
        """One line on why an appliance is not healthy."""
        entry = self.entries[device_id]
        sim = self.appliances[device_id]
        text = f"{sim.appliance} {device_id}: entry {entry.state.value}"
        if entry.state is ConfigEntryState.LOADED:
            coordinator = entry.runtime_data.coordinator
            health = coordinator.health
            text += (
                f", last update ok {coordinator.last_update_success}, health "
                f"{health.state.value} ({health.last_error_kind}), last success "
                f"{health.last_success}"
            )
        if self._issue_open(device_id):
            text += ", pairing-lost issue open"
        if self._reauth_flow(device_id) is not None:
            text += ", re-authentication open"
        elif entry.entry_id in self.reauth_entries:
            text += ", re-authentication asked before"
        return text

    def note_reauth_flows(self) -> None:
        """Remember entries with a re-authentication flow in progress."""
        for flow in self.hass.config_entries.flow.async_progress_by_handler(DOMAIN):
            if flow["context"].get("source") == SOURCE_REAUTH:
                self.reauth_entries.add(str(flow["context"].get("entry_id")))

    def _issue_open(self, device_id: str) -> bool:
        issue_id = pairing_lost_issue_id(self.entries[device_id].entry_id)
        return ir.async_get(self.hass).async_get_issue(DOMAIN, issue_id) is not None

    def _reauth_flow(self, device_id: str) -> dict[str, Any] | None:
        """Return the entry's re-authentication flow in progress, if any."""
        entry = self.entries[device_id]
        return next(
            (
                dict(flow)
                for flow in entry.async_get_active_flows(self.hass, {SOURCE_REAUTH})
            ),
            None,
        )

    async def pair_again(self, sim: SimulatedAppliance) -> str | None:
        """Act as the user on an appliance that lost its pairing: fix what Home Assistant asks.

        The user waits for the prompt (the lost-pairing repair or re-authentication), then
        answers it through Home Assistant's flow managers as clicks in the frontend would:
        the repair's confirmation, or re-authentication's "pair it again" and its
        confirmation. A form that reports an error is submitted again a little later.
        Returns the prompt that paired the appliance again, None when none came within
        ``PROMPT_WAIT`` (the appliance then stays unpaired).
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + PROMPT_WAIT
        while loop.time() < deadline:
            if self._issue_open(sim.device_id):
                if await self._fix_repair(sim.device_id):
                    return "repair"
            elif (flow := self._reauth_flow(sim.device_id)) is not None and (
                await self._answer_reauth(flow)
            ):
                return "re-authentication"
            await asyncio.sleep(USER_PAUSE)
        return None

    async def _fix_repair(self, device_id: str) -> bool:
        """Open the repair's fix flow and confirm it; True once it paired the appliance."""
        flows = self.hass.data[REPAIRS_DOMAIN]["flow_manager"]
        issue_id = pairing_lost_issue_id(self.entries[device_id].entry_id)
        result = await flows.async_init(DOMAIN, data={"issue_id": issue_id})
        if result["type"] is FlowResultType.FORM:
            result = await flows.async_configure(result["flow_id"], {})
        if result["type"] is FlowResultType.CREATE_ENTRY:
            return True
        if result["type"] is FlowResultType.FORM:  # an error shown: the user closes it
            flows.async_abort(result["flow_id"])
        return False

    async def _answer_reauth(self, flow: dict[str, Any]) -> bool:
        """Choose "pair it again" and confirm; True once the flow paired the appliance."""
        flows = self.hass.config_entries.flow
        try:
            if flow.get("step_id") != "reauth_pair_again":
                result = await flows.async_configure(
                    flow["flow_id"], {"next_step_id": "reauth_pair_again"}
                )
            result = await flows.async_configure(flow["flow_id"], {})
        except UnknownFlow:  # closed meanwhile (a reload, or the key worked again)
            return False
        return (
            result["type"] is FlowResultType.ABORT
            and result["reason"] == "reauth_successful"
        )

    async def random_action(self, rng: random.Random) -> None:
        """Press an available programme button or switch a light, once.

        When nothing is possible, a cycle appliance gets a programme loaded, as a user
        would on its panel. A translated refusal is an expected outcome under faults.
        """
        device_id = rng.choice(list(self.entries))
        choices = self._actions(device_id)
        if not choices:
            sim = self.appliances[device_id]
            if sim.fault is Fault.NONE and sim.model.template.finish_phase is not None:
                sim.update_state(Status=CYCLE_STATUS_READY)
            return
        domain, service, entity_id = rng.choice(choices)
        with suppress(HomeAssistantError):
            await self.hass.services.async_call(
                domain, service, {"entity_id": entity_id}, blocking=True
            )

    def _actions(self, device_id: str) -> list[tuple[str, str, str]]:
        entry = self.entries[device_id]
        found = []
        for item in er.async_entries_for_config_entry(
            er.async_get(self.hass), entry.entry_id
        ):
            state = self.hass.states.get(item.entity_id)
            if state is None or state.state == STATE_UNAVAILABLE:
                continue
            if item.domain == "button":
                found.append(("button", "press", item.entity_id))
            elif item.domain == "light":
                service = "turn_on" if state.state == STATE_OFF else "turn_off"
                found.append(("light", service, item.entity_id))
        return found
