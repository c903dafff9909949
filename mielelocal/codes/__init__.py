"""Names of the codes appliances report: status, programme type, programme id and phase.

Names are snake_case translation keys. Programme and phase tables differ per appliance
type (family modules hold the data); :func:`program_options` and :func:`phase_options`
give the names an appliance of a type can show. Codes no table names are kept by
:class:`UnknownCodes`, which logs each once at debug for diagnostics.
"""

from __future__ import annotations

import logging
from types import MappingProxyType
from typing import TYPE_CHECKING

from mielelocal.models import DeviceType, ProgramType, State, Status

from .coffee import COFFEE_PHASES, COFFEE_PROGRAMS
from .cooking_phases import (
    MICROWAVE_PHASES,
    OVEN_MICROWAVE_PHASES,
    OVEN_PHASES,
    STEAM_OVEN_COMBI_PHASES,
    STEAM_OVEN_MICRO_PHASES,
    STEAM_OVEN_PHASES,
    WARMING_DRAWER_PHASES,
)
from .dishwasher import DISHWASHER_PHASES, DISHWASHER_PROGRAMS
from .floorcare import ROBOT_VACUUM_PHASES, ROBOT_VACUUM_PROGRAMS
from .laundry import (
    DRYER_PHASES,
    DRYER_PROGRAMS,
    WASHER_DRYER_PHASES,
    WASHER_PHASES,
    WASHER_PROGRAMS,
)
from .oven_automatic import OVEN_AUTOMATIC_PROGRAMS
from .oven_modes import OVEN_MODES, WARMING_DRAWER_PROGRAMS

if TYPE_CHECKING:
    from collections.abc import Mapping

_LOGGER = logging.getLogger(__name__)

OVEN_PROGRAMS: Mapping[int, str] = {**OVEN_MODES, **OVEN_AUTOMATIC_PROGRAMS}

PHASES: Mapping[int, Mapping[int, str]] = {
    DeviceType.WASHING_MACHINE: WASHER_PHASES,
    DeviceType.WASHING_MACHINE_SEMI_PROFESSIONAL: WASHER_PHASES,
    DeviceType.WASHING_MACHINE_PROFESSIONAL: WASHER_PHASES,
    DeviceType.TUMBLE_DRYER: DRYER_PHASES,
    DeviceType.TUMBLE_DRYER_SEMI_PROFESSIONAL: DRYER_PHASES,
    DeviceType.DRYER_PROFESSIONAL: DRYER_PHASES,
    DeviceType.WASHER_DRYER: WASHER_DRYER_PHASES,
    DeviceType.DISHWASHER: DISHWASHER_PHASES,
    DeviceType.DISHWASHER_SEMI_PROFESSIONAL: DISHWASHER_PHASES,
    DeviceType.DISHWASHER_PROFESSIONAL: DISHWASHER_PHASES,
    DeviceType.OVEN: OVEN_PHASES,
    DeviceType.DIALOG_OVEN: OVEN_PHASES,
    DeviceType.OVEN_MICROWAVE: OVEN_MICROWAVE_PHASES,
    DeviceType.STEAM_OVEN: STEAM_OVEN_PHASES,
    DeviceType.STEAM_OVEN_COMBI: STEAM_OVEN_COMBI_PHASES,
    DeviceType.STEAM_OVEN_MK2: STEAM_OVEN_COMBI_PHASES,
    DeviceType.STEAM_OVEN_MICRO: STEAM_OVEN_MICRO_PHASES,
    DeviceType.MICROWAVE: MICROWAVE_PHASES,
    DeviceType.COFFEE_SYSTEM: COFFEE_PHASES,
    DeviceType.ROBOT_VACUUM_CLEANER: ROBOT_VACUUM_PHASES,
    DeviceType.DISH_WARMER: WARMING_DRAWER_PHASES,
}
"""Phase table per appliance type."""

PROGRAMS: Mapping[int, Mapping[int, str]] = {
    DeviceType.WASHING_MACHINE: WASHER_PROGRAMS,
    DeviceType.WASHING_MACHINE_SEMI_PROFESSIONAL: WASHER_PROGRAMS,
    DeviceType.WASHING_MACHINE_PROFESSIONAL: WASHER_PROGRAMS,
    DeviceType.WASHER_DRYER: WASHER_PROGRAMS,
    DeviceType.TUMBLE_DRYER: DRYER_PROGRAMS,
    DeviceType.TUMBLE_DRYER_SEMI_PROFESSIONAL: DRYER_PROGRAMS,
    DeviceType.DRYER_PROFESSIONAL: DRYER_PROGRAMS,
    DeviceType.DISHWASHER: DISHWASHER_PROGRAMS,
    DeviceType.DISHWASHER_SEMI_PROFESSIONAL: DISHWASHER_PROGRAMS,
    DeviceType.DISHWASHER_PROFESSIONAL: DISHWASHER_PROGRAMS,
    DeviceType.OVEN: OVEN_PROGRAMS,
    DeviceType.OVEN_MICROWAVE: OVEN_PROGRAMS,
    DeviceType.DIALOG_OVEN: OVEN_PROGRAMS,
    DeviceType.STEAM_OVEN: OVEN_PROGRAMS,
    DeviceType.STEAM_OVEN_COMBI: OVEN_PROGRAMS,
    DeviceType.STEAM_OVEN_MK2: OVEN_PROGRAMS,
    DeviceType.STEAM_OVEN_MICRO: OVEN_PROGRAMS,
    DeviceType.DISH_WARMER: WARMING_DRAWER_PROGRAMS,
    DeviceType.ROBOT_VACUUM_CLEANER: ROBOT_VACUUM_PROGRAMS,
    DeviceType.COFFEE_SYSTEM: COFFEE_PROGRAMS,
}
"""Programme table per appliance type."""


