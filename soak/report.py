"""The soak's findings as Markdown, and the checks that decide whether it passed."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
import os
import platform
import statistics
from typing import TYPE_CHECKING

from simulator.device import Fault

if TYPE_CHECKING:
    from collections import Counter
    from pathlib import Path

    from .faults import Episode
    from .observe import Resources

BEGIN = "<!-- soak:begin -->"
END = "<!-- soak:end -->"
MEMORY_SLACK = 8 * 1024 * 1024
"""Traced-memory growth tolerated between start and end (caches warming up)."""
TASK_SLACK = 2
NO_PROMPT = "no prompt"
"""How an unpaired appliance counts when Home Assistant never asked the user about it."""


@dataclass
class ActionCounts:
    """Actions of one run: asked of the integration, sent as PUTs, applied by appliances."""

    requested: int = 0
    sent: int = 0
    received: int = 0
    acknowledged: int = 0
    refused: int = 0
    duplicates: int = 0


@dataclass
class SoakReport:
    """Everything a soak run measured."""

    command: str
    seconds: float
    appliances: int
    announced: int
    scan_interval: int
    timeout: int
    seed: int
    episodes: list[Episode]
    recoveries: Counter[str]
    actions: ActionCounts
    start: Resources
    end: Resources
    log_records: int
    log_levels: Counter[str]
    errors_with_traceback: list[str]
    setup_errors: int
    loop_exceptions: list[str]
    action_crashes: list[str]
    key_leaks: list[str]
    stuck: list[str]
    recovery_bound: float
    recovery_seconds: float
    requests_served: int
    overlapping_requests: int
    reauth_entries: int
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def unhandled(self) -> int:
        """Tracebacks logged at ERROR, loop exception handler calls and crashed actions."""
        return (
            len(self.errors_with_traceback)
            + len(self.loop_exceptions)
            + len(self.action_crashes)
        )

    def failures(self) -> list[str]:
        """Return the checks this run failed (empty: it passed)."""
        checks = {
            f"{self.unhandled} unhandled exception(s)": self.unhandled == 0,
            f"{len(self.stuck)} stuck appliance(s)": not self.stuck,
            (
                f"{self.recoveries[NO_PROMPT]} unpaired appliance(s) never asked about"
            ): not self.recoveries[NO_PROMPT],
            f"{self.actions.duplicates} duplicated action(s)": self.actions.duplicates
            == 0,
            f"group key in {len(self.key_leaks)} log line(s)": not self.key_leaks,
            "traced memory grew by "
            f"{_mib(self.end.traced_bytes - self.start.traced_bytes)}": (
                self.end.traced_bytes - self.start.traced_bytes <= MEMORY_SLACK
            ),
            f"task count grew from {self.start.tasks} to {self.end.tasks}": (
                self.end.tasks <= self.start.tasks + TASK_SLACK
            ),
        }
        return [name for name, passed in checks.items() if not passed]

    def markdown(self) -> str:
        """Return the summary as Markdown."""
        failures = self.failures()
        verdict = "**PASS**" if not failures else "**FAIL**: " + "; ".join(failures)
        a, mem = self.actions, (self.start, self.end)
        checks = [
            ("unhandled exceptions (ERROR with traceback / loop handler / actions)",
             (f"{len(self.errors_with_traceback)} / {len(self.loop_exceptions)} / "
             f"{len(self.action_crashes)}")),
            ("setups that found an appliance reset (ConfigEntryError, the repair asks)",
             str(self.setup_errors)),
            (f"stuck appliances {self.recovery_bound:.0f} s after all faults were cleared",
             f"{len(self.stuck)} (all healthy after {self.recovery_seconds:.1f} s)"),
            ("unpaired appliances (reset, no_key) paired again by the user, through",
             _counts(self.recoveries)),
            (("actions requested / PUTs sent / received by simulator / acknowledged / "
             "refused"),
             f"{a.requested} / {a.sent} / {a.received} / {a.acknowledged} / {a.refused}"),
            ("duplicated actions", str(a.duplicates)),
            ("traced memory start -> end",
             f"{_mib(mem[0].traced_bytes)} -> {_mib(mem[1].traced_bytes)}"),
            ("largest traced growth", "<br>".join(mem[1].growth_since(mem[0]))),
            ("RSS start -> end", f"{_mib(mem[0].rss_bytes)} -> {_mib(mem[1].rss_bytes)}"),
            ("asyncio tasks start -> end", f"{mem[0].tasks} -> {mem[1].tasks}"),
            ("log records seen at DEBUG",
             f"{self.log_records} ({_counts(self.log_levels)})"),
            ("log lines containing a group key (hex, any case)", str(len(self.key_leaks))),
            ("requests served by the simulators", str(self.requests_served)),
            ("requests overlapping on one appliance", str(self.overlapping_requests)),
            ("entries that asked for re-authentication", str(self.reauth_entries)),
        ]  # fmt: skip
        lines = [
            f"Command: `{self.command}`  ",
            f"Date: {self.started_at:%Y-%m-%d %H:%M} UTC  ",
            f"Machine: {_machine()}  ",
            (
                f"Run: {self.seconds:.0f} s of faults on {self.appliances} simulated "
                f"appliances ({self.announced} announced over mDNS), scan interval "
                f"{self.scan_interval} s, request timeout {self.timeout} s, "
                f"seed {self.seed}  "
            ),
            f"Verdict: {verdict}",
            "",
            "| fault | injected | survived | recovery median (s) | recovery max (s) |",
            "| --- | ---: | ---: | ---: | ---: |",
            *self._fault_rows(),
            "",
            "| check | result |",
            "| --- | --- |",
            *(f"| {name} | {value} |" for name, value in checks),
        ]
        for title, items in (
            ("Stuck", self.stuck),
            ("Unhandled", self.errors_with_traceback + self.loop_exceptions),
            ("Crashed actions", self.action_crashes),
            ("Key leaks", self.key_leaks),
        ):
            if items:
                lines += [
                    "",
                    f"{title}:",
                    *(f"- `{item[:300]}`" for item in items[:10]),
                ]
        return "\n".join(lines) + "\n"

    def _fault_rows(self) -> list[str]:
        rows = []
        for fault in Fault:
            episodes = [e for e in self.episodes if e.fault is fault]
            if fault is Fault.NONE:
                rows.append(f"| none (quiet period) | {len(episodes)} | - | - | - |")
                continue
            delays = [
                delay for e in episodes if (delay := e.recovery_seconds) is not None
            ]
            median = f"{statistics.median(delays):.1f}" if delays else "-"
            worst = f"{max(delays):.1f}" if delays else "-"
            rows.append(
                f"| {fault.value} | {len(episodes)} | {len(delays)} | {median} | {worst} |"
            )
        return rows

    def write_into(self, path: Path) -> None:
        """Replace the generated section of ``path`` (appended when it has none)."""
        text = path.read_text() if path.exists() else ""
        section = f"{BEGIN}\n{self.markdown()}{END}"
        head, found, rest = text.partition(BEGIN)
        if found:
            text = head + section + rest.partition(END)[2]
        else:
            text = f"{text.rstrip()}\n\n{section}\n".lstrip()
        path.write_text(text)


def _mib(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MiB"


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{name} {count}" for name, count in counter.most_common()) or "0"


def _machine() -> str:
    return (
        f"{platform.system()} {platform.release()} {platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
