"""The control API, the Python API details and the in-process fleet."""

from __future__ import annotations

import aiohttp
import pytest

from mielelocal.credentials import GroupCredentials
from mielelocal.exceptions import MieleConfigError
from simulator import SimulatedAppliance, SimulatedFleet
from tests.simulator.rawclient import send


@pytest.fixture
async def sim(creds):
    async with SimulatedAppliance(
        "oven", credentials=creds, control_port=0
    ) as simulated:
        yield simulated


def control_url(sim: SimulatedAppliance, path: str) -> str:
    return f"http://127.0.0.1:{sim.control_port}{path}"


async def test_status_describes_the_appliance_without_the_key(session, creds, sim):
    await send(session, sim.host, creds, "GET", "/Devices/")
    async with session.get(control_url(sim, "/status")) as answer:
        assert answer.status == 200
        text = await answer.text()
        status = await answer.json()
    assert creds.group_key_hex not in text.upper()
    assert status["appliance"] == "oven"
    assert status["device_id"] == sim.device_id
    assert status["host"] == sim.host
    assert status["fault"] == "none"
    assert status["paired"] is True
    assert status["group_id"] == creds.group_id
    assert status["counters"] == {
        "requests": 1,
        "actions": 0,
        "held_actions": 0,
        "shortened_signatures": 0,
        "max_concurrent": 1,
        "overlapping_requests": 0,
    }
    assert status["state"]["TargetTemperature"][0] == 18000


async def test_fault_switches_and_unknown_modes_answer_400(session, creds, sim):
    async with session.post(
        control_url(sim, "/fault"), json={"mode": "error500"}
    ) as answer:
        assert answer.status == 200
        assert (await answer.json())["fault"] == "error500"
    assert (await send(session, sim.host, creds, "GET", "/Devices/")).status == 500
    for body in ({"mode": "melted"}, {"mode": 3}, ["error500"]):
        async with session.post(control_url(sim, "/fault"), json=body) as answer:
            assert answer.status == 400
    async with session.post(control_url(sim, "/fault"), data=b"{not json") as answer:
        assert answer.status == 400
    assert sim.fault == "error500"


async def test_state_merges_fields(session, creds, sim):
    async with session.post(
        control_url(sim, "/state"), json={"Status": 4, "Light": 2}
    ) as answer:
        assert answer.status == 200
        assert (await answer.json())["state"]["Status"] == 4
    path = f"/Devices/{sim.device_id}/State"
    state = (await send(session, sim.host, creds, "GET", path)).json(creds)
    assert (state["Status"], state["Light"]) == (4, 2)
    async with session.post(
        control_url(sim, "/state"), json={"RemainingTime": "soon"}
    ) as answer:
        assert answer.status == 400
        assert "[hours, minutes]" in await answer.text()


async def test_control_api_of_an_unpaired_appliance(session):
    async with (
        SimulatedAppliance("hood", paired=False, control_port=0) as sim,
        session.get(control_url(sim, "/status")) as answer,
    ):
        status = await answer.json()
    assert status["paired"] is False
    assert status["group_id"] is None


def test_python_api_details(creds):
    sim = SimulatedAppliance("dishwasher", credentials=creds, fab_number="000177753917")
    assert sim.device_id == "000177753917"
    assert sim.host == "127.0.0.1:0"
    assert sim.control_port is None
    assert creds.group_key_hex not in repr(sim).upper()
    assert "000177753917" in repr(sim)
    assert SimulatedAppliance(host="::1", port=8080).host == "[::1]:8080"
    generated = SimulatedAppliance()
    assert isinstance(generated.credentials, GroupCredentials)
    assert SimulatedAppliance(credentials=creds, paired=False).credentials is None
    assert SimulatedAppliance().device_id != SimulatedAppliance().device_id
    with pytest.raises(MieleConfigError):
        SimulatedAppliance(fab_number="../etc")
    with pytest.raises(ValueError, match="choose one of"):
        SimulatedAppliance("toaster")


async def test_start_twice_is_refused_and_stop_twice_is_harmless(creds):
    sim = SimulatedAppliance(credentials=creds)
    await sim.start()
    with pytest.raises(RuntimeError, match="already started"):
        await sim.start()
    await sim.stop()
    await sim.stop()


async def test_fleet_serves_many_appliances_of_one_household(session):
    async with SimulatedFleet(4, ["washer", "oven"]) as fleet:
        assert len(fleet) == 4
        assert [sim.appliance for sim in fleet] == ["washer", "oven", "washer", "oven"]
        assert len({sim.device_id for sim in fleet}) == 4
        assert len({sim.port for sim in fleet}) == 4
        for sim in fleet:
            assert sim.credentials == fleet.credentials
            answer = await send(
                session, sim.host, fleet.credentials, "GET", "/Devices/"
            )
            assert list(answer.json(fleet.credentials)) == [sim.device_id]
        assert fleet[1].appliance == "oven"


async def test_fleet_start_failure_stops_the_started_ones(session):
    fleet = SimulatedFleet(3, "hood", speed=2.0, latency=0.0)
    await fleet[1].start()
    with pytest.raises(RuntimeError, match="already started"):
        await fleet.start()
    for sim in fleet:
        with pytest.raises(aiohttp.ClientConnectionError):
            await send(session, sim.host, fleet.credentials, "GET", "/Devices/")


def test_fleet_arguments_are_validated():
    with pytest.raises(ValueError, match="at least one appliance"):
        SimulatedFleet(0)
    with pytest.raises(ValueError, match="appliance type"):
        SimulatedFleet(2, [])


async def test_busy_control_port_fails_start_and_closes_the_appliance(session, creds):
    async with SimulatedAppliance(credentials=creds, control_port=0) as first:
        second = SimulatedAppliance(credentials=creds, control_port=first.control_port)
        with pytest.raises(OSError, match=r"\d"):
            await second.start()
        assert second.port > 0
        with pytest.raises(aiohttp.ClientConnectionError):
            await send(session, second.host, creds, "GET", "/Devices/")
    await second.start()  # it stopped cleanly and the control port is free again
    assert second.control_port == first.control_port
    await second.stop()
