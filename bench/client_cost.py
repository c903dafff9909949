"""Client cost: sequential signed ``GET State`` round trips against one simulator process.

The same workload runs through this library's ``MieleClient`` and the ``ConnectionManager``
read path the integration uses (each as it is now and as it was before issue 13), through
``asyncmiele`` 0.2.6 and as a bare aiohttp replay (the transport floor), in short rotating
rounds against the same simulator. The simulator runs in its own process, so
``time.process_time()`` measures the client alone.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from email.utils import formatdate
from functools import partial
import importlib
from statistics import median
import time
from typing import Any
import warnings

import aiohttp
from yarl import URL

from mielelocal import crypto
from mielelocal.credentials import GroupCredentials

from .baseline import Library
from .measure import CpuWindow, percentile
from .procs import SimulatorProcess

type Fetch = Callable[[], Awaitable[object]]
type Workload = Callable[[SimulatorProcess], AbstractAsyncContextManager[Fetch]]

DEVICE_ID = "000112345678"
ASYNCMIELE = "asyncmiele 0.2.6 `get_device_state`"
OURS = "miele_local `MieleClient.get_state`"
OURS_MANAGER = "miele_local via `ConnectionManager.execute_with_retry`"
OLD = "old (before issue 13) `MieleClient.get_state`"
OLD_MANAGER = "old (before issue 13) via `ConnectionManager.execute_with_retry`"
FLOOR = "plain aiohttp replaying a pre-signed GET (transport floor)"


@dataclass(frozen=True, slots=True)
class Round:
    """One uninterrupted run of a workload."""

    requests: int
    wall: float
    client_cpu: float
    server_cpu: float

    @property
    def requests_per_second(self) -> float:
        """Completed requests per wall-clock second."""
        return self.requests / self.wall


@dataclass(slots=True)
class ClientResult:
    """Measurements of one workload over all rounds."""

    name: str
    latencies: list[float] = field(default_factory=list)
    rounds: list[Round] = field(default_factory=list)

    @property
    def requests_per_second(self) -> float:
        """Median over rounds of the completed requests per wall-clock second."""
        return median(r.requests_per_second for r in self.rounds)

    @property
    def cpu_per_request(self) -> float:
        """Median over rounds of the client process CPU seconds per request."""
        return median(r.client_cpu / r.requests for r in self.rounds)

    @property
    def server_cpu_per_request(self) -> float:
        """The simulator process CPU seconds per request over all rounds.

        A total, not a median: ``/proc`` counts CPU in clock ticks (10 ms), too coarse for
        one short round.
        """
        return sum(r.server_cpu for r in self.rounds) / sum(
            r.requests for r in self.rounds
        )

    def latency(self, q: float) -> float:
        """Return the ``q``-th latency percentile over all rounds, in seconds."""
        return percentile(self.latencies, q)

    def cpu_ratios(self, other: ClientResult) -> Spread:
        """Return CPU per request over ``other``'s, round by round (same load)."""
        return Spread(
            [
                (mine.client_cpu / mine.requests)
                / (theirs.client_cpu / theirs.requests)
                for mine, theirs in zip(self.rounds, other.rounds, strict=True)
            ]
        )


@dataclass(frozen=True, slots=True)
class Spread:
    """Per-round ratios: the median and the range a reader can judge the noise by."""

    values: list[float]

    @property
    def median(self) -> float:
        """The median over rounds."""
        return median(self.values)

    @property
    def quartiles(self) -> tuple[float, float]:
        """The 25th and 75th percentile over rounds."""
        return percentile(self.values, 25), percentile(self.values, 75)

    def inverse(self) -> Spread:
        """Return the reciprocal ratios (``a / b`` becomes ``b / a``)."""
        return Spread([1 / value for value in self.values])

    def __str__(self) -> str:
        low, high = self.quartiles
        return f"{self.median:.2f}x ({low:.2f} to {high:.2f})"


def miele_local_client(library: Library) -> Workload:
    """Read State with ``library``'s ``MieleClient`` on its own session."""

    @asynccontextmanager
    async def workload(sim: SimulatorProcess) -> AsyncIterator[Fetch]:
        credentials = library.group_credentials(
            sim.credentials.group_id, sim.credentials.group_key_hex
        )
        async with library.client(sim.host, credentials) as client:
            yield partial(client.get_state, sim.device_id)

    return workload


def miele_local_manager(library: Library) -> Workload:
    """Read State the integration's way: pool slot, retries and health bookkeeping."""

    @asynccontextmanager
    async def workload(sim: SimulatorProcess) -> AsyncIterator[Fetch]:
        credentials = library.group_credentials(
            sim.credentials.group_id, sim.credentials.group_key_hex
        )
        async with library.manager() as manager:
            profile = library.profile(sim.device_id, sim.host, credentials)
            client = await manager.get_client(sim.device_id, profile)
            read = partial(client.get_state, sim.device_id)

            async def fetch() -> object:
                return await manager.execute_with_retry(sim.device_id, read)

            yield fetch

    return workload


