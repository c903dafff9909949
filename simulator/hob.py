"""Zone power levels in a KM-series hob's ``ExtendedState`` (the ``hob_extended`` appliance).

Layout from docs/protocol.md "Hob zones and hood": zone n (0-5) has its power level
(``PlateStep`` codes: 0 off, 1-23 levels, 100-107 residual heat) at byte 8+3n and its flags
at 9+3n. Byte 7 bits 1-4 count the installed zones (ha-miele-at-lan's reading of the
app's hob struct; 0x0B, five zones, on the KM8684 of its PR #36).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

ZONES_BYTE = 7
FIRST_LEVEL_BYTE = 8
STRIDE = 3
MAX_ZONES = 6


def zone_count(extended_state: str) -> int:
    """Return the number of installed zones an ``ExtendedState`` reports."""
    return (bytes.fromhex(extended_state)[ZONES_BYTE] >> 1) & 0x0F


def power_levels(extended_state: str) -> tuple[int, ...]:
    """Return the power level code of each installed zone."""
    blob = bytes.fromhex(extended_state)
    count = min(zone_count(extended_state), MAX_ZONES)
    return tuple(blob[FIRST_LEVEL_BYTE + STRIDE * zone] for zone in range(count))


def with_power_levels(extended_state: str, levels: Sequence[int]) -> str:
    """Return ``extended_state`` (upper-case hex) with the first zones set to ``levels``."""
    if len(levels) > zone_count(extended_state):
        raise ValueError("more levels than installed zones")
    blob = bytearray.fromhex(extended_state)
    for zone, level in enumerate(levels):
        blob[FIRST_LEVEL_BYTE + STRIDE * zone] = level
    return blob.hex().upper()
