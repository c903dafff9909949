"""A hob's zone count and the names of its PlateStep, booster and residual heat codes."""

from __future__ import annotations

import pytest

from mielelocal import hob
from mielelocal.models import Ident, State


def _ident(tech_type: str | None, device_type: int = 27) -> Ident:
    label: dict[str, object] = {"FabNumber": "000160829578"}
    if tech_type is not None:
        label["TechType"] = tech_type
    return Ident.from_json({"DeviceType": device_type, "DeviceIdentLabel": label})


def _extended(
    count: int = 0,
    levels: dict[int, int] | None = None,
    boosters: dict[int, int] | None = None,
) -> str:
    """An ``ExtendedState`` blob: zone count in byte 7, 1-based zone levels and boosters."""
    blob = bytearray(62)
    blob[7] = count << 1
    for zone, level in (levels or {}).items():
        blob[8 + 3 * (zone - 1)] = level
    for zone, booster in (boosters or {}).items():
        blob[9 + 3 * (zone - 1)] = booster << 6
    return blob.hex().upper()


@pytest.mark.parametrize(
    ("tech_type", "zones"),
    [
        ("KM 7464 FL", 4),  # not in the table
        (None, 4),
        ("KM 7575", 6),
        ("km7576", 6),  # spelled loosely
        ("KM7699", 5),
        ("KMDA 7774-1 FL", 5),
        ("KMX 7000", 6),
        ("KM 7", 4),  # a prefix of a known TechType is not one
    ],
)
def test_zones_by_tech_type(tech_type: str | None, zones: int) -> None:
    assert hob.zones_by_tech_type(tech_type) == zones


@pytest.mark.parametrize(
    ("tech_type", "fields", "zones"),
    [
        ("KM 7464 FL", {"PlateStep": [0, 0, 0, 0]}, 4),
        ("KM 7575", {"PlateStep": [0, 0, 0, 0]}, 6),  # by TechType, whatever is listed
        ("KMDA 7774-1 FL", {}, 5),
        ("KM 7464 FL", {"PlateStep": [0, 0, 0, 0, 0]}, 5),  # the State lists more
        ("KM 7464 FL", {"PlateStep": [0] * 9}, 6),  # never more than six
        ("KM 8684", {"ExtendedState": _extended(5)}, 5),  # 8000 series: only here
        ("KM 8684", {"ExtendedState": _extended(7)}, 4),  # not a count from 1 to 6
        ("KM 8684", {"ExtendedState": "not hex"}, 4),
    ],
)
def test_hob_zone_count(tech_type: str, fields: dict[str, object], zones: int) -> None:
    assert hob.hob_zone_count(_ident(tech_type), State.from_json(fields)) == zones


@pytest.mark.parametrize("device_type", [14, 27, 74])
def test_every_hob_type_has_zones(device_type: int) -> None:
    assert hob.hob_zone_count(_ident(None, device_type), State.from_json({})) == 4


@pytest.mark.parametrize("device_type", [12, 18, 999])
def test_other_appliances_have_no_zones(device_type: int) -> None:
    state = State.from_json({"PlateStep": [0, 0, 0, 0, 0]})
    assert hob.hob_zone_count(_ident("KM 7575", device_type), state) == 0


@pytest.mark.parametrize(
    ("code", "key"),
    [
        (0, "plate_step_0"),
        (1, "plate_step_1"),
        (23, "plate_step_23"),
        (24, None),
        (99, None),
        (100, "plate_step_residual_heat"),
        (107, "plate_step_residual_heat"),
        (108, None),
        (110, "plate_step_warm"),
        (220, "plate_step_warm"),
        (117, "plate_step_boost"),
        (118, "plate_step_boost"),
        (218, "plate_step_boost"),
        (217, "plate_step_boost_2"),
        (-1, None),
    ],
)
def test_plate_step_codes(code: int, key: str | None) -> None:
    assert hob.plate_step_key(code) == key
    assert key is None or key in hob.PLATE_STEP_OPTIONS


@pytest.mark.parametrize(
    ("code", "booster", "key"),
    [
        (17, 0, "plate_step_17"),
        (17, 1, "plate_step_boost"),
        (17, 2, "plate_step_boost_2"),
        (None, 3, "plate_step_boost_3"),
        (None, 0, None),
        (None, None, None),
    ],
)
def test_booster_wins_over_plate_step(
    code: int | None, booster: int | None, key: str | None
) -> None:
    assert hob.power_level_key(code, booster) == key
    assert key is None or key in hob.PLATE_STEP_OPTIONS


def test_options_name_every_level_once() -> None:
    assert len(set(hob.PLATE_STEP_OPTIONS)) == len(hob.PLATE_STEP_OPTIONS) == 29
    named = {hob.plate_step_key(code) for code in range(300)} | {
        hob.power_level_key(None, booster) for booster in range(4)
    }
    assert named - {None} == set(hob.PLATE_STEP_OPTIONS)


@pytest.mark.parametrize(
    ("code", "key"),
    [(0, "none"), (1, "low"), (2, "medium"), (3, "high"), (4, None), (-1, None)],
)
def test_remaining_heat_codes(code: int, key: str | None) -> None:
    assert hob.remaining_heat_key(code) == key
    assert hob.REMAINING_HEAT_OPTIONS == ("none", "low", "medium", "high")


@pytest.mark.parametrize(
    ("fields", "keys"),
    [
        (
            {"PlateStep": [0, 9, 110]},
            ["plate_step_0", "plate_step_9", "plate_step_warm", None],
        ),
        ({}, [None, None, None, None]),
        # The booster in ExtendedState wins over the base level PlateStep keeps.
        (
            {
                "PlateStep": [0, 0, 17, 0],
                "ExtendedState": _extended(4, boosters={3: 1}),
            },
            ["plate_step_0", "plate_step_0", "plate_step_boost", "plate_step_0"],
        ),
        # No PlateStep (8000 series): the levels come from ExtendedState too.
        (
            {"ExtendedState": _extended(5, levels={1: 0x66, 2: 13}, boosters={4: 3})},
            [
                "plate_step_residual_heat",
                "plate_step_13",
                "plate_step_0",
                "plate_step_boost_3",
            ],
        ),
        # An unreadable ExtendedState leaves PlateStep alone.
        (
            {"PlateStep": [17], "ExtendedState": "not hex"},
            ["plate_step_17", None, None, None],
        ),
    ],
)
def test_zone_power_level(fields: dict[str, object], keys: list[str | None]) -> None:
    state = State.from_json(fields)
    assert [hob.zone_power_level_key(state, zone) for zone in (1, 2, 3, 4)] == keys