DRYING_STEPS: tuple[str, ...] = (
    "extra_dry",
    "normal_plus",
    "normal",
    "slightly_dry",
    "hand_iron_1",
    "hand_iron_2",
    "machine_iron",
    "smoothing",
)
"""Names of a dryer's ``DryingStep`` 0-7."""
STANDBY_STATES: Mapping[int, str] = MappingProxyType(
    {1: "network_idle", 2: "deep_standby", 3: "going_to_standby"}
)
"""Names of ``StandbyState`` (0 means not known)."""


def drying_step_key(step: int | None) -> str | None:
    """Return the name of a drying step, or ``None`` when absent or unknown."""
    return (
        DRYING_STEPS[step]
        if step is not None and 0 <= step < len(DRYING_STEPS)
        else None
    )


def standby_state_key(standby_state: int | None) -> str | None:
    """Return the name of a network standby state, or ``None`` when absent or unknown."""
    return None if standby_state is None else STANDBY_STATES.get(standby_state)


def status_key(status: Status | int) -> str | None:
    """Return the name of a status, or ``None`` when the code is unknown."""
    return status.name.lower() if isinstance(status, Status) else None


def program_type_key(program_type: ProgramType | int) -> str | None:
    """Return the name of a programme type, or ``None`` when the code is unknown."""
    return program_type.name.lower() if isinstance(program_type, ProgramType) else None


def program_key(device_type: int, program_id: int) -> str | None:
    """Return the name of a programme id, or ``None`` when unknown for this appliance type."""
    return PROGRAMS.get(device_type, {}).get(program_id)


def phase_key(device_type: int, phase: int) -> str | None:
    """Return the name of a programme phase, or ``None`` when unknown for this appliance type."""
    return PHASES.get(device_type, {}).get(phase)


def status_options() -> list[str]:
    """Return every status name, sorted."""
    return sorted(status.name.lower() for status in Status)


def program_type_options() -> list[str]:
    """Return every programme type name, sorted."""
    return sorted(program_type.name.lower() for program_type in ProgramType)


def program_options(device_type: int) -> list[str]:
    """Return the programme names an appliance of this type can show, sorted."""
    return sorted(set(PROGRAMS.get(device_type, {}).values()))


def phase_options(device_type: int) -> list[str]:
    """Return the phase names an appliance of this type can show, sorted."""
    return sorted(set(PHASES.get(device_type, {}).values()))


def _unnamed(
    tables: Mapping[int, Mapping[int, str]], device_type: int, code: int
) -> bool:
    """Whether an appliance type that has a table reported a code it does not name."""
    return device_type in tables and code not in tables[device_type]


class UnknownCodes:
    """The codes one appliance reported that no table names; each is logged once at debug."""

    def __init__(self, appliance: str) -> None:
        """Track the codes of the appliance called ``appliance`` in log messages."""
        self._appliance = appliance
        self._seen: dict[str, set[int]] = {}

    def check(self, device_type: int, state: State) -> None:
        """Note the codes of ``state`` that have no name for this appliance type."""
        if state.status is not None and status_key(state.status) is None:
            self._note(device_type, "status", state.status)
        if (
            state.program_type is not None
            and program_type_key(state.program_type) is None
        ):
            self._note(device_type, "program_type", state.program_type)
        program_id, phase = state.program_id, state.program_phase
        if program_id is not None and _unnamed(PROGRAMS, device_type, program_id):
            self._note(device_type, "program_id", program_id)
        if phase is not None and _unnamed(PHASES, device_type, phase):
            self._note(device_type, "program_phase", phase)

    def _note(self, device_type: int, field: str, code: int) -> None:
        seen = self._seen.setdefault(field, set())
        if code not in seen:
            seen.add(code)
            _LOGGER.debug(
                "%s (device type %s) reported %s %s, which has no name",
                self._appliance,
                device_type,
                field,
                code,
            )

    def as_dict(self) -> dict[str, list[int]]:
        """Return the unknown codes seen so far, by State field, sorted (for diagnostics)."""
        return {field: sorted(codes) for field, codes in sorted(self._seen.items())}
