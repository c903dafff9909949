"""Observers of a soak: every log line, loop exceptions, actions, memory and tasks."""

from __future__ import annotations

import asyncio
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
import gc
import logging
from pathlib import Path
import re
import tracemalloc
from typing import TYPE_CHECKING, Any
from unittest.mock import patch

from homeassistant.exceptions import ConfigEntryError, HomeAssistantError

from custom_components.miele_local.coordinator import MieleApplianceCoordinator
from mielelocal.client import MieleClient
from mielelocal.models import DeviceAction

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

    from mielelocal.credentials import GroupCredentials


class LogWatch(logging.Handler):
    """Sees every record at DEBUG.

    It counts them, keeps ERROR records with a traceback, and searches each formatted line
    (traceback included) for any group key's hex. Home Assistant logs a deliberate
    `ConfigEntryError` (the setup of an appliance found reset: the repair asks the user)
    with its traceback too: those are counted apart, as the handled outcome they are.
    """

    def __init__(self, keys: Iterable[GroupCredentials]) -> None:
        super().__init__(logging.DEBUG)
        hexes = sorted({credentials.group_key.hex() for credentials in keys})
        self._secret = re.compile("|".join(hexes), re.IGNORECASE)
        self._formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
        self.records = 0
        self.by_level: Counter[str] = Counter()
        self.errors_with_traceback: list[str] = []
        self.setup_errors = 0
        self.key_leaks: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Inspect one record; never raise."""
        line = self._formatter.format(record)
        self.records += 1
        self.by_level[record.levelname] += 1
        if record.levelno >= logging.ERROR and record.exc_info:
            if isinstance(record.exc_info[1], ConfigEntryError):
                self.setup_errors += 1
            else:
                self.errors_with_traceback.append(line[:2000])
        if self._secret.search(line):
            self.key_leaks.append(f"{record.name}: {record.levelname}")

    @contextmanager
    def attached(self) -> Iterator[None]:
        """Receive every record of every logger at DEBUG while the block runs.

        The root's other handlers (the console) show only warnings meanwhile.
        """
        root = logging.getLogger()
        level = root.level
        others = {handler: handler.level for handler in root.handlers}
        for handler in others:
            handler.setLevel(max(handler.level, logging.WARNING))
        root.addHandler(self)
        root.setLevel(logging.DEBUG)
        try:
            yield
        finally:
            root.removeHandler(self)
            root.setLevel(level)
            for handler, previous in others.items():
                handler.setLevel(previous)


@dataclass
class LoopWatch:
    """Counts what reaches the event loop's exception handler (then passes it on)."""

    contexts: list[str] = field(default_factory=list)

    @contextmanager
    def attached(self, loop: asyncio.AbstractEventLoop) -> Iterator[None]:
        """Wrap the loop's current exception handler while the block runs."""
        previous = loop.get_exception_handler()

        def handle(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
            self.contexts.append(
                f"{context.get('message')}: {context.get('exception')!r}"[:2000]
            )
            if previous is not None:
                previous(loop, context)
            else:
                loop.default_exception_handler(context)

        loop.set_exception_handler(handle)
        try:
            yield
        finally:
            loop.set_exception_handler(previous)


@dataclass(frozen=True)
class Resources:
    """Memory and task count at one moment."""

    traced_bytes: int
    rss_bytes: int
    tasks: int
    snapshot: tracemalloc.Snapshot = field(repr=False, compare=False)

    def growth_since(self, start: Resources, top: int = 5) -> list[str]:
        """Return the allocation sites that grew most since ``start``."""
        stats = self.snapshot.compare_to(start.snapshot, "lineno")
        return [
            f"{stat.traceback[0].filename.rpartition('site-packages/')[2]}:"
            f"{stat.traceback[0].lineno} {stat.size_diff / 1024:+.0f} KiB"
            for stat in stats[:top]
        ]

    @classmethod
    def sample(cls) -> Resources:
        """Collect garbage, then measure (tracemalloc must be running).

        Snapshots themselves (kept for the comparison) are left out of the traced size.
        """
        gc.collect()
        snapshot = tracemalloc.take_snapshot().filter_traces(
            [tracemalloc.Filter(inclusive=False, filename_pattern=tracemalloc.__file__)]
        )
        return cls(
            traced_bytes=sum(stat.size for stat in snapshot.statistics("filename")),
            rss_bytes=_rss_bytes(),
            tasks=len(asyncio.all_tasks()),
            snapshot=snapshot,
        )


def _rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def is_wake(payload: Mapping[str, int]) -> bool:
    """Tell the connection manager's own wake-up write from a user action."""
    return dict(payload) == {"DeviceAction": int(DeviceAction.WAKE)}


@dataclass
class ActionLedger:
    """User actions handed to the integration and the PUTs the library sent for them."""

    requested: Counter[str] = field(default_factory=Counter)
    acknowledged: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    sent: dict[str, list[dict[str, int]]] = field(default_factory=dict)

    @contextmanager
    def observing(self) -> Iterator[None]:
        """Record calls of the coordinator's and client's action methods; both still run."""
        send_action = MieleApplianceCoordinator.async_send_action
        client_send = MieleClient.send_action
        ledger = self

        async def observed_send_action(
            coordinator: MieleApplianceCoordinator, payload: Mapping[str, int]
        ) -> None:
            device_id = coordinator.device_id
            ledger.requested[device_id] += 1
            try:
                await send_action(coordinator, payload)
            except HomeAssistantError:
                ledger.refused[device_id] += 1
                raise
            ledger.acknowledged[device_id] += 1

        async def observed_client_send(
            client: MieleClient, device_id: str, payload: Mapping[str, int]
        ) -> None:
            if not is_wake(payload):
                ledger.sent.setdefault(device_id, []).append(dict(payload))
            await client_send(client, device_id, payload)

        with (
            patch.object(
                MieleApplianceCoordinator, "async_send_action", observed_send_action
            ),
            patch.object(MieleClient, "send_action", observed_client_send),
        ):
            yield
