"""Helpers that build the ``code -> name`` tables of the family modules."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping


def table(*entries: tuple[str, Iterable[int]]) -> Mapping[int, str]:
    """Build ``code -> name`` from ``(name, codes)`` pairs (several codes may share a name)."""
    return {code: name for name, codes in entries for code in codes}


def numbered(prefix: str, *, first: int, count: int) -> list[tuple[str, Iterable[int]]]:
    """Entries ``prefix_1 .. prefix_<count>`` for consecutive codes from ``first``."""
    return [
        (f"{prefix}_{number}", (first + number - 1,)) for number in range(1, count + 1)
    ]
