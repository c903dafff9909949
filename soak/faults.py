"""Random fault episodes on simulated appliances, and when each appliance got over them."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from simulator.device import Fault
from simulator.faults import FORGETS_PAIRING

from .report import NO_PROMPT

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    import random

    from simulator.device import SimulatedAppliance

FAULT_WEIGHTS: dict[Fault, int] = dict.fromkeys(Fault, 1) | {Fault.NONE: 3}
"""Quiet periods are three times as likely as each fault."""


@dataclass
class Episode:
    """One period of one fault on one appliance."""

    device_id: str
    fault: Fault
    started: datetime
    ended: datetime | None = None
    recovered: datetime | None = None

    @property
    def recovery_seconds(self) -> float | None:
        """Seconds from the end of the fault to the first successful read after it."""
        if self.ended is None or self.recovered is None:
            return None
        return (self.recovered - self.ended).total_seconds()


@dataclass
class FaultCampaign:
    """Switches each appliance between faults at random for a while.

    An episode without a pairing (``reset``, ``no_key``) ends only when the user paired the
    appliance again through the prompt Home Assistant raised (``pair_again``: the repair or
    re-authentication), as with a real appliance; until then the appliance stays unpaired.
    Every other fault is switched off by the simulator.
    """

    appliances: list[SimulatedAppliance]
    pair_again: Callable[[SimulatedAppliance], Awaitable[str | None]]
    rng: random.Random
    hold: tuple[float, float] = (5.0, 40.0)
    episodes: list[Episode] = field(default_factory=list)
    recoveries: Counter[str] = field(default_factory=Counter)

    async def run(self, seconds: float) -> None:
        """Inject faults on every appliance for ``seconds``; the last ones stay on."""
        deadline = asyncio.get_running_loop().time() + seconds
        async with asyncio.TaskGroup() as group:
            for sim in self.appliances:
                group.create_task(self._churn(sim, deadline))

    async def _churn(self, sim: SimulatedAppliance, deadline: float) -> None:
        loop = asyncio.get_running_loop()
        while (left := deadline - loop.time()) > 0:
            fault = self.rng.choices(
                list(FAULT_WEIGHTS), weights=list(FAULT_WEIGHTS.values())
            )[0]
            await self.switch(sim, fault)
            await asyncio.sleep(min(left, self.rng.uniform(*self.hold)))

    async def switch(self, sim: SimulatedAppliance, fault: Fault) -> None:
        """End the appliance's current episode and start one of ``fault``."""
        now = datetime.now(UTC)
        current = self.current(sim.device_id)
        if current is not None and current.fault is fault:
            return
        if sim.fault in FORGETS_PAIRING:
            prompt = await self.pair_again(sim)
            self.recoveries[prompt or NO_PROMPT] += 1
            if prompt is None:
                return  # still unpaired: the episode goes on
        if current is not None:
            current.ended = now
        sim.set_fault(fault.value)
        self.episodes.append(Episode(sim.device_id, fault, now))

    async def calm(self) -> None:
        """Switch every appliance back to ``none`` (the user pairs unpaired ones again)."""
        await asyncio.gather(*(self.switch(sim, Fault.NONE) for sim in self.appliances))

    def current(self, device_id: str) -> Episode | None:
        """Return the appliance's episode in progress, if any."""
        for episode in reversed(self.episodes):
            if episode.device_id == device_id:
                return episode if episode.ended is None else None
        return None

    def note_success(self, device_id: str, at: datetime) -> None:
        """Mark faults that ended before a successful read at ``at`` as survived."""
        for episode in self.episodes:
            if (
                episode.device_id == device_id
                and episode.ended is not None
                and episode.recovered is None
                and episode.ended < at
            ):
                episode.recovered = at