@asynccontextmanager
async def asyncmiele_client(sim: SimulatorProcess) -> AsyncIterator[Fetch]:
    """``asyncmiele.api.client.MieleClient(host, group_id bytes, group_key bytes)``."""
    module: Any = importlib.import_module("asyncmiele.api.client")
    client = module.MieleClient(
        sim.host, bytes.fromhex(sim.credentials.group_id), sim.credentials.group_key
    )
    async with client:
        fetch = partial(client.get_device_state, sim.device_id)
        state = await fetch()
        if "Status" not in state.raw_state:
            raise RuntimeError(f"asyncmiele read no usable State: {state.raw_state!r}")
        yield fetch


@asynccontextmanager
async def aiohttp_floor(sim: SimulatorProcess) -> AsyncIterator[Fetch]:
    """Replay one pre-signed GET with plain aiohttp and read the body, nothing else.

    The transport floor under any aiohttp-based client: no signing, no verification, no
    decryption, no parsing (the simulator does not check the Date, so a replay is accepted).
    """
    date = formatdate(usegmt=True)
    path = f"/Devices/{sim.device_id}/State"
    signature, _ = crypto.seal_request(
        sim.credentials.group_key, "GET", sim.host, path, "", crypto.ACCEPT, date, b""
    )
    headers = {
        "Host": sim.host,
        "Accept": crypto.ACCEPT,
        "Date": date,
        "Authorization": crypto.format_authorization(
            sim.credentials.group_id, signature
        ),
    }
    url = URL(f"http://{sim.host}{path}", encoded=True)
    async with aiohttp.ClientSession() as session:

        async def fetch() -> object:
            async with session.get(url, headers=headers) as response:
                response.raise_for_status()
                return await response.read()

        yield fetch


def workloads(new: Library, old: Library) -> dict[str, Workload]:
    """Every workload by name, the old and new library side by side."""
    return {
        OURS: miele_local_client(new),
        OURS_MANAGER: miele_local_manager(new),
        OLD: miele_local_client(old),
        OLD_MANAGER: miele_local_manager(old),
        ASYNCMIELE: asyncmiele_client,
        FLOOR: aiohttp_floor,
    }


async def _measure(
    fetch: Fetch, sim: SimulatorProcess, count: int, result: ClientResult
) -> None:
    latencies: list[float] = []
    server_cpu = sim.cpu_time()
    start = CpuWindow.now()
    for _ in range(count):
        sent = time.perf_counter()
        await fetch()
        latencies.append(time.perf_counter() - sent)
    end = CpuWindow.now()
    result.latencies.extend(latencies)
    result.rounds.append(
        Round(
            count,
            end.wall - start.wall,
            end.cpu - start.cpu,
            sim.cpu_time() - server_cpu,
        )
    )


async def run(*, requests: int, rounds: int, warmup: int = 100) -> list[ClientResult]:
    """Run every workload ``rounds`` times, alternating, ``requests`` round trips each."""
    # asyncmiele calls the deprecated datetime.utcnow() on every request.
    warnings.filterwarnings("ignore", category=DeprecationWarning, module="asyncmiele")
    sim = SimulatorProcess(GroupCredentials.generate(), DEVICE_ID)
    every = workloads(Library.current(), Library.baseline())
    results = {name: ClientResult(name) for name in every}
    async with sim.running(), AsyncExitStack() as stack:
        fetches = {
            name: await stack.enter_async_context(workload(sim))
            for name, workload in every.items()
        }
        for fetch in fetches.values():
            for _ in range(warmup):
                await fetch()
        names = list(fetches)
        for index in range(rounds):
            # Short rounds, each workload in turn, the order rotating: the ratios within
            # one round compare blocks a second or two apart under the same load.
            shift = index % len(names)
            for name in names[shift:] + names[:shift]:
                await _measure(fetches[name], sim, requests, results[name])
    return list(results.values())


def table(results: list[ClientResult]) -> str:
    """Render the results as a Markdown table.

    CPU ratios are medians of per-round ratios, with the range over rounds in brackets.
    """
    by_name = {r.name: r for r in results}
    floor, asyncmiele = by_name[FLOOR], by_name[ASYNCMIELE]
    lines = [
        (
            "| client | requests | requests/s | p50 latency | p99 latency "
            "| client CPU / request | CPU vs floor | asyncmiele CPU ÷ this "
            "| simulator CPU / request |"
        ),
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    lines.extend(
        f"| {r.name} | {len(r.latencies)} | {r.requests_per_second:,.0f} "
        f"| {r.latency(50) * 1e6:,.0f} µs | {r.latency(99) * 1e6:,.0f} µs "
        f"| {r.cpu_per_request * 1e6:,.0f} µs | {r.cpu_ratios(floor)} "
        f"| {r.cpu_ratios(asyncmiele).inverse()} "
        f"| {r.server_cpu_per_request * 1e6:,.0f} µs |"
        for r in results
    )
    return "\n".join(lines)
