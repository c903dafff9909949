"""Fixtures for connection-layer tests: a manager with a recording fake sleep."""

from __future__ import annotations

import asyncio
import itertools
from typing import TYPE_CHECKING

import pytest

from mielelocal.connection import ConnectionManager

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, Callable


class RecordingSleep:
    """A fake ``sleep`` that records every delay and really sleeps at most ``real_limit``."""

    def __init__(self) -> None:
        self.delays: list[float] = []
        self.real_limit = 0.0

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        await asyncio.sleep(min(delay, self.real_limit))


async def eventually(condition: Callable[[], bool]) -> None:
    """Poll ``condition`` for up to 5 s (state without an event, e.g. simulator records)."""
    async with asyncio.timeout(5):
        for _ in itertools.count():
            if condition():
                return
            await asyncio.sleep(0.01)


@pytest.fixture
def fake_sleep() -> RecordingSleep:
    return RecordingSleep()


@pytest.fixture
async def manager(fake_sleep: RecordingSleep) -> AsyncGenerator[ConnectionManager]:
    """A manager with short timeouts, fixed jitter and the recording sleep."""
    async with ConnectionManager(
        connection_timeout=0.3,
        retry_delay=1.0,
        retry_max_delay=3.0,
        wake_delay=0.1,
        sleep=fake_sleep,
        rand=lambda: 0.5,
    ) as manager:
        yield manager
