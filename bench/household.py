"""
Household day: one simulated household under four polling policies, side by side.

A washer, tumble dryer, dishwasher, oven and fridge live through scripted days
(``household_day``). The days run on a virtual clock, so a day takes seconds: each
appliance is a real simulator (HTTP on 127.0.0.1) whose countdown follows that clock, and
every State read is a real signed request through the real client; its measured duration
is added to the delay. A policy decides when to read next from the State just read:

- fixed 30 s (the scan-interval default of earlier releases);
- ha-miele-at-lan's: 10 s while a programme runs, 60 s otherwise;
- ours: ``cadence.poll_interval``, the very function the coordinator uses;
- ours with push: ``poll_interval(..., push_active=True)`` plus a doorbell read on every
  State change of the appliance, ``PUSH_DELIVERY`` after it and coalesced like the
  coordinator's ``async_read_now`` (at most one read per ``READ_NOW_COOLDOWN``). The push
  listener itself is not in this run: the doorbell is modelled, the reads are real.

Delay: from a change on the appliance to the end of the first read that started after it.
"""

from __future__ import annotations

import asyncio
from bisect import bisect_left
from collections import Counter, deque
from dataclasses import dataclass, field
import math
import random
import time
from typing import TYPE_CHECKING, Final

import aiohttp

from custom_components.miele_local.cadence import poll_interval
from custom_components.miele_local.const import READ_NOW_COOLDOWN
from custom_components.miele_local.miele.client import MieleClient
from custom_components.miele_local.miele.credentials import GroupCredentials
from custom_components.miele_local.miele.models import Status
from simulator.appliances import get_template
from simulator.device import SimulatedAppliance
from simulator.model import ApplianceModel

from .household_day import DAY, FINISHED, HOUR, HOUSEHOLD, OFF_STATE, TICK, day
from .measure import percentile

if TYPE_CHECKING:
    from collections.abc import Callable

    from custom_components.miele_local.miele.models import State

    from .household_day import Change

PUSH_DELIVERY: Final = 0.2
"""Assumed seconds from a change on the appliance to its push reaching Home Assistant."""


@dataclass(frozen=True, slots=True)
class Policy:
    """When to read next, in seconds, from the State just read; ``push``: doorbells too."""

    name: str
    interval: Callable[[State], float]
    push: bool = False


def _ha_miele_at_lan(state: State) -> float:
    running = state.status == Status.RUNNING and bool(state.program_id)
    return 10.0 if running else 60.0


POLICIES: Final = (
    Policy("fixed 30 s", lambda _: 30.0),
    Policy("ha-miele-at-lan (60 s / 10 s)", _ha_miele_at_lan),
    Policy("ours, adaptive", lambda state: poll_interval(state).total_seconds()),
    Policy(
        "ours, adaptive + push",
        lambda state: poll_interval(state, push_active=True).total_seconds(),
        push=True,
    ),
)


class VirtualClock:
    """The household's time, moved by the run, read by the simulator's countdown."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        """Return the household's time in seconds."""
        return self.now


