"""Every language file has every key of strings.json, with the same placeholders."""

from __future__ import annotations

import json

import pytest

from mielelocal import codes
from scripts.translations import (
    LANGUAGES,
    STRINGS,
    TRANSLATIONS,
    flatten,
    load,
    problems,
)


def test_en_is_strings() -> None:
    assert json.loads((TRANSLATIONS / "en.json").read_text()) == json.loads(
        STRINGS.read_text()
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_language_is_complete(language: str) -> None:
    translated = load(TRANSLATIONS / f"{language}.json")
    assert problems(load(STRINGS), translated) == []
    assert all(text.strip() for text in translated.values())


def test_every_code_name_has_a_text() -> None:
    """Each name an enum sensor can show is a state in strings.json."""
    sensors = json.loads(STRINGS.read_text())["entity"]["sensor"]
    programs = {name for table in codes.PROGRAMS.values() for name in table.values()}
    phases = {name for table in codes.PHASES.values() for name in table.values()}
    assert programs == set(sensors["program"]["state"])
    assert phases == set(sensors["program_phase"]["state"])
    assert set(codes.status_options()) == set(sensors["status"]["state"])
    assert set(codes.program_type_options()) == set(sensors["program_type"]["state"])


def test_problems_are_found() -> None:
    """The check itself: missing, obsolete and placeholder-changing texts are reported."""
    source = flatten({"a": {"b": "Hello {name}", "c": "Bye"}})
    assert problems(source, {"a.b": "Hallo {name}", "a.c": "Tschüss"}) == []
    assert problems(source, {"a.b": "Hallo {nom}", "x": "?"}) == [
        "missing a.c",
        "obsolete x",
        "placeholders of a.b: ['nom']",
    ]
