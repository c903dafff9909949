"""The client side of the scale benchmark, in its own process so CPU and memory are its own.

``python -m bench.scale_worker SPEC_FILE --duration S --interval S [--old]`` polls every
appliance in the spec (JSON: group id, key, ``[[device_id, host], ...]``) through one
``ConnectionManager`` the way Home Assistant's coordinators do, and prints one JSON result.
``--old`` uses the library before the hot-path work (see ``bench/baseline.py``).
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import asdict, dataclass, field
from functools import partial
import json
from pathlib import Path
import random
import sys
import time
from typing import TYPE_CHECKING

from .baseline import Library
from .measure import CpuWindow, LoopLagProbe, percentile, rss_bytes

if TYPE_CHECKING:
    from mielelocal.client import MieleClient
    from mielelocal.connection.manager import ConnectionManager

BASELINE_SECONDS = 5.0
# Home Assistant's DataUpdateCoordinator fires at int(loop.time()) + a per-coordinator
# offset drawn from [RANDOM_MICROSECOND_MIN, RANDOM_MICROSECOND_MAX] + the interval.
OFFSET_RANGE = (0.05, 0.5)


@dataclass(slots=True)
class PollStats:
    """Outcomes of the polls of every appliance."""

    succeeded: int = 0
    failed: int = 0
    durations: list[float] = field(default_factory=list)

    def reset(self) -> None:
        """Forget everything (after the warm-up)."""
        self.succeeded = self.failed = 0
        self.durations.clear()


@dataclass(frozen=True, slots=True)
class ScaleSample:
    """What one worker run measured."""

    library: str
    appliances: int
    seconds: float
    polls: int
    failed_polls: int
    lag_window_failed_polls: int
    cpu_share: float
    """Share of one core in the CPU window: the polling alone."""
    cpu_share_with_probe: float
    """Share of one core in the lag window: the same polling plus the 10 ms lag probe."""
    idle_probe_cpu_share: float
    """Share of one core of the lag probe alone, before polling starts."""
    baseline_lag_p99: float
    lag_p99: float
    lag_peak: float
    poll_p50: float
    poll_p99: float
    rss_per_appliance: float


async def _poll(
    manager: ConnectionManager,
    client: MieleClient,
    device_id: str,
    interval: float,
    offset: float,
    stats: PollStats,
    error: type[Exception],
) -> None:
    """Read State forever, scheduled like a Home Assistant coordinator."""
    loop = asyncio.get_running_loop()
    read = partial(client.get_state, device_id)
    while True:
        started = time.perf_counter()
        try:
            await manager.execute_with_retry(device_id, read)
        except error:
            stats.failed += 1
        else:
            stats.succeeded += 1
            stats.durations.append(time.perf_counter() - started)
        await asyncio.sleep(int(loop.time()) + offset + interval - loop.time())


async def measure(
    library: Library,
    credentials: object,
    devices: list[tuple[str, str]],
    *,
    duration: float,
    interval: float,
) -> ScaleSample:
    """Poll ``devices`` for one warm-up interval, then measure CPU and lag ``duration`` s each.

    Nothing but the workload runs in the CPU window. The lag window that follows is as long,
    with the same polling plus a 10 ms ticker measuring the event loop's lag; its CPU share
    is kept too, as the probe's cost under load. The same ticker runs on the idle loop
    before polling starts: the floor of the lag measurement and the probe's cost alone.
    """
    rng = random.Random(len(devices))  # noqa: S311 - reproducible schedule, not secrets
    stats = PollStats()
    async with LoopLagProbe() as idle_probe:
        idle_start = CpuWindow.now()
        await asyncio.sleep(BASELINE_SECONDS)
        idle_cpu_share = CpuWindow.now().share_since(idle_start)
    rss_before = rss_bytes()
    async with library.manager() as manager:
        pollers = []
        for device_id, host in devices:
            profile = library.profile(device_id, host, credentials)
            client = await manager.get_client(device_id, profile)
            offset = rng.uniform(*OFFSET_RANGE)
            pollers.append(
                asyncio.create_task(
                    _poll(
                        manager,
                        client,
                        device_id,
                        interval,
                        offset,
                        stats,
                        library.error,
                    )
                )
            )
        await asyncio.sleep(interval + 1)
        stats.reset()
        start = CpuWindow.now()
        await asyncio.sleep(duration)
        end = CpuWindow.now()
        rss_after = rss_bytes()
        polls, failed = stats.succeeded, stats.failed
        durations = list(stats.durations)
        async with LoopLagProbe() as probe:
            lag_start = CpuWindow.now()
            await asyncio.sleep(duration)
            lag_end = CpuWindow.now()
        lag_window_failed = stats.failed - failed
        for poller in pollers:
            poller.cancel()
        await asyncio.gather(*pollers, return_exceptions=True)
    if not durations or not probe.lags:
        raise RuntimeError(
            f"nothing to measure: {polls} polls succeeded, {len(probe.lags)} lag ticks "
            f"(is --duration shorter than the {interval} s interval?)"
        )
    return ScaleSample(
        library=library.label,
        appliances=len(devices),
        seconds=end.wall - start.wall,
        polls=polls,
        failed_polls=failed,
        lag_window_failed_polls=lag_window_failed,
        cpu_share=end.share_since(start),
        cpu_share_with_probe=lag_end.share_since(lag_start),
        idle_probe_cpu_share=idle_cpu_share,
        baseline_lag_p99=percentile(idle_probe.lags, 99),
        lag_p99=percentile(probe.lags, 99),
        lag_peak=max(probe.lags),
        poll_p50=percentile(durations, 50),
        poll_p99=percentile(durations, 99),
        rss_per_appliance=(rss_after - rss_before) / len(devices),
    )


def main() -> None:
    """Read the spec, measure, print the result as one JSON line."""
    parser = argparse.ArgumentParser(prog="python -m bench.scale_worker")
    parser.add_argument("spec", type=Path)
    parser.add_argument("--duration", type=float, required=True)
    parser.add_argument("--interval", type=float, required=True)
    parser.add_argument("--old", action="store_true")
    args = parser.parse_args()
    spec = json.loads(args.spec.read_text(encoding="utf-8"))
    library = Library.baseline() if args.old else Library.current()
    credentials = library.group_credentials(spec["group_id"], spec["group_key"])
    devices = [(device_id, host) for device_id, host in spec["devices"]]
    sample = asyncio.run(
        measure(
            library,
            credentials,
            devices,
            duration=args.duration,
            interval=args.interval,
        )
    )
    sys.stdout.write(json.dumps(asdict(sample)) + "\n")


if __name__ == "__main__":
    main()
