"""``python -m bench [client|scale|recovery|household|all] [--quick]`` (run it through ``scripts/bench``).

Prints Markdown tables. A full run (without ``--quick``) also rewrites its sections of
docs/benchmarks.md and its PNG figures under docs/.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shlex
from statistics import median
import sys
from typing import TYPE_CHECKING

from . import client_cost, household, plot, recovery, report, scale
from .household_day import FINISHED
from .measure import machine, percentile

if TYPE_CHECKING:
    from .scale_worker import ScaleSample

FLOOR_TARGET = 1.3  # client CPU per request over the aiohttp floor's
MANAGER_TARGET = 0.05  # the manager's CPU on top of the bare client's
ASYNCMIELE_TARGET = 1.4  # asyncmiele's CPU per request over ours
SCALE_CPU_TARGET = 0.05  # share of one core at the largest fleet
LAG_TARGET = 0.005  # event-loop lag p99
SCALE_INTERVAL = 5.0
PUSH_DELAY_TARGET = 1.0  # p95 of any event with push
PUSH_RATE_TARGET = 60.0  # requests per hour per appliance with push
FINISHED_TARGET = 15.0  # "programme finished" p95 with adaptive polling alone
SCALE_REPEATS = 3  # runs of the largest fleet, per library


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
        help="scale: seconds of CPU, then as many of lag, per fleet size (60; quick 10)",
    )
    parser.add_argument(
        "--trials", type=int, help="recovery: outages to time (3; quick 1)"
    )
    parser.add_argument(
        "--requests", type=int, help="client: round trips per round (50)"
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
        requests=args.requests or 50,
        rounds=16 if args.quick else 100,
    )
    by_name = {r.name: r for r in results}
    ours, manager = by_name[client_cost.OURS], by_name[client_cost.OURS_MANAGER]
    to_floor = ours.cpu_ratios(by_name[client_cost.FLOOR])
    overhead = manager.cpu_ratios(ours)
    asyncmiele = ours.cpu_ratios(by_name[client_cost.ASYNCMIELE]).inverse()
    to_old = ours.cpu_ratios(by_name[client_cost.OLD])
    manager_to_old = manager.cpu_ratios(by_name[client_cost.OLD_MANAGER])
    if not args.quick:
        plot.latency(results, report.DOCS / "bench-latency.png")
    return "\n".join(
        [
            header,
            "",
            client_cost.table(results),
            "",
            (
                "CPU ratios: median over rounds of the ratio within each round, with the "
                "interquartile range over rounds in brackets. New ÷ old CPU per request: "
                f"client {to_old}, manager path {manager_to_old}."
            ),
            "",
            report.verdict(
                f"`get_state` at most {FLOOR_TARGET}x the aiohttp floor's CPU per request",
                met=to_floor.median <= FLOOR_TARGET,
                measured=str(to_floor),
            ),
            report.verdict(
                f"Manager path at most {MANAGER_TARGET:.0%} more CPU than the bare client",
                met=overhead.median <= 1 + MANAGER_TARGET,
                measured=f"{overhead.median - 1:+.1%}, interquartile "
                f"{overhead.quartiles[0] - 1:+.1%} to {overhead.quartiles[1] - 1:+.1%}",
            ),
            report.verdict(
                f"asyncmiele at least {ASYNCMIELE_TARGET}x our CPU per request",
                met=asyncmiele.median >= ASYNCMIELE_TARGET,
                measured=str(asyncmiele),
            ),
        ]
    )


async def _scale(args: argparse.Namespace, header: str) -> str:
    samples = await scale.run(
        [10, 100] if args.quick else [10, 100, 500],
        duration=args.duration or (10.0 if args.quick else 60.0),
        interval=SCALE_INTERVAL,
        repeats=1 if args.quick else SCALE_REPEATS,
    )
    largest = samples[-1].appliances
    new = [s for s in samples if s.library == "new"]
    new_largest = [s for s in new if s.appliances == largest]
    old_largest = [s for s in samples if s.library == "old"]
    worst_lag = max(s.lag_p99 for s in new)
    if not args.quick:
        typical = sorted(new_largest, key=lambda s: s.cpu_share)[len(new_largest) // 2]
        plot.scale(
            [s for s in new if s.appliances != largest] + [typical],
            SCALE_CPU_TARGET,
            LAG_TARGET,
            report.DOCS / "bench-scale.png",
        )
    return "\n".join(
        [
            header,
            "",
            scale.table(samples),
            "",
            (
                f"{largest} appliances, share of one core over {len(new_largest)} runs "
                f"each (alternating, old first): new {_median_worst(new_largest)}; "
                f"old {_median_worst(old_largest)}."
            ),
            "",
            report.verdict(
                f"{largest} appliances under {SCALE_CPU_TARGET:.0%} of one core in every run",
                met=all(s.cpu_share < SCALE_CPU_TARGET for s in new_largest),
                measured=_median_worst(new_largest),
            ),
            report.verdict(
                f"Event-loop lag p99 under {LAG_TARGET * 1e3:.0f} ms",
                met=worst_lag < LAG_TARGET,
                measured=f"worst p99 {worst_lag * 1e3:.2f} ms",
            ),
        ]
    )


def _median_worst(samples: list[ScaleSample]) -> str:
    shares = [s.cpu_share for s in samples]
    return f"median {median(shares):.2%}, worst {max(shares):.2%}"


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
    fixed, lan, adaptive, push = household.POLICIES
    push_p95 = percentile(household.pooled(traces, push), 95)
    push_rate = max(t.per_hour for t in traces if t.policy == push)
    push_hour = max(t.busiest_hour for t in traces if t.policy == push)
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
            household.push_summary(traces),
            "",
            report.verdict(
                f"With push, any event p95 ≤ {PUSH_DELAY_TARGET:g} s",
                met=push_p95 <= PUSH_DELAY_TARGET,
                measured=f"{push_p95:.2f} s",
            ),
            report.verdict(
                f"With push, ≤ {PUSH_RATE_TARGET:g} requests/h per appliance over the day",
                met=push_rate <= PUSH_RATE_TARGET,
                measured=(
                    f"busiest appliance {push_rate:.1f}/h over the day; busiest clock hour "
                    f"of any appliance {push_hour} requests"
                ),
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
