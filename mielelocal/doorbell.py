"""The doorbell a push rings: a State read at once, or once the rate limit allows.

Pushed content is never used; a push only asks for a signed, verified read. At most one
read per ``MIN_READ_INTERVAL`` per appliance, so a flood of posts from the network costs one
read a second; rings while a read waits for the limit are folded into it.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import asyncio
    from collections.abc import Callable

MIN_READ_INTERVAL = 1.0
"""Seconds between two reads pushes trigger."""


class Doorbell:
    """Call ``read`` for rings, at most once per ``MIN_READ_INTERVAL`` of ``clock``.

    ``clock`` defaults to the loop's; the household benchmark passes its own, which runs
    at the loop's pace while a push is under way.
    """

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        read: Callable[[], None],
        *,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self._loop = loop
        self._read = read
        self._clock = clock or loop.time
        self.reads = 0
        self._last_read = -math.inf
        self._pending: asyncio.TimerHandle | None = None

    def ring(self) -> None:
        """Read now, or once ``MIN_READ_INTERVAL`` has passed since the previous read."""
        if self._pending is None:
            delay = self._last_read + MIN_READ_INTERVAL - self._clock()
            self._pending = self._loop.call_later(max(0.0, delay), self._fire)

    def _fire(self) -> None:
        self._pending = None
        self._last_read = self._clock()
        self.reads += 1
        self._read()

    def cancel(self) -> None:
        """Drop a read the rate limit postponed."""
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
