"""What an appliance is and can do, decided by its ``Ident`` alone (never by a State).

The families follow Home Assistant core's ``miele`` lists (:mod:`.families`); the one
rule beyond them is that cooling appliances on the EK057 module refuse every write.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING

from .controls import process_controls
from .families import (
    COOLING_APPLIANCES,
    CORE_PROBE_APPLIANCES,
    CYCLE_APPLIANCES,
    DOOR_APPLIANCES,
    DRYERS,
    HOBS,
    HOODS,
    LIGHT_APPLIANCES,
    PROGRAM_APPLIANCES,
    SUPERCOOL_APPLIANCES,
    SUPERFREEZE_APPLIANCES,
    TEMPERATURE_APPLIANCES,
    THREE_ZONE_APPLIANCES,
    TWO_ZONE_APPLIANCES,
    WASHERS,
)
from .hob import zones_by_tech_type
from .models import DeviceType

if TYPE_CHECKING:
    from collections.abc import Mapping

    from .controls import Gate, ProcessControl
    from .models import Ident

MAX_TEMPERATURE_ZONES = 3
WRITE_REFUSING_MODULE = "EK057"
"""Wi-Fi module whose cooling appliances answer 403 to every write (docs/protocol.md)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Capabilities:
    """What an appliance reports and which writes it takes."""

    runs_programs: bool
    """Selects programmes (programme, phase and programme type are reported)."""
    runs_timed_programs: bool
    """Runs programmes with a start delay, elapsed and remaining time."""
    accepts_writes: bool
    """Takes remote writes at all (False: cooling appliances on an EK057 module)."""
    has_door: bool
    has_light: bool
    """A switchable light (core's list)."""
    has_food_probe: bool
    """An oven whose second temperature is the food probe's."""
    has_fan: bool
    """An extraction fan (hoods, hobs with an integrated hood)."""
    has_battery: bool
    supercool: bool
    superfreeze: bool
    spin_speed: bool
    drying_step: bool
    temperature_zones: int
    """Measured temperature zones (0-3)."""
    target_temperature_zones: int
    """Target temperature zones (0-3): the measured ones, and one on washers."""
    hob_zones: int
    """Cooking zones by TechType (0: not a hob); the State may list more."""
    process_controls: Mapping[ProcessControl, Gate] = field(hash=False)
    """Start, stop and pause, each with the gate that allows it (maybe none)."""


def capabilities(ident: Ident) -> Capabilities:
    """Return the capabilities of the appliance ``ident`` describes."""
    return _capabilities(ident.device_type, ident.tech_type, ident.xkm_tech_type)


def _accepts_writes(device_type: DeviceType | int, module: str | None) -> bool:
    """Whether an appliance of ``device_type`` on Wi-Fi ``module`` takes remote writes.

    Fridges, freezers and wine cabinets on the EK057 module refuse every write (field
    reports, a KF 7772 B): their controls would only fail.
    """
    normalised = (module or "").replace(" ", "").upper()
    return not (
        device_type in COOLING_APPLIANCES
        and normalised.startswith(WRITE_REFUSING_MODULE)
    )


@lru_cache(maxsize=64)
def _capabilities(
    device_type: DeviceType | int, tech_type: str | None, module: str | None
) -> Capabilities:
    temperature_zones = next(
        (
            zones
            for zones, family in (
                (3, THREE_ZONE_APPLIANCES),
                (2, TWO_ZONE_APPLIANCES),
                (1, TEMPERATURE_APPLIANCES),
            )
            if device_type in family
        ),
        0,
    )
    return Capabilities(
        runs_programs=device_type in PROGRAM_APPLIANCES,
        runs_timed_programs=device_type in CYCLE_APPLIANCES,
        accepts_writes=_accepts_writes(device_type, module),
        has_door=device_type in DOOR_APPLIANCES,
        has_light=device_type in LIGHT_APPLIANCES,
        has_food_probe=device_type in CORE_PROBE_APPLIANCES,
        has_fan=device_type in HOODS,
        has_battery=device_type == DeviceType.ROBOT_VACUUM_CLEANER,
        supercool=device_type in SUPERCOOL_APPLIANCES,
        superfreeze=device_type in SUPERFREEZE_APPLIANCES,
        spin_speed=device_type in WASHERS,
        drying_step=device_type in DRYERS,
        temperature_zones=temperature_zones,
        target_temperature_zones=max(temperature_zones, int(device_type in WASHERS)),
        hob_zones=zones_by_tech_type(tech_type) if device_type in HOBS else 0,
        process_controls=MappingProxyType(dict(process_controls(device_type))),
    )
