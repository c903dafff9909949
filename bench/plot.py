"""The PNG figures of docs/benchmarks.md (matplotlib, bench environment only)."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

    from .client_cost import ClientResult
    from .scale_worker import ScaleSample


def _pyplot() -> Any:
    matplotlib: Any = importlib.import_module("matplotlib")
    matplotlib.use("Agg")
    return importlib.import_module("matplotlib.pyplot")


def latency(results: list[ClientResult], path: Path) -> None:
    """Cumulative latency distribution of each client (log scale)."""
    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(8, 4.5))
    for result in results:
        ordered = sorted(value * 1e6 for value in result.latencies)
        fractions = [(index + 1) / len(ordered) for index in range(len(ordered))]
        axes.step(ordered, fractions, where="post", label=result.name.replace("`", ""))
    axes.set_xscale("log")
    axes.set_xlabel("latency of one signed GET State round trip (µs, log scale)")
    axes.set_ylabel("fraction of requests")
    axes.set_title("Client latency against the simulator on loopback")
    axes.grid(visible=True, which="both", alpha=0.3)
    axes.legend(loc="lower right", fontsize="small")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def scale(
    samples: list[ScaleSample], target_cpu: float, target_lag: float, path: Path
) -> None:
    """CPU share, event-loop lag and memory against the number of appliances."""
    plt = _pyplot()
    counts = [s.appliances for s in samples]
    figure, (cpu, lag, memory) = plt.subplots(1, 3, figsize=(13, 4))
    cpu.plot(counts, [s.cpu_share * 100 for s in samples], "o-", label="measured")
    cpu.axhline(target_cpu * 100, color="red", linestyle=":", label="target")
    cpu.set_ylabel("CPU, % of one core")
    lag.plot(counts, [s.lag_p99 * 1e3 for s in samples], "o-", label="p99")
    lag.plot(counts, [s.lag_peak * 1e3 for s in samples], "s--", label="peak")
    lag.axhline(target_lag * 1e3, color="red", linestyle=":", label="p99 target")
    lag.set_ylabel("event-loop lag (ms)")
    memory.plot(counts, [s.rss_per_appliance / 1024 for s in samples], "o-")
    memory.set_ylabel("RSS per appliance (KiB)")
    for axes in (cpu, lag, memory):
        axes.set_xscale("log")
        axes.set_xlabel("appliances polled every 5 s")
        axes.grid(visible=True, which="both", alpha=0.3)
    cpu.legend(fontsize="small")
    lag.legend(fontsize="small")
    figure.suptitle("One ConnectionManager polling N simulated appliances")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
