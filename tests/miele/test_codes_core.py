"""
Our code tables name every code Home Assistant's cloud ``miele`` integration names.

Core's installed ``homeassistant/components/miele/const.py`` is read as source (``ast``; its
``pymiele`` dependency is not installed), per appliance type: a code core names that we do
not, or name differently, fails. Our own names that differ on purpose are listed here.
"""

from __future__ import annotations

import ast
from functools import cache
from importlib.util import find_spec
from pathlib import Path

import pytest

from mielelocal import codes
from mielelocal.models import ProgramType, Status

type CoreEnum = dict[int, str]

# Status names of ours that predate the comparison (entity states users automate on).
STATUS_RENAMED = {
    "in_use": "running",
    "program_ended": "end_programmed",
    "program_interrupted": "programme_interrupted",
}
# Programme types: Miele calls type 1 "Program" (e.g. Cottons on a washer), and its API
# documents 3 as a cleaning/care programme where core folds it into "automatic".
PROGRAM_TYPE_RENAMED = {
    (0, "normal_operation_mode"): "normal_operation",
    (1, "own_program"): "program",
    (3, "automatic_program"): "cleaning_care_program",
}


@cache
def _core() -> tuple[dict[str, CoreEnum], dict[str, dict[int, str]]]:
    """Core's enums (``class -> {code: name}``) and its per-type maps (``type -> class``)."""
    spec = find_spec("homeassistant.components.miele")
    assert spec is not None
    assert spec.origin is not None
    tree = ast.parse((Path(spec.origin).parent / "const.py").read_text())
    enums: dict[str, CoreEnum] = {}
    maps: dict[str, dict[str, str]] = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            enums[node.name] = {
                code: statement.targets[0].id
                for statement in node.body
                if isinstance(statement, ast.Assign)
                and isinstance(statement.targets[0], ast.Name)
                for code in _codes(ast.literal_eval(statement.value))
            }
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            assert isinstance(node.value, ast.Dict)
            maps[node.target.id] = {
                key.attr: value.id
                for key, value in zip(node.value.keys, node.value.values, strict=True)
                if isinstance(key, ast.Attribute) and isinstance(value, ast.Name)
            }
    appliances = {name: code for code, name in enums["MieleAppliance"].items()}
    by_type = {
        table: {appliances[attr]: enum for attr, enum in mapping.items()}
        for table, mapping in maps.items()
        if table in ("PROGRAM_IDS", "PROGRAM_PHASE")
    }
    return enums, by_type


def _codes(value: object) -> tuple[int, ...]:
    return value if isinstance(value, tuple) else (value,)


def _per_type(table: str) -> list[tuple[int, str]]:
    return sorted(_core()[1][table].items())


def test_core_tables_were_read() -> None:
    """The comparison below has something to compare (a parse that found nothing fails)."""
    enums, by_type = _core()
    assert len(by_type["PROGRAM_IDS"]) >= 13
    assert len(by_type["PROGRAM_PHASE"]) >= 21
    assert len(enums["OvenProgramId"]) >= 590
    assert len(enums["StateStatus"]) >= 19


@pytest.mark.parametrize(("device_type", "enum"), _per_type("PROGRAM_IDS"))
def test_every_core_programme_is_named(device_type: int, enum: str) -> None:
    core = _core()[0][enum]
    ours = {code: codes.program_key(device_type, code) for code in core}
    assert ours == core


@pytest.mark.parametrize(("device_type", "enum"), _per_type("PROGRAM_PHASE"))
def test_every_core_phase_is_named(device_type: int, enum: str) -> None:
    core = _core()[0][enum]
    ours = {code: codes.phase_key(device_type, code) for code in core}
    assert ours == core


def test_every_core_status_is_named() -> None:
    core = _core()[0]["StateStatus"]
    ours = {code: codes.status_key(Status.parse(code)) for code in core}
    assert ours == {code: STATUS_RENAMED.get(name, name) for code, name in core.items()}


def test_every_core_program_type_is_named() -> None:
    core = _core()[0]["StateProgramType"]
    ours = {code: codes.program_type_key(ProgramType.parse(code)) for code in core}
    assert ours == {
        code: PROGRAM_TYPE_RENAMED.get((code, name), name)
        for code, name in core.items()
    }
