"""A hob's ExtendedState: the per-zone booster, from real captures and the observed layout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mielelocal.extended_state import hob_zone_boosters, hob_zones

CAPTURES = json.loads(
    (
        Path(__file__).parent.parent / "fixtures" / "extended_state" / "kmda7876.json"
    ).read_text()
)["captures"]


def km7576_boost_on_zone_3() -> str:
    """A 62-byte KM7576 blob with the bytes observed for Boost I on zone 3."""
    blob = bytearray(62)
    blob[0] = 0x05  # active
    blob[14] = 0x11  # zone 3 power level 9
    blob[15] = 0x48  # zone 3 flags: pot detected (bit 3), Boost I (bits 6-7 = 01)
    return blob.hex().upper()


@pytest.mark.parametrize("name", sorted(CAPTURES))
def test_real_captures_have_no_zone_booster(name: str) -> None:
    """The extractor's boost (byte 62) is not a cooking zone's booster."""
    assert hob_zone_boosters(CAPTURES[name]) == (0, 0, 0, 0, 0, 0)


def test_booster_of_zone_3() -> None:
    assert hob_zone_boosters(km7576_boost_on_zone_3()) == (0, 0, 1, 0, 0, 0)


@pytest.mark.parametrize("flags", [0x88, 0xC0])
def test_booster_levels(flags: int) -> None:
    blob = bytearray(62)
    blob[9] = flags
    assert hob_zone_boosters(blob.hex())[0] == flags >> 6


@pytest.mark.parametrize("value", [None, 17, "", "0D00", "zz" * 62, "0" * 61])
def test_no_blob(value: object) -> None:
    assert hob_zone_boosters(value) is None


# A five-zone KM8684 (8000 series, no PlateStep in its State) while cooking, as published
# with ha-miele-at-lan's hob tests: zone 1 residual heat (0x66), zone 2 level 7 (0x0D) with
# a pot on it (flags 0x08), zone 3 residual heat (0x65).
KM8684_ACTIVE = (
    "050000000200100B6600000D080065000000000000000000000000000000000001"
    "0000000000000000000000000000000000000000000000000100000000FF000000"
    "4925000000000000020A191A1A0000000000000000000000000000000000000000"
    "000000001A00"
)


def test_km8684_zones_only_in_extended_state() -> None:
    zones = hob_zones(KM8684_ACTIVE)
    assert zones is not None
    assert zones.count == 5
    assert zones.levels[:5] == (0x66, 0x0D, 0x65, 0, 0)
    assert zones.boosters == (0, 0, 0, 0, 0, 0)


@pytest.mark.parametrize(
    ("byte7", "count"), [(0x08, 4), (0x0B, 5), (0x0C, 6), (0, None), (0x0E, None)]
)
def test_zone_count_from_byte_7(byte7: int, count: int | None) -> None:
    blob = bytearray(62)
    blob[7] = byte7
    zones = hob_zones(blob.hex())
    assert zones is not None
    assert zones.count == count


def test_real_kmda7876_captures_name_four_zones() -> None:
    for capture in CAPTURES.values():
        zones = hob_zones(capture)
        assert zones is not None
        assert zones.count == 4
