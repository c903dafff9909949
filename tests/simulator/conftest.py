"""Fixtures of the simulator tests."""

from __future__ import annotations

from typing import TYPE_CHECKING

import aiohttp
import pytest

from mielelocal.credentials import GroupCredentials

if TYPE_CHECKING:
    from collections.abc import AsyncIterator


@pytest.fixture
def creds() -> GroupCredentials:
    return GroupCredentials.generate()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


@pytest.fixture(autouse=True)
def real_sockets(socket_enabled: None) -> None:
    """The simulator is a real server on 127.0.0.1: allow opening sockets."""
