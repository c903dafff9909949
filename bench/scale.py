"""Scale: one ``ConnectionManager`` polling N simulated appliances every few seconds.

The appliances run in one ``python -m bench.fleet`` process, the client in one
``python -m bench.scale_worker`` process, so the client's CPU and memory are measured alone.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
import sys
import tempfile

from mielelocal.credentials import GroupCredentials

from .procs import fleet_process
from .scale_worker import ScaleSample


def _write_spec(
    directory: str, credentials: GroupCredentials, devices: list[tuple[str, str]]
) -> Path:
    """Write what the worker needs (the key included) to a private file."""
    spec = Path(directory, "spec.json")
    spec.touch(mode=0o600)
    spec.write_text(
        json.dumps(
            {
                "group_id": credentials.group_id,
                "group_key": credentials.group_key_hex,
                "devices": devices,
            }
        ),
        encoding="utf-8",
    )
    return spec


async def _sample(
    count: int, *, duration: float, interval: float, old: bool = False
) -> ScaleSample:
    credentials = GroupCredentials.generate()
    async with fleet_process(count, credentials) as devices:
        with tempfile.TemporaryDirectory() as directory:
            spec = _write_spec(directory, credentials, devices)
            worker = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bench.scale_worker",
                str(spec),
                f"--duration={duration}",
                f"--interval={interval}",
                *(["--old"] if old else []),
                stdout=asyncio.subprocess.PIPE,
            )
            output, _ = await worker.communicate()
    if worker.returncode:
        raise RuntimeError(f"scale worker for {count} appliances failed")
    return ScaleSample(**json.loads(output))


async def run(
    counts: list[int], *, duration: float, interval: float, repeats: int = 1
) -> list[ScaleSample]:
    """Measure each appliance count in turn, each with fresh processes.

    The largest count runs ``repeats`` times with the old and the new library
    alternating (old first), so both see the same stretch of background load.
    """
    samples = [
        await _sample(count, duration=duration, interval=interval)
        for count in counts[:-1]
    ]
    samples.extend(
        [
            await _sample(counts[-1], duration=duration, interval=interval, old=old)
            for _ in range(repeats)
            for old in (True, False)
        ]
    )
    return samples


def table(samples: list[ScaleSample]) -> str:
    """Render the samples as a Markdown table."""
    lines = [
        (
            "| library | appliances | measured | polls | failed | CPU, one core "
            "| CPU per poll | with lag probe | probe alone, idle | loop lag p99 "
            "| loop lag peak | idle lag p99 | poll p50 | poll p99 | RSS per appliance |"
        ),
        (
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
            "| ---: | ---: | ---: | ---: |"
        ),
    ]
    lines.extend(
        (
            f"| {s.library} | {s.appliances} | {s.seconds:.0f} s | {s.polls} "
            f"| {s.failed_polls} + {s.lag_window_failed_polls} "
            f"| {s.cpu_share:.2%} "
            f"| {s.cpu_share * s.seconds / max(s.polls, 1) * 1e6:,.0f} µs "
            f"| {s.cpu_share_with_probe:.2%} | {s.idle_probe_cpu_share:.2%} "
            f"| {s.lag_p99 * 1e3:.2f} ms | {s.lag_peak * 1e3:.2f} ms "
            f"| {s.baseline_lag_p99 * 1e3:.2f} ms "
            f"| {s.poll_p50 * 1e3:.1f} ms | {s.poll_p99 * 1e3:.1f} ms "
            f"| {s.rss_per_appliance / 1024:.1f} KiB |"
        )
        for s in samples
    )
    return "\n".join(lines)
