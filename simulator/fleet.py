"""Many simulated appliances in one process (benchmarks, multi-device tests)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Self

from mielelocal.credentials import GroupCredentials

from .device import SimulatedAppliance

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence
    from types import TracebackType


class SimulatedFleet:
    """``count`` appliances of one household, each on its own port.

    ``appliances`` may name one type or a sequence used in turn (``["washer", "oven"]``).
    Appliances are cheap: no task runs per appliance while nothing is requested.
    """

    def __init__(
        self,
        count: int,
        appliances: str | Sequence[str] = "washer",
        *,
        credentials: GroupCredentials | None = None,
        speed: float = 1.0,
        latency: float = 0.0,
    ) -> None:
        if count < 1:
            raise ValueError("a fleet needs at least one appliance")
        kinds = [appliances] if isinstance(appliances, str) else list(appliances)
        if not kinds:
            raise ValueError("name at least one appliance type")
        self.credentials = credentials or GroupCredentials.generate()
        self.appliances = [
            SimulatedAppliance(
                kinds[index % len(kinds)],
                credentials=self.credentials,
                speed=speed,
                latency=latency,
            )
            for index in range(count)
        ]

    def __len__(self) -> int:
        return len(self.appliances)

    def __iter__(self) -> Iterator[SimulatedAppliance]:
        return iter(self.appliances)

    def __getitem__(self, index: int) -> SimulatedAppliance:
        return self.appliances[index]

    async def start(self) -> None:
        """Start every appliance; if one fails, stop those already started."""
        results = await asyncio.gather(
            *(sim.start() for sim in self.appliances), return_exceptions=True
        )
        errors = [result for result in results if isinstance(result, BaseException)]
        if errors:
            await self.stop()
            raise errors[0]

    async def stop(self) -> None:
        """Stop every appliance."""
        await asyncio.gather(*(sim.stop() for sim in self.appliances))

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()
