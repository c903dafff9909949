"""One request at a time, like a real Wi-Fi module."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from simulator import SimulatedAppliance
from tests.simulator.rawclient import RawResponse, send


async def test_sequential_requests_never_overlap(session, creds):
    async with SimulatedAppliance(credentials=creds, latency=0.01) as sim:
        for _ in range(3):
            assert (
                await send(session, sim.host, creds, "GET", "/Devices/")
            ).status == 200
        assert sim.max_concurrent == 1
        assert sim.overlapping_requests == 0


async def test_parallel_requests_are_recorded_and_held(session, creds):
    async with SimulatedAppliance(
        credentials=creds, latency=0.05, overlap_stall=0.05
    ) as sim:
        answers = await asyncio.gather(
            *(send(session, sim.host, creds, "GET", "/Devices/") for _ in range(2))
        )
        assert [answer.status for answer in answers] == [200, 200]
        assert sim.max_concurrent == 2
        assert sim.overlapping_requests == 1
        assert [record.status for record in sim.requests] == [200, 200]


async def test_a_client_that_does_not_serialise_sees_timeouts(session, creds):
    async with SimulatedAppliance(
        credentials=creds, latency=0.02, overlap_stall=1.0
    ) as sim:
        first, second = await asyncio.gather(
            send(session, sim.host, creds, "GET", "/Devices/", limit=0.3),
            send(session, sim.host, creds, "GET", "/Devices/", limit=0.3),
            return_exceptions=True,
        )
        answered, timed_out = sorted(
            [first, second], key=lambda outcome: isinstance(outcome, Exception)
        )
        assert isinstance(answered, RawResponse)
        assert answered.status == 200
        assert isinstance(timed_out, TimeoutError)
        assert sim.overlapping_requests == 1


@pytest.mark.parametrize("option", ["latency", "overlap_stall", "wake_delay"])
def test_negative_delays_are_refused(option: str) -> None:
    arguments: dict[str, Any] = {option: -1.0}
    with pytest.raises(ValueError, match=option):
        SimulatedAppliance(**arguments)
