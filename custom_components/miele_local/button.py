"""Buttons: start, stop and pause a programme (each press is sent once, never retried)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription

from .entity import CYCLE_APPLIANCES, MieleEntity
from .miele.models import ProcessAction, State, Status

if TYPE_CHECKING:
    from collections.abc import Callable

    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .coordinator import MieleLocalConfigEntry

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class MieleButtonEntityDescription(ButtonEntityDescription):
    """A programme action and the States in which the appliance accepts it."""

    action: ProcessAction
    allowed_fn: Callable[[State], bool]


BUTTONS: tuple[MieleButtonEntityDescription, ...] = (
    MieleButtonEntityDescription(
        key="start",
        translation_key="start",
        action=ProcessAction.START,
        allowed_fn=lambda state: (
            state.can_start
            or (state.remote_control_enabled and state.status == Status.PAUSE)
        ),
    ),
    MieleButtonEntityDescription(
        key="stop",
        translation_key="stop",
        action=ProcessAction.STOP,
        allowed_fn=lambda state: (
            state.remote_control_enabled
            and state.status
            in (
                Status.PROGRAMMED,
                Status.WAITING_TO_START,
                Status.RUNNING,
                Status.PAUSE,
            )
        ),
    ),
    MieleButtonEntityDescription(
        key="pause",
        translation_key="pause",
        action=ProcessAction.PAUSE,
        allowed_fn=lambda state: state.remote_control_enabled and state.is_running,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MieleLocalConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the programme buttons of appliances that run programmes."""
    coordinator = entry.runtime_data.coordinator
    if coordinator.ident.device_type in CYCLE_APPLIANCES:
        async_add_entities(
            MieleButton(coordinator, description) for description in BUTTONS
        )


class MieleButton(MieleEntity, ButtonEntity):
    """Sends one programme action; available only while the appliance would accept it."""

    entity_description: MieleButtonEntityDescription

    @property
    def available(self) -> bool:
        """Remote control is enabled and the action makes sense in the current State."""
        return super().available and self.entity_description.allowed_fn(self.state_data)

    async def async_press(self) -> None:
        """Send the action once; a refusal or failure raises a translated error."""
        await self.coordinator.async_send_action(
            {"ProcessAction": int(self.entity_description.action)}
        )
