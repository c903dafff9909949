"""The household day with push: the real listener, real subscriptions, real pushes.

Every appliance's simulator is enrolled (``supervision.enrol``: SuperVision peer, then the
State subscriptions) with one library ``PushListener`` on 127.0.0.1, as the integration's
hub does. A change on an appliance is noticed by the simulator's watcher (every
``WATCH_INTERVAL``), probed and posted to the listener over a socket, and rings the
appliance's ``Doorbell`` (at most one read a second), whose read is a real signed State
read. Polling follows ``poll_interval(..., push_active=...)``, active once pushes arrive.

Time: the household clock jumps over quiet stretches to the next change or poll, and runs
at real speed from a change until the read its push triggered has ended. Push delays are
therefore real time (watcher, probe, post, listener, rate limit and read), while requests
are counted over the virtual days.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass
import math
import time
from typing import TYPE_CHECKING, Final

from custom_components.miele_local.cadence import poll_interval
from mielelocal.client import MieleClient
from mielelocal.credentials import GroupCredentials
from mielelocal.doorbell import Doorbell
from mielelocal.models import Status
from mielelocal.push_listener import Push, PushListener
from mielelocal.supervision import enrol, listener_hostname
from simulator.appliances import get_template
from simulator.device import SimulatedAppliance
from simulator.model import ApplianceModel

from .household_day import FINISHED, HOUR, OFF_STATE

if TYPE_CHECKING:
    import aiohttp

    from mielelocal.models import State

    from .household import Trace
    from .household_day import Change

LISTENER_FAB: Final = "000999000012"
PUSH_TIMEOUT: Final = 10.0
"""Real seconds a change may take to come back as a read (else the run fails)."""


class HouseholdClock:
    """Household seconds: real speed, except for jumps over quiet stretches."""

    def __init__(self) -> None:
        self._offset = -time.perf_counter()

    def __call__(self) -> float:
        """Return the household's time in seconds."""
        return time.perf_counter() + self._offset

    def skip_to(self, at: float) -> None:
        """Jump forward to ``at``; a clock already past it runs on."""
        self._offset = max(self._offset, at - time.perf_counter())


@dataclass(slots=True)
class PushCounts:
    """What push cost one appliance besides its State reads."""

    changes: int = 0
    """State changes the appliance made (countdown minute steps included)."""
    enrolment: int = 0
    """Requests to the module to enrol (SuperVision peer and subscriptions)."""
    pushes: int = 0
    """Posts the listener received from the appliance."""
    push_reads: int = 0
    """State reads the doorbell made (the rest of the reads are polls)."""


class PushedAppliance:
    """One simulated appliance, enrolled with the listener, read by polls and its doorbell."""

    def __init__(self, trace: Trace, changes: list[Change]) -> None:
        self.trace = trace
        self.changes = changes
        self.clock = HouseholdClock()
        self.credentials = GroupCredentials.generate()
        self.sim = SimulatedAppliance(
            trace.appliance, credentials=self.credentials, history_limit=1
        )
        self.sim.model = ApplianceModel(get_template(trace.appliance), clock=self.clock)
        if trace.appliance != "fridge_freezer":
            self.sim.update_state(**OFF_STATE)
        self.counts = trace.push = PushCounts(changes=len(changes))
        self.doorbell = Doorbell(
            asyncio.get_running_loop(), self._ring_read, clock=self.clock
        )
        self._client: MieleClient | None = None
        self._reading = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        self._changed_at = math.inf
        self._answer: asyncio.Future[tuple[State, float]] | None = None

    def on_push(self) -> None:
        """Count a post the listener received from this appliance and ring its doorbell."""
        self.counts.pushes += 1
        self.doorbell.ring()

    async def live(self, session: aiohttp.ClientSession, callback_base: str) -> None:
        """Enrol, then live the changes: polls at their times, a push read per change."""
        client = self._client = MieleClient(
            self.sim.host, self.credentials, session=session
        )
        slots: list[int] = []
        if not await enrol(
            client, self.sim.device_id, LISTENER_FAB, callback_base, slots
        ):
            raise RuntimeError(f"{self.trace.appliance}: enrolment refused")
        self.counts.enrolment = self.sim.requests.total
        pending = deque(self.changes)
        end = self.trace.hours * HOUR
        next_poll = self.clock()
        while (at := min(next_poll, pending[0].at if pending else math.inf)) < end:
            self.clock.skip_to(at)
            if pending and pending[0].at <= next_poll:
                state, ended = await self._change(pending.popleft())
            else:
                state, ended = await self._read()
            interval = poll_interval(state, push_active=self.counts.pushes > 0)
            next_poll = ended + interval.total_seconds()
        self.doorbell.cancel()
        await asyncio.gather(*self._tasks)
        served = self.sim.requests.total - self.counts.enrolment
        if served != len(self.trace.reads) or self.sim.overlapping_requests:
            raise RuntimeError(
                f"{self.trace.appliance}: a request was not accounted for"
            )

    async def _read(self) -> tuple[State, float]:
        """One State read, never two in flight; returns the State and its end."""
        if self._client is None:
            raise RuntimeError("not enrolled")
        async with self._reading:
            started = self.clock()
            state = await self._client.get_state(self.sim.device_id)
            ended = self.clock()
        self.trace.reads.append((started, ended - started))
        return state, ended

    def _ring_read(self) -> None:
        task = asyncio.get_running_loop().create_task(self._push_read())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _push_read(self) -> None:
        started = self.clock()
        read = await self._read()
        self.counts.push_reads += 1
        answer = self._answer
        if answer is not None and not answer.done() and started >= self._changed_at:
            answer.set_result(read)

    async def _change(self, change: Change) -> tuple[State, float]:
        """Make ``change``, wait for the read its push triggers, record the delay."""
        self._changed_at = self.clock()
        if self._changed_at > change.at + 1.0:
            raise RuntimeError(f"{self.trace.appliance}: changes closer than a push")
        self._answer = asyncio.get_running_loop().create_future()
        if change.fields is not None:
            self.sim.update_state(**change.fields)
        try:
            state, ended = await asyncio.wait_for(self._answer, PUSH_TIMEOUT)
        except TimeoutError:
            raise RuntimeError(
                f"{self.trace.appliance}: no push read for {change.kind} at {change.at:.0f} s"
            ) from None
        self.trace.delays.setdefault(change.kind, []).append(ended - change.at)
        if change.kind == FINISHED and state.status != Status.END_PROGRAMMED:
            raise RuntimeError(f"{self.trace.appliance}: the push read shows no end")
        return state, ended


async def live_household(
    traces: list[Trace], plan: dict[str, list[Change]], session: aiohttp.ClientSession
) -> None:
    """Live the household's days with push, one listener for every appliance."""
    appliances = {
        member.sim.device_id: member
        for member in (PushedAppliance(t, plan[t.appliance]) for t in traces)
    }
    credentials = {m.credentials.group_id: m.credentials for m in appliances.values()}

    def on_push(push: Push) -> None:
        member = appliances.get(push.appliance_fab)
        if member is not None and member.credentials.group_id == push.group_id:
            member.on_push()

    listener = PushListener(LISTENER_FAB, credentials.get, on_push, host="127.0.0.1")
    await listener.start()
    callback_base = f"http://{listener_hostname(LISTENER_FAB)}:{listener.port}"
    try:
        for member in appliances.values():
            await member.sim.start()
        await asyncio.gather(
            *(m.live(session, callback_base) for m in appliances.values())
        )
    finally:
        for member in appliances.values():
            await member.sim.stop()
        await listener.stop()
