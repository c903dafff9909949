"""What each appliance type is and can do, from its Ident alone."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

import mielelocal
from mielelocal import controls
from mielelocal.capabilities import Capabilities, capabilities
from mielelocal.controls import ProcessControl
from mielelocal.hob import hob_zone_count
from mielelocal.models import DeviceType, Ident, State

START, STOP, PAUSE = ProcessControl.START, ProcessControl.STOP, ProcessControl.PAUSE
ALL = {START, STOP, PAUSE}
LIBRARY = Path(mielelocal.__file__).parent
INTEGRATION = LIBRARY.parent / "custom_components" / "miele_local"


def _ident(
    device_type: int, tech_type: str | None = None, module: str | None = None
) -> Ident:
    label: dict[str, object] = {"FabNumber": "000123456789"}
    if tech_type is not None:
        label["TechType"] = tech_type
    raw: dict[str, object] = {"DeviceType": device_type, "DeviceIdentLabel": label}
    if module is not None:
        raw["XKMIdentLabel"] = {"TechType": module, "ReleaseVersion": "08.32"}
    return Ident.from_json(raw)


NOTHING: dict[str, object] = {
    "runs_programs": False,
    "runs_timed_programs": False,
    "accepts_writes": True,
    "has_door": False,
    "has_light": False,
    "has_food_probe": False,
    "has_fan": False,
    "has_battery": False,
    "supercool": False,
    "superfreeze": False,
    "spin_speed": False,
    "drying_step": False,
    "temperature_zones": 0,
    "target_temperature_zones": 0,
    "hob_zones": 0,
    "process_controls": set(),
}
CYCLE: dict[str, object] = {
    "runs_programs": True,
    "runs_timed_programs": True,
    "has_door": True,
}
ONE_ZONE = {"temperature_zones": 1, "target_temperature_zones": 1}
OVEN: dict[str, object] = {**CYCLE, **ONE_ZONE, "process_controls": {STOP}}
LOCKED = {"accepts_writes": False}

# (appliance, DeviceType, TechType, Wi-Fi module, what differs from NOTHING)
APPLIANCES: list[tuple[str, int, str | None, str | None, dict[str, object]]] = [
    (
        "washer",
        1,
        "WWV980",
        "EK037",
        {
            **CYCLE,
            "spin_speed": True,
            "target_temperature_zones": 1,
            "process_controls": ALL,
        },
    ),
    (
        "dryer",
        2,
        "TWV780",
        "EK037",
        {**CYCLE, "drying_step": True, "process_controls": ALL},
    ),
    (
        "washer-dryer",
        24,
        "WTW870",
        "EK037",
        {
            **CYCLE,
            "spin_speed": True,
            "drying_step": True,
            "target_temperature_zones": 1,
            "process_controls": ALL,
        },
    ),
    ("dishwasher", 7, "G7310", "EK039W", {**CYCLE, "process_controls": ALL}),
    (
        "oven",
        12,
        "H7464BP",
        "EK057",
        {**OVEN, "has_light": True, "has_food_probe": True},
    ),
    (
        "oven with microwave",
        13,
        "H7840BM",
        "EK057",
        {**OVEN, "has_light": True, "has_food_probe": True},
    ),
    ("microwave", 16, "M7244TC", "EK057", {**OVEN, "has_light": True}),
    (
        "steam combi",
        31,
        "DGC7865",
        "EK057",
        {**OVEN, "has_light": True, "has_food_probe": True},
    ),
    ("dish warmer", 25, "ESW7120", "EK057", OVEN),
    ("hob", 27, "KM 7464 FL", "EK039W", {"hob_zones": 4}),
    ("six-zone hob", 27, "KM 7575", "EK039W", {"hob_zones": 6}),
    ("highlight hob", 14, None, None, {"hob_zones": 4}),
    (
        "hob with hood",
        74,
        "KMDA 7774-1 FL",
        "EK039W",
        {"hob_zones": 5, "has_fan": True},
    ),
    ("hood", 18, "DA7378D", "EK039W", {"has_fan": True, "has_light": True}),
    (
        "fridge",
        19,
        "K7743E",
        "EK057",
        {**LOCKED, "has_door": True, "supercool": True, **ONE_ZONE},
    ),
    (
        "freezer",
        20,
        "FNS7794E",
        "EK057",
        {**LOCKED, "has_door": True, "superfreeze": True, **ONE_ZONE},
    ),
    (
        "fridge-freezer on EK057",
        21,
        "KFN7774D",
        "EK057",
        {
            **LOCKED,
            "has_door": True,
            "supercool": True,
            "superfreeze": True,
            "temperature_zones": 2,
            "target_temperature_zones": 2,
        },
    ),
    (
        "fridge-freezer on EK044W",
        21,
        "KFN4795DD",
        "EK044W",
        {
            "has_door": True,
            "supercool": True,
            "superfreeze": True,
            "temperature_zones": 2,
            "target_temperature_zones": 2,
        },
    ),
    (
        "wine cabinet",
        32,
        "KWT6834SGS",
        "EK057",
        {
            **LOCKED,
            "has_door": True,
            "has_light": True,
            "temperature_zones": 3,
            "target_temperature_zones": 3,
        },
    ),
    (
        "wine cabinet with freezer",
        68,
        "KWNS28462E",
        "EK044W",
        {
            "has_door": True,
            "has_light": True,
            "superfreeze": True,
            "temperature_zones": 3,
            "target_temperature_zones": 3,
        },
    ),
    (
        "coffee machine",
        17,
        "CM7750",
        "EK057",
        {"runs_programs": True, "has_door": True, "has_light": True},
    ),
    (
        "robot vacuum",
        23,
        "RX3",
        None,
        {"runs_programs": True, "has_battery": True},
    ),
    ("unknown type", 999, "XY1", "EK057", {}),
]


def _seen(caps: Capabilities) -> dict[str, object]:
    seen = {field.name: getattr(caps, field.name) for field in dataclasses.fields(caps)}
    seen["process_controls"] = set(caps.process_controls)
    return seen


@pytest.mark.parametrize(
    ("device_type", "tech_type", "module", "differs"),
    [row[1:] for row in APPLIANCES],
    ids=[row[0] for row in APPLIANCES],
)
def test_capabilities_per_appliance(
    device_type: int,
    tech_type: str | None,
    module: str | None,
    differs: dict[str, object],
) -> None:
    caps = capabilities(_ident(device_type, tech_type, module))
    assert _seen(caps) == {**NOTHING, **differs}
    for control, gate in caps.process_controls.items():
        assert gate is controls.process_controls(device_type)[control]


@pytest.mark.parametrize(
    ("module", "accepts"),
    [
        ("EK057", False),
        ("ek 057", False),  # spelled loosely
        ("EK057-2", False),
        ("EK044W", True),
        ("EK037", True),
        (None, True),  # no Wi-Fi module named: nothing known against writes
    ],
)
@pytest.mark.parametrize("device_type", [19, 20, 21, 32, 33, 34, 68])
def test_cooling_appliances_on_ek057_refuse_writes(
    device_type: int, module: str | None, accepts: bool
) -> None:
    assert capabilities(_ident(device_type, "K1", module)).accepts_writes is accepts


@pytest.mark.parametrize("device_type", [1, 7, 12, 17, 18, 27])
def test_only_cooling_appliances_refuse_writes_on_ek057(device_type: int) -> None:
    assert capabilities(_ident(device_type, "X1", "EK057")).accepts_writes


def test_zones_nest() -> None:
    """A target zone exists wherever its measured zone does."""
    for device_type in [*DeviceType, 999]:
        caps = capabilities(_ident(device_type))
        assert 0 <= caps.temperature_zones <= caps.target_temperature_zones <= 3
        assert not caps.has_food_probe or caps.temperature_zones >= 1


@pytest.mark.parametrize("tech_type", ["KM 7464 FL", "KM7575", "KMDA 7774-1 FL", None])
@pytest.mark.parametrize("device_type", [*DeviceType, 999])
def test_hob_zones_match_the_zone_count_of_an_empty_state(
    device_type: int, tech_type: str | None
) -> None:
    ident = _ident(device_type, tech_type)
    assert hob_zone_count(ident, State.from_json({})) == capabilities(ident).hob_zones


def test_capabilities_are_computed_once_and_read_only() -> None:
    first = capabilities(_ident(1, "WWV980", "EK037"))
    assert capabilities(_ident(1, "WWV980", "EK037")) is first
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.accepts_writes = False  # type: ignore[misc]
    with pytest.raises(TypeError):
        first.process_controls[START] = first.process_controls[STOP]  # type: ignore[index]
    assert hash(first) == hash(capabilities(_ident(1, "WWV980", "EK037")))


def test_home_assistant_side_asks_the_library() -> None:
    """No Home Assistant module keeps or imports appliance families of its own."""
    for path in INTEGRATION.rglob("*.py"):
        if path.is_relative_to(LIBRARY):
            continue
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                assert not (node.module or "").endswith("families"), path
                names = {alias.name for alias in node.names}
                assert "families" not in names, path
            if isinstance(node, ast.Name):
                assert not node.id.endswith("_APPLIANCES"), (path, node.id)
