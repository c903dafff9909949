"""Buttons: start, stop and pause a programme (each press is sent once, never retried)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription

from mielelocal.capabilities import capabilities
from mielelocal.controls import Gate, ProcessControl, control_allowed
from mielelocal.models import ProcessAction

from .entity import MieleEntity

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

    from .coordinator import MieleApplianceCoordinator, MieleLocalConfigEntry

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class MieleButtonEntityDescription(ButtonEntityDescription):
    """A programme action; the library's control gates decide when it is offered."""

    control: ProcessControl
    action: ProcessAction


BUTTONS: tuple[MieleButtonEntityDescription, ...] = (
    MieleButtonEntityDescription(
        key=ProcessControl.START,
        translation_key="start",
        control=ProcessControl.START,
        action=ProcessAction.START,  # also resumes a paused programme, as the app
    ),
    MieleButtonEntityDescription(
        key=ProcessControl.STOP,
        translation_key="stop",
        control=ProcessControl.STOP,
        action=ProcessAction.STOP,
    ),
    MieleButtonEntityDescription(
        key=ProcessControl.PAUSE,
        translation_key="pause",
        control=ProcessControl.PAUSE,
        action=ProcessAction.PAUSE,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: MieleLocalConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the programme buttons the appliance's family offers."""
    coordinator = entry.runtime_data.coordinator
    gates = capabilities(coordinator.data.ident).process_controls
    async_add_entities(
        MieleButton(coordinator, description, gates[description.control])
        for description in BUTTONS
        if description.control in gates
    )


class MieleButton(MieleEntity, ButtonEntity):
    """Sends one programme action; available only while the appliance would accept it."""

    entity_description: MieleButtonEntityDescription

    def __init__(
        self,
        coordinator: MieleApplianceCoordinator,
        description: MieleButtonEntityDescription,
        gate: Gate,
    ) -> None:
        """Offer `description`'s action whenever `gate` allows it."""
        super().__init__(coordinator, description)
        self._gate = gate

    @property
    def available(self) -> bool:
        """The action makes sense in the current State, as the Miele app decides."""
        return super().available and control_allowed(
            self._gate, self.coordinator.data.state
        )

    async def async_press(self) -> None:
        """Send the action once; a refusal or failure raises a translated error."""
        await self.coordinator.async_send_action(
            {"ProcessAction": int(self.entity_description.action)}
        )
