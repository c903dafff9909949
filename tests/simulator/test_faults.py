"""Every fault mode and its return to ``none``."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest

from mielelocal.credentials import GroupCredentials
from mielelocal.exceptions import MieleSecurityError
from simulator import Fault, RequestRecord, SimulatedAppliance
from simulator.device import GARBAGE
from simulator.mdns import txt_record
from tests.simulator.rawclient import RawResponse, send

PAIRING = {"Authorization": "MielePairing:Pairing"}


@pytest.fixture
async def sim(creds):
    async with SimulatedAppliance(
        "washer", credentials=creds, wake_delay=0.05
    ) as simulated:
        yield simulated


async def get_state(
    session: aiohttp.ClientSession,
    sim: SimulatedAppliance,
    creds: GroupCredentials,
    limit: float = 5.0,
) -> RawResponse:
    path = f"/Devices/{sim.device_id}/State"
    return await send(session, sim.host, creds, "GET", path, limit=limit)


async def put(
    session: aiohttp.ClientSession,
    sim: SimulatedAppliance,
    creds: GroupCredentials,
    payload: object,
) -> RawResponse:
    path = f"/Devices/{sim.device_id}/State"
    return await send(session, sim.host, creds, "PUT", path, payload)


def test_unknown_fault_is_refused():
    sim = SimulatedAppliance()
    with pytest.raises(ValueError, match="sleep"):
        sim.set_fault("broken")
    assert sim.fault == "none"


async def test_offline_refuses_connections_until_none_on_the_same_port(
    session, creds, sim
):
    assert (await get_state(session, sim, creds)).status == 200  # keep-alive connection
    port = sim.port
    sim.set_fault("offline")
    sim.set_fault("offline")  # already offline: nothing changes
    assert sim.fault is Fault.OFFLINE
    for _ in range(2):
        with pytest.raises(aiohttp.ClientConnectionError):
            await get_state(session, sim, creds)
    sim.set_fault("none")
    assert (await get_state(session, sim, creds)).status == 200
    assert sim.port == port


async def test_offline_toggled_before_the_listener_reopens(session, creds, sim):
    sim.set_fault("offline")
    sim.set_fault("none")
    sim.set_fault("offline")
    sim.set_fault("none")  # still reopening: nothing more to do
    assert (await get_state(session, sim, creds)).status == 200
    sim.set_fault("offline")
    sim.set_fault("none")
    sim.set_fault("offline")  # the pending reopen closes again
    await asyncio.sleep(0.05)
    with pytest.raises(aiohttp.ClientConnectionError):
        await get_state(session, sim, creds)


async def test_offline_before_start_and_stop_while_reopening(session, creds):
    sim = SimulatedAppliance("hood", credentials=creds)
    sim.set_fault("offline")
    async with sim:
        assert sim.port > 0
        with pytest.raises(aiohttp.ClientConnectionError):
            await get_state(session, sim, creds)
        sim.set_fault("none")
    with pytest.raises(aiohttp.ClientConnectionError):
        await get_state(session, sim, creds)


async def test_timeout_never_answers_until_the_client_gives_up(session, creds, sim):
    sim.set_fault("timeout")
    with pytest.raises(TimeoutError):
        await get_state(session, sim, creds, limit=0.2)
    for _ in range(100):  # the server notices the closed connection
        if sim.requests:
            break
        await asyncio.sleep(0.01)
    assert sim.requests == [
        RequestRecord("GET", f"/Devices/{sim.device_id}/State", None)
    ]
    sim.set_fault("none")
    assert (await get_state(session, sim, creds)).status == 200


async def test_stop_cancels_a_request_held_by_the_timeout_fault(session, creds):
    sim = SimulatedAppliance("washer", credentials=creds)
    await sim.start()
    sim.set_fault("timeout")
    pending = asyncio.create_task(get_state(session, sim, creds))
    for _ in range(100):
        if sim.max_concurrent:
            break
        await asyncio.sleep(0.01)
    await sim.stop()
    with pytest.raises(aiohttp.ClientError):
        await pending
    assert sim.requests[-1].status is None


async def test_sleep_answers_500_until_woken_then_awake_after_the_delay(
    session, creds, sim
):
    sim.set_fault("sleep")
    assert (await get_state(session, sim, creds)).status == 500
    assert (await put(session, sim, creds, {"ProcessAction": 3})).status == 500
    path = f"/Devices/{sim.device_id}/State"
    not_json = await send(session, sim.host, creds, "PUT", path, raw=b"\xff{")
    assert not_json.status == 500
    assert (await send(session, sim.host, None, "GET", "/")).status == 401
    sim.wake_delay = 0.2
    woken = await put(session, sim, creds, {"DeviceAction": 2})
    assert woken.status == 204
    assert woken.plaintext(creds) == b""
    assert sim.fault == "sleep"
    assert (await get_state(session, sim, creds)).status == 500  # still waking
    await put(
        session, sim, creds, {"DeviceAction": 2}
    )  # a second wake keeps the deadline
    await asyncio.sleep(0.25)
    assert (await get_state(session, sim, creds)).status == 200
    assert sim.fault is Fault.NONE
    assert sim.actions == [{"DeviceAction": 2}, {"DeviceAction": 2}]
    assert sim.state["Status"] == 5  # the paused PUT while asleep was not applied


async def test_sleep_wakes_even_a_fridge_freezer(session, creds):
    async with SimulatedAppliance(
        "fridge_freezer", credentials=creds, wake_delay=0
    ) as fridge:
        fridge.set_fault("sleep")
        assert (await put(session, fridge, creds, {"DeviceAction": 2})).status == 204
        assert fridge.fault == "none"
        assert (await put(session, fridge, creds, {"DeviceAction": 2})).status == 403


async def test_set_fault_sleep_back_to_none(session, creds, sim):
    sim.set_fault("sleep")
    sim.set_fault("none")
    assert (await get_state(session, sim, creds)).status == 200


async def test_error500_for_every_request(session, creds, sim):
    sim.set_fault("error500")
    assert (await get_state(session, sim, creds)).status == 500
    assert (await send(session, sim.host, None, "GET", "/")).status == 500
    sim.set_fault("none")
    assert (await get_state(session, sim, creds)).status == 200


async def test_bad_signature_on_reads_and_writes(session, creds, sim):
    sim.set_fault("bad_signature")
    answer = await get_state(session, sim, creds)
    assert answer.status == 200
    assert "X-Signature" in answer.headers
    with pytest.raises(MieleSecurityError):
        answer.plaintext(creds)
    written = await put(session, sim, creds, {"ProcessAction": 3})
    assert written.status == 204
    with pytest.raises(MieleSecurityError):
        written.plaintext(creds)
    sim.set_fault("none")
    assert (await get_state(session, sim, creds)).json(creds)["Status"] == 6


async def test_garbage_is_validly_signed_but_not_json(session, creds, sim):
    sim.set_fault("garbage")
    answer = await get_state(session, sim, creds)
    assert answer.status == 200
    assert answer.plaintext(creds) == GARBAGE.rstrip()
    with pytest.raises(UnicodeDecodeError):
        json.loads(answer.plaintext(creds))
    sim.set_fault("none")
    assert answer.status == 200
    assert (await get_state(session, sim, creds)).json(creds)["Status"] == 5


async def test_reset_forgets_the_pairing_and_none_restores_it(session, creds, sim):
    sim.set_fault("reset")
    assert sim.credentials is None
    assert (await get_state(session, sim, creds)).status == 403
    assert (await send(session, sim.host, None, "GET", "/")).status == 401
    sim.set_fault("none")
    assert sim.credentials == creds
    assert (await get_state(session, sim, creds)).status == 200


async def test_reset_then_commissioning_makes_the_new_key_the_pairing(
    session, creds, sim
):
    sim.set_fault("reset")
    new = GroupCredentials.generate()
    body = {"GroupID": new.group_id, "GroupKey": new.group_key_hex}
    path = "/Security/Commissioning/"
    assert (await send(session, sim.host, None, "PUT", path, body)).status == 404
    answer = await send(session, sim.host, None, "PUT", path, body, headers=PAIRING)
    assert answer.status == 204
    assert sim.fault is Fault.NONE
    assert sim.credentials == new
    assert (await get_state(session, sim, new)).status == 200
    assert (await get_state(session, sim, creds)).status == 403


async def test_no_key_answers_404_to_signed_requests_and_opens_commissioning(
    session, creds, sim
):
    changes: list[bool] = []
    sim.pairing_listeners.append(lambda: changes.append(sim.paired))
    sim.set_fault("no_key")
    assert sim.credentials is None
    assert txt_record(sim)["group"] == ""
    for path in ("/Devices/", f"/Devices/{sim.device_id}/State"):
        answer = await send(session, sim.host, creds, "GET", path)
        assert answer.status == 404
        assert "X-Signature" not in answer.headers
    assert (await put(session, sim, creds, {"ProcessAction": 3})).status == 404
    assert (await send(session, sim.host, None, "GET", "/")).status == 401
    sim.set_fault("reset")  # forgotten either way: the pairing does not flicker
    sim.set_fault("no_key")
    sim.set_fault("none")
    assert sim.credentials == creds
    assert changes == [False, True]
    assert (await get_state(session, sim, creds)).status == 200


async def test_no_key_commissioning_makes_the_new_key_the_pairing(session, sim):
    sim.set_fault("no_key")
    new = GroupCredentials.generate()
    body = {"GroupID": new.group_id, "GroupKey": new.group_key_hex}
    path = "/Security/Commissioning/"
    answer = await send(session, sim.host, None, "PUT", path, body, headers=PAIRING)
    assert answer.status == 204
    assert sim.fault is Fault.NONE
    assert txt_record(sim)["group"] == new.group_id
    assert (await get_state(session, sim, new)).status == 200


async def test_deep_standby_serves_an_all_zero_state_until_woken(session, creds):
    async with SimulatedAppliance(
        "hob_extended", credentials=creds, wake_delay=0.2
    ) as sim:
        sim.set_fault("deep_standby")
        state = (await get_state(session, sim, creds)).json(creds)
        assert state.keys() == sim.state.keys()
        assert state["StandbyState"] == 0
        assert state["Status"] == 0
        assert state["RemoteEnable"] == [0, 0, 0]
        assert state["SignalDoor"] is False
        assert set(state["ExtendedState"]) == {"0"}
        ident = f"/Devices/{sim.device_id}/Ident"
        assert (await send(session, sim.host, creds, "GET", ident)).status == 200
        assert (await put(session, sim, creds, {"Light": 1})).status == 500
        woken = await put(session, sim, creds, {"DeviceAction": 2})
        assert woken.status == 204
        assert woken.plaintext(creds) == b""
        assert (await get_state(session, sim, creds)).json(creds)["Status"] == 0
        await asyncio.sleep(0.25)
        assert (await get_state(session, sim, creds)).json(creds) == sim.state
        assert sim.fault is Fault.NONE
        assert sim.actions == [{"DeviceAction": 2}]


async def test_busy_answers_503_to_signed_requests_only(session, creds, sim):
    sim.set_fault("busy")
    assert (await get_state(session, sim, creds)).status == 503
    assert (await put(session, sim, creds, {"ProcessAction": 3})).status == 503
    assert (await send(session, sim.host, None, "GET", "/")).status == 401
    sim.set_fault("none")
    assert (await get_state(session, sim, creds)).status == 200
    assert sim.actions == []


async def test_busy_silent_holds_signed_requests_but_answers_unsigned(
    session, creds, sim
):
    sim.set_fault("busy_silent")
    held = asyncio.create_task(get_state(session, sim, creds, limit=0.5))
    await asyncio.sleep(0.05)
    assert (await send(session, sim.host, None, "GET", "/")).status == 401
    with pytest.raises(TimeoutError):
        await held
    assert sim.overlapping_requests == 0
    sim.set_fault("none")
    assert (await get_state(session, sim, creds)).status == 200
    path = f"/Devices/{sim.device_id}/State"
    assert RequestRecord("GET", path, None) in sim.requests


async def test_busy_silent_notes_the_writes_it_holds_and_applies_none(
    session, creds, sim
):
    """A held write is verified and noted in ``held_actions``, never in ``actions``."""
    sim.set_fault("busy_silent")
    path = f"/Devices/{sim.device_id}/State"
    for payload in ({"DeviceAction": 2}, {"ProcessAction": 3}):
        with pytest.raises(TimeoutError):
            await send(session, sim.host, creds, "PUT", path, payload, limit=0.3)
    with pytest.raises(TimeoutError):
        await send(
            session,
            sim.host,
            creds,
            "PUT",
            path,
            {"ProcessAction": 2},
            tamper=True,
            limit=0.3,
        )
    with pytest.raises(TimeoutError):
        await get_state(session, sim, creds, limit=0.3)

    assert sim.held_actions == [{"DeviceAction": 2}, {"ProcessAction": 3}]
    assert sim.actions == []
    sim.set_fault("none")
    assert (await get_state(session, sim, creds)).json(creds)["Status"] == 5
