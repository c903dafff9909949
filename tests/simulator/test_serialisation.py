"""One request at a time, like a real Wi-Fi module."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import pytest

from simulator import SimulatedAppliance
from tests.simulator.rawclient import RawResponse, send

if TYPE_CHECKING:
    from collections.abc import Callable


async def until(condition: Callable[[], bool]) -> None:
    """Wait up to 2 s for ``condition`` (a hang-up is seen by the server a moment later)."""
    for _ in range(400):
        if condition():
            return
        await asyncio.sleep(0.005)
    pytest.fail("condition never became true")


async def test_sequential_requests_never_overlap(session, creds):
    async with SimulatedAppliance(credentials=creds, latency=0.01) as sim:
        for _ in range(3):
            assert (
                await send(session, sim.host, creds, "GET", "/Devices/")
            ).status == 200
        assert sim.max_concurrent == 1
        assert sim.overlapping_requests == 0


async def test_an_overlapping_request_is_never_answered(session, creds):
    async with SimulatedAppliance(credentials=creds, latency=0.3) as sim:
        first = asyncio.create_task(send(session, sim.host, creds, "GET", "/Devices/"))
        await until(lambda: sim.max_concurrent == 1)
        with pytest.raises(TimeoutError):
            await send(session, sim.host, creds, "GET", "/Devices/", limit=0.2)
        assert (await first).status == 200
        assert sim.max_concurrent == 2
        assert sim.overlapping_requests == 1
        await until(lambda: len(sim.requests) == 2)
        assert sorted(str(record.status) for record in sim.requests) == ["200", "None"]
        # the held request does not block the next one once the first is done
        assert (await send(session, sim.host, creds, "GET", "/Devices/")).status == 200


async def test_a_client_that_does_not_serialise_sees_timeouts(session, creds):
    async with SimulatedAppliance(credentials=creds, latency=0.02) as sim:
        first, second = await asyncio.gather(
            send(session, sim.host, creds, "GET", "/Devices/", limit=0.4),
            send(session, sim.host, creds, "GET", "/Devices/", limit=0.4),
            return_exceptions=True,
        )
        answered, timed_out = sorted(
            [first, second], key=lambda outcome: isinstance(outcome, Exception)
        )
        assert isinstance(answered, RawResponse)
        assert answered.status == 200
        assert isinstance(timed_out, TimeoutError)
        assert sim.overlapping_requests == 1
        await until(lambda: len(sim.requests) == 2)
        assert sorted(str(record.status) for record in sim.requests) == ["200", "None"]


@pytest.mark.parametrize("option", ["latency", "wake_delay"])
def test_negative_delays_are_refused(option: str) -> None:
    arguments: dict[str, Any] = {option: -1.0}
    with pytest.raises(ValueError, match=option):
        SimulatedAppliance(**arguments)
