"""A hob's ``ExtendedState``: what newer hobs report only there (zone count, levels, boosters).

``ExtendedState`` is a hex string. On KM-series hobs (62 bytes, longer on some models) byte
7 carries the number of zones in bits 1-4; zone n (0-5) has its power level at byte 8+3n
(the same codes as ``PlateStep``) and flags at 9+3n, whose bits 6-7 are the booster level
(0 off, 1-3 Boost I-III). The layout was read out of the Miele app by the ha-miele-at-lan
project and matches its captures: a KM7576 with Boost I on zone 3 (byte 15 = 0x48) and a
five-zone KM8684, an 8000-series hob that sends no ``PlateStep`` at all (byte 7 = 0x0B).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

ZONES = 6
ZONE_COUNT_BYTE = 7
FIRST_LEVEL_BYTE = 8
FIRST_FLAGS_BYTE = 9
ZONE_STRIDE = 3
MIN_LENGTH = FIRST_FLAGS_BYTE + ZONE_STRIDE * (ZONES - 1) + 1
BOOSTER_SHIFT = 6
BOOSTER_MASK = 0b11


@dataclass(frozen=True, slots=True)
class HobZones:
    """The zones a hob reports in ``ExtendedState``."""

    count: int | None
    """Zones the hob says it has (``None`` when byte 7 names no count from 1 to 6)."""
    levels: tuple[int, ...]
    """Power level code of each of the six zone slots (``PlateStep`` codes)."""
    boosters: tuple[int, ...]
    """Booster level (0-3) of each of the six zone slots."""


def hob_zones(extended_state: object) -> HobZones | None:
    """Decode a hob's ``ExtendedState``; ``None`` without a (long enough) hex blob."""
    if not isinstance(extended_state, str):
        return None
    return _parse(extended_state)


def hob_zone_boosters(extended_state: object) -> tuple[int, ...] | None:
    """Return the booster level (0-3) of each of the six zones; ``None`` without a blob."""
    zones = hob_zones(extended_state)
    return None if zones is None else zones.boosters


@lru_cache(maxsize=16)
def _parse(extended_state: str) -> HobZones | None:
    """Decode a hex blob once (every zone sensor of a hob reads the same one)."""
    try:
        blob = bytes.fromhex(extended_state)
    except ValueError:
        return None
    if len(blob) < MIN_LENGTH:
        return None
    count = (blob[ZONE_COUNT_BYTE] >> 1) & 0x0F
    return HobZones(
        count=count if 1 <= count <= ZONES else None,
        levels=tuple(
            blob[FIRST_LEVEL_BYTE + ZONE_STRIDE * zone] for zone in range(ZONES)
        ),
        boosters=tuple(
            (blob[FIRST_FLAGS_BYTE + ZONE_STRIDE * zone] >> BOOSTER_SHIFT)
            & BOOSTER_MASK
            for zone in range(ZONES)
        ),
    )
