"""A bounded, list-like log that keeps the newest entries and counts every one."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from typing import TYPE_CHECKING, overload

if TYPE_CHECKING:
    from collections.abc import Iterator

HISTORY_LIMIT = 10_000
"""How many requests and actions a simulated appliance remembers."""


class History[T](Sequence[T]):
    """The newest ``limit`` entries (older ones are dropped) and ``total``, the count ever added.

    Reads like a list: indexing, slicing (a list), ``len``, iteration and equality with
    any sequence of the same entries. ``clear()`` empties it but keeps ``total``.
    """

    __hash__ = None  # type: ignore[assignment]  # mutable, like a list

    def __init__(self, limit: int = HISTORY_LIMIT) -> None:
        if limit < 1:
            raise ValueError("a history keeps at least one entry")
        self.limit = limit
        self._entries: deque[T] = deque(maxlen=limit)
        self.total = 0

    def append(self, entry: T) -> None:
        """Add the newest entry, dropping the oldest when full."""
        self._entries.append(entry)
        self.total += 1

    def clear(self) -> None:
        """Forget the entries; ``total`` keeps counting."""
        self._entries.clear()

    @overload
    def __getitem__(self, index: int) -> T: ...
    @overload
    def __getitem__(self, index: slice) -> list[T]: ...
    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            return list(self._entries)[index]
        return self._entries[index]

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[T]:
        return iter(self._entries)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str | bytes):
            return list(self._entries) == list(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"History({list(self._entries)!r}, total={self.total})"