@dataclass(slots=True)
class Trace:
    """What one policy did for one appliance."""

    policy: str
    appliance: str
    hours: float
    reads: list[tuple[float, float]] = field(default_factory=list)
    delays: dict[str, list[float]] = field(default_factory=dict)

    @property
    def per_hour(self) -> float:
        """Requests per hour to the module over the whole run."""
        return len(self.reads) / self.hours

    @property
    def busiest_hour(self) -> int:
        """Requests in the busiest clock hour."""
        return max(Counter(int(at // HOUR) for at, _ in self.reads).values())

    def all_delays(self) -> list[float]:
        """Delays of every event (countdown minutes excluded)."""
        return [delay for delays in self.delays.values() for delay in delays]


async def _live(
    policy: Policy,
    appliance: str,
    changes: list[Change],
    hours: float,
    session: aiohttp.ClientSession,
) -> Trace:
    """Run the appliance's days under ``policy``: real reads at virtual times."""
    clock = VirtualClock()
    credentials = GroupCredentials.generate()
    sim = SimulatedAppliance(appliance, credentials=credentials, history_limit=1)
    sim.model = ApplianceModel(get_template(appliance), clock=clock)
    if appliance != "fridge_freezer":
        sim.update_state(**OFF_STATE)
    trace = Trace(policy.name, appliance, hours)
    pending = deque(changes)
    bells = (
        deque(sorted(c.at + PUSH_DELIVERY for c in changes)) if policy.push else None
    )
    states: list[State] = []
    end = hours * HOUR
    async with sim:
        client = MieleClient(sim.host, credentials, session=session)
        next_poll, last_read = 0.0, -math.inf
        while True:
            at = next_poll
            if bells:
                at = min(at, max(bells[0], last_read + READ_NOW_COOLDOWN))
            if at >= end:
                break
            while bells and bells[0] <= at:
                bells.popleft()
            while pending and pending[0].at <= at:
                change = pending.popleft()
                clock.now = change.at
                if change.fields is not None:
                    sim.update_state(**change.fields)
            clock.now = at
            started = time.perf_counter()
            state = await client.get_state(sim.device_id)
            trace.reads.append((at, time.perf_counter() - started))
            states.append(state)
            last_read = at
            next_poll = at + policy.interval(state)
        if sim.requests.total != len(trace.reads):
            raise RuntimeError("a request was not accounted for")
    _delays(trace, changes, states)
    return trace


def _delays(trace: Trace, changes: list[Change], states: list[State]) -> None:
    """Delay of each event: to the end of the first read that started at or after it."""
    times = [at for at, _ in trace.reads]
    events = [change for change in changes if change.kind != TICK]
    for index, change in enumerate(events):
        read = bisect_left(times, change.at)
        if read == len(times):
            continue  # after the last read of the run
        at, duration = trace.reads[read]
        trace.delays.setdefault(change.kind, []).append(at - change.at + duration)
        superseded = index + 1 < len(events) and events[index + 1].at <= at
        if (
            change.kind == FINISHED
            and not superseded
            and states[read].status != Status.END_PROGRAMMED
        ):
            raise RuntimeError(
                f"{trace.appliance}: the read after the end shows no end"
            )


async def run(days: int, seed: int = 12) -> list[Trace]:
    """Live ``days`` household days under every policy; one trace per policy and appliance."""
    rng = random.Random(seed)  # noqa: S311  # a reproducible schedule, not a secret
    plan: dict[str, list[Change]] = {appliance: [] for appliance in HOUSEHOLD}
    for number in range(days):
        for appliance, changes in day(rng, number * DAY).items():
            plan[appliance].extend(changes)
    async with aiohttp.ClientSession() as session:
        return list(
            await asyncio.gather(
                *(
                    _live(policy, appliance, plan[appliance], days * 24.0, session)
                    for policy in POLICIES
                    for appliance in HOUSEHOLD
                )
            )
        )


def _spread(delays: list[float]) -> str:
    if not delays:
        return "-"
    return " / ".join(
        f"{value:.1f}"
        for value in (percentile(delays, 50), percentile(delays, 95), max(delays))
    )


def pooled(traces: list[Trace], policy: str, kind: str | None = None) -> list[float]:
    """Every delay of ``policy`` (of one event kind) across the household."""
    return [
        delay
        for trace in traces
        if trace.policy == policy
        for delay in (
            trace.all_delays() if kind is None else trace.delays.get(kind, [])
        )
    ]


def household_rate(traces: list[Trace], policy: str) -> float:
    """Return the requests per hour of the whole household under ``policy``."""
    return sum(trace.per_hour for trace in traces if trace.policy == policy)


def table(traces: list[Trace]) -> str:
    """Markdown: per policy and appliance, requests per hour and delays."""
    lines = [
        (
            "| Policy | Appliance | Requests/h (day) | Busiest hour "
            "| Any event p50 / p95 / max (s) | Programme finished p50 / p95 / max (s) |"
        ),
        "|---|---|--:|--:|--:|--:|",
    ]
    for policy in POLICIES:
        lines.extend(
            f"| {policy.name} | {trace.appliance} | {trace.per_hour:.1f} "
            f"| {trace.busiest_hour} | {_spread(trace.all_delays())} "
            f"| {_spread(trace.delays.get(FINISHED, []))} |"
            for trace in traces
            if trace.policy == policy.name
        )
        lines.append(
            f"| **{policy.name}** | **household** "
            f"| **{household_rate(traces, policy.name):.1f}** | "
            f"| **{_spread(pooled(traces, policy.name))}** "
            f"| **{_spread(pooled(traces, policy.name, FINISHED))}** |"
        )
    return "\n".join(lines)
