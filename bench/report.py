"""Write measured sections into docs/benchmarks.md between ``<!-- bench:NAME -->`` markers."""

from __future__ import annotations

from pathlib import Path
import re

DOCS = Path(__file__).resolve().parent.parent / "docs"
BENCHMARKS_MD = DOCS / "benchmarks.md"


def verdict(label: str, *, met: bool, measured: str) -> str:
    """One line stating a target and whether the run met it."""
    return f"- {label}: **{'met' if met else 'missed'}** (measured {measured})."


def replace_section(text: str, name: str, body: str) -> str:
    """Replace what lies between ``<!-- bench:NAME -->`` and ``<!-- /bench:NAME -->``."""
    pattern = re.compile(
        rf"(<!-- bench:{name} -->\n).*?(<!-- /bench:{name} -->)", re.DOTALL
    )
    if not pattern.search(text):
        raise ValueError(f"{BENCHMARKS_MD.name} has no bench:{name} markers")
    return pattern.sub(lambda match: f"{match[1]}{body.strip()}\n{match[2]}", text)


def update_docs(sections: dict[str, str]) -> None:
    """Rewrite the named sections of docs/benchmarks.md."""
    text = BENCHMARKS_MD.read_text(encoding="utf-8")
    for name, body in sections.items():
        text = replace_section(text, name, body)
    BENCHMARKS_MD.write_text(text, encoding="utf-8")
