"""Superfreeze and supercool switches of fridges and freezers (sent once, never retried).

Offered only where the appliance takes writes; elsewhere the binary sensors show the boosts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription

from mielelocal.capabilities import Capabilities, capabilities
from mielelocal.models import ProcessAction, Status

from .entity import MieleEntity

if TYPE_CHECKING:
    from collections.abc import Callable

    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .coordinator import MieleLocalConfigEntry

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class MieleSwitchEntityDescription(SwitchEntityDescription):
    """A cooling boost: the actions that switch it and the statuses that mean "on"."""

    exists_fn: Callable[[Capabilities], bool]
    on_action: ProcessAction
    off_action: ProcessAction
    on_statuses: frozenset[Status]


SWITCHES: tuple[MieleSwitchEntityDescription, ...] = (
    MieleSwitchEntityDescription(
        key="superfreeze",
        translation_key="superfreeze",
        exists_fn=lambda caps: caps.superfreeze,
        on_action=ProcessAction.SUPERFREEZE_ON,
        off_action=ProcessAction.SUPERFREEZE_OFF,
        on_statuses=frozenset(
            {Status.SUPERFREEZING, Status.SUPERCOOLING_SUPERFREEZING}
        ),
    ),
    MieleSwitchEntityDescription(
        key="supercool",
        translation_key="supercool",
        exists_fn=lambda caps: caps.supercool,
        on_action=ProcessAction.SUPERCOOL_ON,
        off_action=ProcessAction.SUPERCOOL_OFF,
        on_statuses=frozenset({Status.SUPERCOOLING, Status.SUPERCOOLING_SUPERFREEZING}),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MieleLocalConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the boost switches of an appliance that takes writes."""
    coordinator = entry.runtime_data.coordinator
    caps = capabilities(coordinator.data.ident)
    if caps.accepts_writes:
        async_add_entities(
            MieleSwitch(coordinator, description)
            for description in SWITCHES
            if description.exists_fn(caps)
        )


class MieleSwitch(MieleEntity, SwitchEntity):
    """Superfreeze or supercool, on while the appliance reports the boost status."""

    entity_description: MieleSwitchEntityDescription

    @property
    def is_on(self) -> bool:
        """Whether the latest State reports the boost running."""
        return self.coordinator.data.state.status in self.entity_description.on_statuses

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Start the boost (one request)."""
        await self._send(self.entity_description.on_action)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Stop the boost (one request)."""
        await self._send(self.entity_description.off_action)

    async def _send(self, action: ProcessAction) -> None:
        await self.coordinator.async_send_action({"ProcessAction": int(action)})
