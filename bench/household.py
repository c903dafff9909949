"""Household day: one simulated household under four polling policies, side by side.

A washer, tumble dryer, dishwasher, oven and fridge live through scripted days
(``household_day``). Under polling the days run on a virtual clock that stands still
during a read, so a day takes seconds: each appliance is a real simulator (HTTP on
127.0.0.1) whose countdown follows that clock, and every State read is a real signed
request through the real client; its measured duration is added to the delay. A policy
decides when to read next from the State just read:

- fixed 30 s (the scan-interval default of earlier releases);
- ha-miele-at-lan's: 10 s while a programme runs, 60 s otherwise;
- ours: ``cadence.poll_interval``, the coordinator's cadence without its three-minute
  bound on a lasting door or failure signal (a household day has none that long);
- ours with push: the real push listener, subscriptions and doorbell, and
  ``poll_interval(..., push_active=True)`` once pushes arrive (``household_push``).

Delay when polling: from a change on the appliance to the end of the first read that
started after it. With push: to the end of the read its push triggered, in real time.
"""

from __future__ import annotations

import asyncio
from bisect import bisect_left
from collections import Counter, deque
from dataclasses import dataclass, field
import random
import time
from typing import TYPE_CHECKING, Final

import aiohttp

from custom_components.miele_local.cadence import poll_interval
from mielelocal.client import MieleClient
from mielelocal.credentials import GroupCredentials
from mielelocal.models import Status
from simulator.appliances import get_template
from simulator.device import SimulatedAppliance
from simulator.model import ApplianceModel

from .household_day import DAY, FINISHED, HOUR, HOUSEHOLD, OFF_STATE, TICK, day
from .household_push import live_household
from .measure import percentile

if TYPE_CHECKING:
    from collections.abc import Callable

    from mielelocal.models import State

    from .household_day import Change
    from .household_push import PushCounts


@dataclass(frozen=True, slots=True)
class Policy:
    """When to read next, in seconds, from the State just read."""

    name: str
    interval: Callable[[State], float]


def _ha_miele_at_lan(state: State) -> float:
    running = state.status == Status.RUNNING and bool(state.program_id)
    return 10.0 if running else 60.0


POLLING: Final = (
    Policy("fixed 30 s", lambda _: 30.0),
    Policy("ha-miele-at-lan (60 s / 10 s)", _ha_miele_at_lan),
    Policy("ours, adaptive", lambda state: poll_interval(state).total_seconds()),
)
PUSH: Final = "ours, adaptive + push"
POLICIES: Final = (*(policy.name for policy in POLLING), PUSH)


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
    push: PushCounts | None = None

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
        return [
            delay
            for kind, delays in self.delays.items()
            if kind != TICK
            for delay in delays
        ]


async def _live(
    policy: Policy,
    appliance: str,
    changes: list[Change],
    hours: float,
    session: aiohttp.ClientSession,
) -> Trace:
    """Run the appliance's days under a polling ``policy``: real reads at virtual times."""
    clock = VirtualClock()
    credentials = GroupCredentials.generate()
    sim = SimulatedAppliance(appliance, credentials=credentials, history_limit=1)
    sim.model = ApplianceModel(get_template(appliance), clock=clock)
    if appliance != "fridge_freezer":
        sim.update_state(**OFF_STATE)
    trace = Trace(policy.name, appliance, hours)
    pending = deque(changes)
    states: list[State] = []
    end = hours * HOUR
    async with sim:
        client = MieleClient(sim.host, credentials, session=session)
        next_poll = 0.0
        while (at := next_poll) < end:
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
    hours = days * 24.0
    async with aiohttp.ClientSession() as session:
        traces = list(
            await asyncio.gather(
                *(
                    _live(policy, appliance, plan[appliance], hours, session)
                    for policy in POLLING
                    for appliance in HOUSEHOLD
                )
            )
        )
        # Alone afterwards: its delays are real time, undisturbed by the polling runs.
        pushed = [Trace(PUSH, appliance, hours) for appliance in HOUSEHOLD]
        await live_household(pushed, plan, session)
    return traces + pushed


def _spread(delays: list[float], digits: int = 1) -> str:
    if not delays:
        return "-"
    return " / ".join(
        f"{value:.{digits}f}"
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
        digits = 2 if policy == PUSH else 1  # push delays are sub-second
        lines.extend(
            f"| {policy} | {trace.appliance} | {trace.per_hour:.1f} "
            f"| {trace.busiest_hour} | {_spread(trace.all_delays(), digits)} "
            f"| {_spread(trace.delays.get(FINISHED, []), digits)} |"
            for trace in traces
            if trace.policy == policy
        )
        lines.append(
            f"| **{policy}** | **household** "
            f"| **{household_rate(traces, policy):.1f}** | "
            f"| **{_spread(pooled(traces, policy), digits)}** "
            f"| **{_spread(pooled(traces, policy, FINISHED), digits)}** |"
        )
    return "\n".join(lines)


def push_summary(traces: list[Trace]) -> str:
    """One paragraph: what push cost besides the table's reads, and its minute steps."""
    counts = [trace.push for trace in traces if trace.push is not None]
    reads = sum(len(trace.reads) for trace in traces if trace.policy == PUSH)
    pushes = sum(count.pushes for count in counts)
    push_reads = sum(count.push_reads for count in counts)
    return (
        f"With push: {sum(count.enrolment for count in counts)} enrolment requests "
        f"({len(counts)} appliances; not in the table); "
        f"{sum(count.changes for count in counts)} State changes (countdown minute "
        f"steps included), {pushes} pushes received by the listener over 127.0.0.1, "
        f"{push_reads} State reads they triggered and {reads - push_reads} polls. "
        "Countdown minute steps, change to the end of the push's read p50 / p95 / max: "
        f"{_spread(pooled(traces, PUSH, TICK), 2)} s."
    )
