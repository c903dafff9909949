"""
A hob's ``ExtendedState``: the per-zone booster that newer hobs report only there.

``ExtendedState`` is a hex string; on KM-series hobs (62 bytes) zone n (0-5) has its power
level at byte 8+3n and flags at 9+3n, whose bits 6-7 are the booster level (0 off, 1-3
Boost I-III). Layout: protocol.md, "Hob zones and hood" (observed on a KM7576 with Boost I
on zone 3: byte 15 = 0x48).
"""

from __future__ import annotations

from functools import lru_cache

ZONES = 6
FIRST_FLAGS_BYTE = 9
MIN_LENGTH = FIRST_FLAGS_BYTE + 3 * (ZONES - 1) + 1
BOOSTER_SHIFT = 6
BOOSTER_MASK = 0b11


def hob_zone_boosters(extended_state: object) -> tuple[int, ...] | None:
    """Return the booster level (0-3) of each of the six zones; ``None`` without a blob."""
    if not isinstance(extended_state, str):
        return None
    return _parse(extended_state)


@lru_cache(maxsize=16)
def _parse(extended_state: str) -> tuple[int, ...] | None:
    """Decode a hex blob once (every zone sensor of a hob reads the same one)."""
    try:
        blob = bytes.fromhex(extended_state)
    except ValueError:
        return None
    if len(blob) < MIN_LENGTH:
        return None
    return tuple(
        (blob[FIRST_FLAGS_BYTE + 3 * zone] >> BOOSTER_SHIFT) & BOOSTER_MASK
        for zone in range(ZONES)
    )
