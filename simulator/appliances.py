"""The simulated appliance types, loaded once at import from ``simulator/fixtures/<name>/``.

Each folder holds ``ident.json`` (the Ident document; the FabNumber is filled in per
appliance), ``state.json`` (the initial State) and ``appliance.json`` (``source``, naming
where the data comes from, and the behaviour: ``finish_phase``, ``idle_phase``,
``has_light``, ``has_cooling``, ``writes_allowed``). A public capture the State carries sits
beside them as ``capture.json``. Adding a type is adding a folder.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping

type JsonObject = dict[str, Any]

FIXTURES = Path(__file__).parent / "fixtures"
"""The appliance folders (shared with the tests)."""
_BEHAVIOUR = {
    "finish_phase": (int, type(None)),
    "idle_phase": (int,),
    "has_light": (bool,),
    "has_cooling": (bool,),
    "writes_allowed": (bool,),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class ApplianceTemplate:
    """What one appliance type looks like and which actions it supports."""

    name: str
    source: str
    ident_document: Mapping[str, Any]
    state: Mapping[str, Any]
    finish_phase: int | None = None  # None: no programme countdown (fridge, hood)
    idle_phase: int = 0  # ProgramPhase once a programme is stopped
    has_light: bool = False
    has_cooling: bool = False  # superfreeze / supercool
    writes_allowed: bool = True

    @property
    def device_type(self) -> int:
        """The Ident's ``DeviceType``."""
        device_type: int = self.ident_document["DeviceType"]
        return device_type

    @property
    def tech_type(self) -> str:
        """The Ident's ``DeviceIdentLabel.TechType``."""
        tech_type: str = self.ident_document["DeviceIdentLabel"]["TechType"]
        return tech_type

    def ident(self, fab_number: str) -> JsonObject:
        """Return the Ident document for one appliance of this type."""
        document: JsonObject = copy.deepcopy(dict(self.ident_document))
        document["DeviceIdentLabel"]["FabNumber"] = fab_number
        return document

    def initial_state(self) -> JsonObject:
        """Return a fresh deep copy of the initial State."""
        return copy.deepcopy(dict(self.state))


def _object(path: Path) -> JsonObject:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ValueError(f"{path}: {err}") from None
    if isinstance(document, dict):
        return document
    raise ValueError(f"{path}: not a JSON object")


def load_template(folder: Path) -> ApplianceTemplate:
    """Read one appliance folder; ValueError naming the file and what is wrong."""
    settings = _object(folder / "appliance.json")
    source = settings.pop("source", None)
    if not isinstance(source, str) or not source.strip():
        raise ValueError(f"{folder}/appliance.json: no source")
    for key, value in settings.items():
        kinds = _BEHAVIOUR.get(key)
        if kinds is None or type(value) not in kinds:
            raise ValueError(f"{folder}/appliance.json: bad {key!r}: {value!r}")
    ident = _object(folder / "ident.json")
    label = ident.get("DeviceIdentLabel")
    if type(ident.get("DeviceType")) is not int or not isinstance(label, dict):
        raise ValueError(f"{folder}/ident.json: no DeviceType or DeviceIdentLabel")
    return ApplianceTemplate(
        name=folder.name,
        source=source,
        ident_document=ident,
        state=_object(folder / "state.json"),
        **settings,
    )


def load_templates(root: Path = FIXTURES) -> Mapping[str, ApplianceTemplate]:
    """Load every appliance folder under ``root`` (names starting ``_`` or ``.`` skipped)."""
    folders = sorted(
        path for path in root.iterdir() if path.is_dir() and path.name[0] not in "_."
    )
    return {folder.name: load_template(folder) for folder in folders}


APPLIANCES: Mapping[str, ApplianceTemplate] = load_templates()
"""The simulated appliance types by name."""


def get_template(name: str) -> ApplianceTemplate:
    """Return the template of an appliance type or raise ValueError naming the valid ones."""
    try:
        return APPLIANCES[name]
    except KeyError:
        valid = ", ".join(APPLIANCES)
        raise ValueError(f"unknown appliance {name!r}; choose one of {valid}") from None
