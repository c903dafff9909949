"""Measuring helpers: percentiles, event-loop lag, process CPU and memory, the machine."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime
import os
from pathlib import Path
import platform
import time
from typing import TYPE_CHECKING, Self

if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import TracebackType

TICK = 0.010
"""Period of the event-loop lag probe, in seconds."""


def percentile(values: Sequence[float], q: float) -> float:
    """Return the ``q``-th percentile (0-100) of ``values``, interpolating linearly."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def rss_bytes() -> int:
    """Resident set size of this process, in bytes (Linux ``/proc/self/statm``)."""
    resident_pages = int(Path("/proc/self/statm").read_text().split()[1])
    return resident_pages * os.sysconf("SC_PAGE_SIZE")


@dataclass(slots=True)
class LoopLagProbe:
    """A ticker task that sleeps ``TICK`` seconds and records how late it wakes up.

    The lag of one tick is the actual wake time minus the expected one (start + TICK).
    """

    lags: list[float] = field(default_factory=list)
    _task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Self:
        self._task = asyncio.create_task(self._tick())
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _tick(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            expected = loop.time() + TICK
            await asyncio.sleep(TICK)
            self.lags.append(max(0.0, loop.time() - expected))


@dataclass(frozen=True, slots=True)
class CpuWindow:
    """Wall-clock and process CPU time at one instant."""

    wall: float
    cpu: float

    @classmethod
    def now(cls) -> CpuWindow:
        """Sample both clocks."""
        return cls(time.perf_counter(), time.process_time())

    def share_since(self, start: CpuWindow) -> float:
        """Process CPU over wall-clock time since ``start``: the share of one core."""
        return (self.cpu - start.cpu) / (self.wall - start.wall)


def machine() -> dict[str, str]:
    """Describe the machine a run happens on (for docs/benchmarks.md)."""
    model = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "nproc": str(os.process_cpu_count()),
        "cpu": model,
        "python": platform.python_version(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
