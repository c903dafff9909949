"""
``python -m bench [client|scale|recovery|household|all] [--quick]`` (run it through ``scripts/bench``).

Prints Markdown tables. A full run (without ``--quick``) also rewrites its sections of
docs/benchmarks.md and its PNG figures under docs/.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
import sys

from . import client_cost, household, plot, recovery, report, scale
from .household_day import FINISHED
from .measure import machine, percentile

CPU_TARGET = 200e-6  # client CPU per request
RATIO_TARGET = 1.5  # throughput against asyncmiele
SCALE_CPU_TARGET = 0.05  # share of one core at the largest fleet
LAG_TARGET = 0.005  # event-loop lag p99
SCALE_INTERVAL = 5.0
PUSH_DELAY_TARGET = 1.0  # p95 of any event with push
PUSH_RATE_TARGET = 60.0  # requests per hour per appliance with push
FINISHED_TARGET = 15.0  # "programme finished" p95 with adaptive polling alone


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="scripts/bench", description=__doc__)
    parser.add_argument(
        "benchmark",
        nargs="?",
        default="all",
        choices=["client", "scale", "recovery", "household", "all"],
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="short runs, at most 100 appliances, a 5 s recovery poll; docs untouched",
    )
    parser.add_argument(
        "--duration",
        type=float,
        help="scale: seconds measured per fleet size (60; quick 10)",
    )
    parser.add_argument(
        "--trials", type=int, help="recovery: outages to time (3; quick 1)"
    )
    parser.add_argument(
        "--requests", type=int, help="client: round trips per round (1000; quick 200)"
    )
    parser.add_argument(
        "--days", type=int, help="household: simulated days (7; quick 1)"
    )
    return parser


def _run_header(command: str) -> str:
    info = machine()
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return (
        f"Command: `{command}` · {info['date']} · {info['nproc']} CPUs ({info['cpu']}) · "
        f"Python {info['python']} · load average before the run {load}"
    )


async def _client(args: argparse.Namespace, header: str) -> str:
    results = await client_cost.run(
        requests=args.requests or (200 if args.quick else 1000),
        rounds=2 if args.quick else 5,
    )
    ours = next(r for r in results if r.name == client_cost.OURS)
    asyncmiele = next(r for r in results if r.name == client_cost.ASYNCMIELE)
    ratio = ours.ratio_to(asyncmiele)
    if not args.quick:
        plot.latency(results, report.DOCS / "bench-latency.png")
    return "\n".join(
        [
            header,
            "",
            client_cost.table(results),
            "",
            report.verdict(
                f"Throughput at least {RATIO_TARGET}x asyncmiele's",
                met=ratio >= RATIO_TARGET,
                measured=f"{ratio:.2f}x",
            ),
            report.verdict(
                f"Client CPU under {CPU_TARGET * 1e6:.0f} µs per request",
                met=ours.cpu_per_request < CPU_TARGET,
                measured=f"{ours.cpu_per_request * 1e6:.0f} µs",
            ),
        ]
    )


async def _scale(args: argparse.Namespace, header: str) -> str:
    samples = await scale.run(
        [10, 100] if args.quick else [10, 100, 500],
        duration=args.duration or (10.0 if args.quick else 60.0),
        interval=SCALE_INTERVAL,
    )
    largest = samples[-1]
    worst_lag = max(s.lag_p99 for s in samples)
    if not args.quick:
        plot.scale(
            samples, SCALE_CPU_TARGET, LAG_TARGET, report.DOCS / "bench-scale.png"
        )
    return "\n".join(
        [
            header,
            "",
            scale.table(samples),
            "",
            report.verdict(
                f"{largest.appliances} appliances under {SCALE_CPU_TARGET:.0%} of one core",
                met=largest.cpu_share < SCALE_CPU_TARGET,
                measured=f"{largest.cpu_share:.2%}, "
                f"{largest.cpu_share - largest.baseline_cpu_share:.2%} net of the probe",
            ),
            report.verdict(
                f"Event-loop lag p99 under {LAG_TARGET * 1e3:.0f} ms",
                met=worst_lag < LAG_TARGET,
                measured=f"worst p99 {worst_lag * 1e3:.2f} ms",
            ),
        ]
    )


async def _recovery(args: argparse.Namespace, header: str) -> str:
    interval = 5.0 if args.quick else recovery.POLL_INTERVAL
    trials = await recovery.run(
        trials=args.trials or (1 if args.quick else 3), interval=interval
    )
    bound = interval + recovery.FIRST_BACKOFF
    worst_state = max(t.online_to_first_state for t in trials)
    worst_healthy = max(t.online_to_healthy for t in trials)
    return "\n".join(
        [
            header,
            "",
            recovery.table(trials, interval),
            "",
            report.verdict(
                f"First fresh State within one poll interval plus one backoff step ({bound:g} s)",
                met=worst_state <= bound,
                measured=f"worst {worst_state:.1f} s",
            ),
            report.verdict(
                f"`healthy` within one poll interval plus one backoff step ({bound:g} s)",
                met=worst_healthy <= bound,
                measured=f"worst {worst_healthy:.1f} s",
            ),
        ]
    )


async def _household(args: argparse.Namespace, header: str) -> str:
    days = args.days or (1 if args.quick else 7)
    traces = await household.run(days)
    fixed, lan, adaptive, push = (policy.name for policy in household.POLICIES)
    push_p95 = percentile(household.pooled(traces, push), 95)
    push_rate = max(t.per_hour for t in traces if t.policy == push)
    finished_p95 = percentile(household.pooled(traces, adaptive, FINISHED), 95)
    ours, theirs = (household.household_rate(traces, name) for name in (adaptive, lan))
    return "\n".join(
        [
            header,
            "",
            (
                f"{days} simulated household day(s) ({len(traces)} appliance runs, "
                f"{sum(len(t.reads) for t in traces)} real State reads); fixed 30 s: "
                f"{household.household_rate(traces, fixed):.0f} requests/h for the "
                "household."
            ),
            "",
            household.table(traces),
            "",
            report.verdict(
                f"With push, any event p95 ≤ {PUSH_DELAY_TARGET:g} s",
                met=push_p95 <= PUSH_DELAY_TARGET,
                measured=f"{push_p95:.2f} s",
            ),
            report.verdict(
                f"With push, ≤ {PUSH_RATE_TARGET:g} requests/h per appliance over the day",
                met=push_rate <= PUSH_RATE_TARGET,
                measured=f"busiest appliance {push_rate:.1f}/h",
            ),
            report.verdict(
                f'Adaptive alone, "programme finished" p95 ≤ {FINISHED_TARGET:g} s',
                met=finished_p95 <= FINISHED_TARGET,
                measured=f"{finished_p95:.1f} s",
            ),
            report.verdict(
                "Adaptive alone, fewer requests/h than ha-miele-at-lan's policy",
                met=ours < theirs,
                measured=f"{ours:.0f}/h against {theirs:.0f}/h for the household",
            ),
        ]
    )


BENCHMARKS = {
    "client": _client,
    "scale": _scale,
    "recovery": _recovery,
    "household": _household,
}


async def main(args: argparse.Namespace) -> None:
    """Run the chosen benchmarks, print their sections, and update the docs on a full run."""
    names = list(BENCHMARKS) if args.benchmark == "all" else [args.benchmark]
    command = shlex.join(["scripts/bench", *sys.argv[1:]])
    sections: dict[str, str] = {}
    for name in names:
        sections[name] = await BENCHMARKS[name](args, _run_header(command))
        sys.stdout.write(f"\n## {name}\n\n{sections[name]}\n")
        sys.stdout.flush()
    if not args.quick:
        report.update_docs(sections)


if __name__ == "__main__":
    asyncio.run(main(_parser().parse_args()))
