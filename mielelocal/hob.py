"""Hob cooking zones: how many a hob has and what its codes mean (translation keys).

A hob has four zones unless its TechType is known to have more, or its State lists more:
in ``PlateStep``, or in ``ExtendedState`` (8000-series hobs send only that, see
:mod:`.extended_state`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .extended_state import hob_zones
from .families import HOBS

if TYPE_CHECKING:
    from .models import Ident, State

MAX_ZONES = 6
DEFAULT_ZONES = 4
ZONES_BY_TECH_TYPE = {
    "KM7575": 6,
    "KM7576": 6,
    "KM7678": 6,
    "KM7697": 6,
    "KM7699": 5,
    "KM7740": 5,
    "KM7878": 6,
    "KM7897": 6,
    "KM7899": 5,
    "KM7999": 5,
    "KMDA7633": 5,
    "KMDA7634": 5,
    "KMDA7774": 5,
    "KMX": 6,
}
"""Hobs with more than four zones, by TechType prefix (core's table)."""

HIGHEST_LEVEL_CODE = 23
"""``PlateStep`` 1-23: power levels 1 to 12 in half steps."""
RESIDUAL_HEAT_CODES = range(100, 108)
KEEP_WARM_CODES = frozenset({110, 220})
BOOST_CODES = frozenset({117, 118, 218})
BOOST_PLUS_CODE = 217
BOOSTER_KEYS = {1: "plate_step_boost", 2: "plate_step_boost_2", 3: "plate_step_boost_3"}
"""The ``ExtendedState`` booster levels (Boost I-III)."""

PLATE_STEP_OPTIONS = (
    *(f"plate_step_{code}" for code in range(HIGHEST_LEVEL_CODE + 1)),
    "plate_step_residual_heat",
    "plate_step_warm",
    "plate_step_boost",
    "plate_step_boost_2",
    "plate_step_boost_3",
)
"""Every key :func:`power_level_key` returns."""
REMAINING_HEAT_OPTIONS = ("none", "low", "medium", "high")
"""``PlateRemainingHeat`` 0-3."""


def zones_by_tech_type(tech_type: str | None) -> int:
    """Return a hob's zone count by its TechType (four unless known to be larger)."""
    normalised = (tech_type or "").replace(" ", "").upper()
    return next(
        (
            zones
            for prefix, zones in ZONES_BY_TECH_TYPE.items()
            if normalised.startswith(prefix)
        ),
        DEFAULT_ZONES,
    )


def hob_zone_count(ident: Ident, state: State) -> int:
    """Return the number of cooking zones of a hob (0 for other appliances).

    From its TechType as core does, or more when the State reports more zones.
    """
    if ident.device_type not in HOBS:
        return 0
    reported = len(state.plate_steps or ())
    extended = hob_zones(state.raw.get("ExtendedState"))
    announced = 0 if extended is None else extended.count or 0
    return min(max(zones_by_tech_type(ident.tech_type), reported, announced), MAX_ZONES)


def zone_power_level_key(state: State, zone: int) -> str | None:
    """Return the translation key of the power level of 1-based ``zone``, ``None`` unknown.

    ``PlateStep`` gives the level; ``ExtendedState`` gives the booster and, on hobs that
    send no ``PlateStep``, the level too.
    """
    extended = hob_zones(state.raw.get("ExtendedState"))
    level = _zone(state.plate_steps, zone)
    if extended is None:
        return power_level_key(level, None)
    if level is None:
        level = _zone(extended.levels, zone)
    return power_level_key(level, _zone(extended.boosters, zone))


def power_level_key(code: int | None, booster: int | None) -> str | None:
    """Return the translation key of a zone's power level, ``None`` when unknown.

    A booster reported in ``ExtendedState`` wins: newer hobs keep the base level in
    ``PlateStep`` while boosting.
    """
    if booster in BOOSTER_KEYS:
        return BOOSTER_KEYS[booster]
    return None if code is None else plate_step_key(code)


def plate_step_key(code: int) -> str | None:
    """Return the translation key of a ``PlateStep`` code, ``None`` when unknown."""
    if 0 <= code <= HIGHEST_LEVEL_CODE:
        return f"plate_step_{code}"
    if code in RESIDUAL_HEAT_CODES:
        return "plate_step_residual_heat"
    if code in KEEP_WARM_CODES:
        return "plate_step_warm"
    if code in BOOST_CODES:
        return "plate_step_boost"
    if code == BOOST_PLUS_CODE:
        return "plate_step_boost_2"
    return None


def remaining_heat_key(code: int) -> str | None:
    """Return the translation key of a ``PlateRemainingHeat`` code, ``None`` when unknown."""
    return (
        REMAINING_HEAT_OPTIONS[code]
        if 0 <= code < len(REMAINING_HEAT_OPTIONS)
        else None
    )


def _zone[T](values: tuple[T, ...] | None, zone: int) -> T | None:
    """Return the value of a 1-based zone, ``None`` when it is not reported."""
    return values[zone - 1] if values is not None and len(values) >= zone else None
