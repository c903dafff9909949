"""
Keep ``translations/*.json`` consistent with ``strings.json``.

    scripts/run python scripts/translations.py          # report; exit 1 when anything is off
    scripts/run python scripts/translations.py --sync   # then fix what can be fixed mechanically

``--sync`` copies ``strings.json`` to ``en.json``, drops keys ``strings.json`` no longer has,
and fills missing programme and phase names from Home Assistant's own ``miele`` translations
(Miele's terminology) where it uses the same key. Everything else is translated by hand:
the report lists what is still missing, per language.
"""

from __future__ import annotations

import argparse
from importlib.util import find_spec
import json
from pathlib import Path
import re
import sys
from typing import Any

INTEGRATION = Path(__file__).parent.parent / "custom_components" / "miele_local"
STRINGS = INTEGRATION / "strings.json"
TRANSLATIONS = INTEGRATION / "translations"
LANGUAGES = ("de", "fr", "nl", "it")

# Our code-name sections and the section of core's miele translations with the same keys.
CORE_SECTIONS = {
    "entity.sensor.program.state.": "entity.sensor.program_id.state.",
    "entity.sensor.program_phase.state.": "entity.sensor.program_phase.state.",
}
CORE_KEYS = {
    "second_espresso": "2nd_espresso",
    "second_grinding": "2nd_grinding",
    "second_pre_brewing": "2nd_pre_brewing",
}
PLACEHOLDER = re.compile(r"\{(\w+)\}")

type Flat = dict[str, str]


def flatten(tree: dict[str, Any], prefix: str = "") -> Flat:
    """Return ``{"a.b.c": text}`` for a nested translation tree."""
    flat: Flat = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            flat.update(flatten(value, f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def unflatten(flat: Flat) -> dict[str, Any]:
    """Rebuild the nested tree of :func:`flatten`."""
    tree: dict[str, Any] = {}
    for path, text in flat.items():
        *parents, leaf = path.split(".")
        node = tree
        for parent in parents:
            node = node.setdefault(parent, {})
        node[leaf] = text
    return tree


def placeholders(text: str) -> set[str]:
    """Return the ``{name}`` placeholders of a text."""
    return set(PLACEHOLDER.findall(text))


def problems(source: Flat, translated: Flat) -> list[str]:
    """Missing and obsolete keys, and texts whose placeholders differ from the source."""
    found = [f"missing {key}" for key in source if key not in translated]
    found += [f"obsolete {key}" for key in translated if key not in source]
    found += [
        f"placeholders of {key}: {sorted(placeholders(text))}"
        for key, text in translated.items()
        if key in source and placeholders(text) != placeholders(source[key])
    ]
    return found


def load(path: Path) -> Flat:
    """Read a translation file, flattened (an absent file is empty)."""
    return flatten(json.loads(path.read_text())) if path.exists() else {}


def save(path: Path, flat: Flat) -> None:
    """Write a translation file the way ``strings.json`` is written."""
    path.write_text(json.dumps(unflatten(flat), indent=2, ensure_ascii=False) + "\n")


def core_names(language: str) -> Flat:
    """Programme and phase names of Home Assistant's miele translations, under our keys."""
    spec = find_spec("homeassistant.components.miele")
    if spec is None or spec.origin is None:
        return {}
    core = load(Path(spec.origin).parent / "translations" / f"{language}.json")
    names: Flat = {}
    for ours, theirs in CORE_SECTIONS.items():
        for key, text in core.items():
            if key.startswith(theirs):
                names[ours + key.removeprefix(theirs)] = text
        for our_key, their_key in CORE_KEYS.items():
            if theirs + their_key in core:
                names[ours + our_key] = core[theirs + their_key]
    return names


def sync(source: Flat, language: str) -> Flat:
    """Return the language's texts in the source's order, completed from core's names."""
    translated = load(TRANSLATIONS / f"{language}.json")
    fallback = core_names(language)
    return {
        key: translated.get(key, fallback.get(key, ""))
        for key in source
        if key in translated or key in fallback
    }


def main() -> int:
    """Report (and with ``--sync`` first fix) the translation files."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sync", action="store_true", help="fix what can be fixed")
    args = parser.parse_args()
    source = load(STRINGS)
    if args.sync:
        save(TRANSLATIONS / "en.json", source)
        for language in LANGUAGES:
            save(TRANSLATIONS / f"{language}.json", sync(source, language))
    failed = load(TRANSLATIONS / "en.json") != source
    if failed:
        print("en.json differs from strings.json")
    for language in LANGUAGES:
        found = problems(source, load(TRANSLATIONS / f"{language}.json"))
        failed = failed or bool(found)
        print(f"{language}: {len(found)} problem(s)")
        for problem in found:
            print(f"  {problem}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
