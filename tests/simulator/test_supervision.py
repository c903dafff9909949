"""The simulator's SuperVision: peers, subscription slots (never reused), the 404 switch, pushes."""

from __future__ import annotations

import asyncio
import json
import time
from typing import TYPE_CHECKING

from aiohttp import web
import pytest

from mielelocal import crypto
from simulator import SimulatedAppliance
from simulator.supervision import Delivery
from tests.simulator.rawclient import send

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

    import aiohttp

    from mielelocal.credentials import GroupCredentials

LISTENER = "000999000001"


@pytest.fixture
async def washer(creds: GroupCredentials) -> AsyncIterator[SimulatedAppliance]:
    async with SimulatedAppliance("washer", credentials=creds) as sim:
        yield sim


def subscription(
    sim: SimulatedAppliance, callback: str, resource: str = "/State/"
) -> dict[str, str]:
    return {"Resource": f"/Devices/{sim.device_id}{resource}", "Callback": callback}


async def subscribe(
    session: aiohttp.ClientSession,
    creds: GroupCredentials,
    sim: SimulatedAppliance,
    callback: str,
    resource: str = "/State/",
) -> None:
    """Subscribe ``callback`` to one resource of ``sim``."""
    answer = await send(
        session,
        sim.host,
        creds,
        "POST",
        "/Subscriptions",
        subscription(sim, callback, resource),
    )
    assert answer.status == 201


async def test_slots_listed_created_deleted_never_reused(
    session: aiohttp.ClientSession, creds: GroupCredentials, washer: SimulatedAppliance
) -> None:
    host = washer.host
    listing = await send(session, host, creds, "GET", "/Subscriptions/")
    assert listing.json(creds) == [{"href": "1/"}]
    assert (await send(session, host, creds, "GET", "/Subscriptions/1/")).json(
        creds
    ) == {
        "Resource": "/Devices/",
        "Callback": "Cloud",
    }
    created = await send(
        session,
        host,
        creds,
        "POST",
        "/Subscriptions",
        subscription(washer, "http://a.local.:1/x"),
    )
    assert created.status == 201
    assert created.headers["Location"] == f"http://{host}/Subscriptions/2/"
    assert (
        await send(session, host, creds, "DELETE", "/Subscriptions/2/")
    ).status == 204
    assert (await send(session, host, creds, "GET", "/Subscriptions/2/")).status == 404
    assert (
        await send(session, host, creds, "DELETE", "/Subscriptions/2/")
    ).status == 404
    # A body padded with spaces after its closing brace is accepted too.
    body = json.dumps(subscription(washer, "http://a.local.:1/y")).encode()
    raw = body + b" " * (-len(body) % 16 + (16 if len(body) < 64 else 0))
    again = await send(session, host, creds, "POST", "/Subscriptions", raw=raw)
    assert again.headers["Location"].endswith("/Subscriptions/3/")
    assert sorted(washer.supervision.subscriptions) == [1, 3]
    assert (
        await send(session, host, creds, "PUT", "/Subscriptions/3/", {"A": 1})
    ).status == 405
    assert (await send(session, host, creds, "GET", "/Subscriptions/x/")).status == 404
    bad = await send(session, host, creds, "POST", "/Subscriptions", {"Resource": 1})
    assert bad.status == 400


async def test_peer_entries(
    session: aiohttp.ClientSession, creds: GroupCredentials, washer: SimulatedAppliance
) -> None:
    base = f"/Devices/{washer.device_id}/SuperVision"
    host = washer.host
    assert (await send(session, host, creds, "GET", f"{base}/")).json(creds) == {
        "Enabled": True,
        "ErrorOnly": False,
    }
    assert (await send(session, host, creds, "GET", f"{base}/{LISTENER}")).status == 404
    flags = {"Show": True, "Signal": True}
    assert (
        await send(session, host, creds, "PUT", f"{base}/{LISTENER}", flags)
    ).status == 204
    assert (await send(session, host, creds, "GET", f"{base}/{LISTENER}")).json(
        creds
    ) == flags
    assert (
        await send(session, host, creds, "PUT", f"{base}/{LISTENER}", {"Show": 1})
    ).status == 400
    assert (
        await send(session, host, creds, "GET", f"{base}/{LISTENER}/x")
    ).status == 404


async def test_without_supervision_everything_is_404(
    session: aiohttp.ClientSession, creds: GroupCredentials
) -> None:
    async with SimulatedAppliance(
        "washer", credentials=creds, supervision=False
    ) as sim:
        for method, path in (
            ("PUT", f"/Devices/{sim.device_id}/SuperVision/{LISTENER}"),
            ("POST", "/Subscriptions"),
            ("GET", "/Subscriptions/1/"),
        ):
            answer = await send(session, sim.host, creds, method, path, {"Show": True})
            assert answer.status == 404
        assert (await send(session, sim.host, creds, "GET", "/Devices/")).status == 200


async def test_pushes_every_state_change_to_state_subscribers(
    session: aiohttp.ClientSession, creds: GroupCredentials, washer: SimulatedAppliance
) -> None:
    """Probes first, then one signed, encrypted post per change; other resources get none."""
    received: list[tuple[str, str, dict[str, object]]] = []
    bodies: list[bytes] = []

    async def handle(request: web.BaseRequest) -> web.Response:
        _, signature = crypto.parse_authorization(request.headers.get("Authorization"))
        body = crypto.open_request(
            creds.group_key,
            request.method,
            request.headers["Host"],
            request.raw_path,
            request.headers.get("Content-Type", ""),
            request.headers["Accept"],
            request.headers["Date"],
            signature,
            await request.read(),
        )
        bodies.append(body)
        received.append(
            (request.method, request.headers["Host"], json.loads(body or b"{}"))
        )
        return web.Response(status=204)

    runner = web.ServerRunner(web.Server(handle))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        callback = f"http://Miele-001D63FFFEE69EC1.local.:{port}/Devices/{LISTENER}/SuperVision/{washer.device_id}/State/"
        washer.supervision.hosts["Miele-001D63FFFEE69EC1.local."] = "127.0.0.1"
        for resource, target in (("/State/", callback), ("/Ident/", callback + "x")):
            await subscribe(session, creds, washer, target, resource)
        washer.update_state(Status=6)
        await _until(lambda: len(received) == 3)
        washer.update_state(Status=5)
        await _until(lambda: len(received) == 4)
        # The listener has answered; the module logs the delivery once it read the answer.
        await _until(lambda: len(washer.supervision.deliveries) == 4)
    finally:
        await runner.cleanup()
    assert [method for method, _, _ in received] == ["GET", "GET", "POST", "POST"]
    assert {host for _, host, _ in received} == {
        f"Miele-001D63FFFEE69EC1.local.:{port}"
    }
    push = received[2][2]
    assert push["Resource"] == f"/Devices/{washer.device_id}/State/"
    assert isinstance(push["Content"], dict)
    assert push["Content"]["Status"] == 6
    assert bodies[2].startswith(b'{\n\t"Host":"Miele-')  # the modules' layout
    assert b'\n\t"Content":{\n\t\t"Status":6,' in bodies[2]
    assert [d.status for d in washer.supervision.deliveries] == [204] * 4


async def test_unreachable_listener_and_lost_pairing(
    session: aiohttp.ClientSession, creds: GroupCredentials, washer: SimulatedAppliance
) -> None:
    """A push nobody answers is recorded without a status; without a pairing nothing is sent."""
    await subscribe(
        session,
        creds,
        washer,
        f"http://127.0.0.1:1/Devices/{LISTENER}/SuperVision/x/State/",
    )
    washer.update_state(Status=6)
    await _until(lambda: len(washer.supervision.deliveries) == 3)
    assert [d.status for d in washer.supervision.deliveries] == [None, None, None]
    washer.supervision.subscriptions[9] = subscription(washer, "http://[bad/State/")
    await washer.supervision.push(washer.state)
    assert washer.supervision.deliveries[-1] == Delivery(
        "POST", "http://[bad/State/", None
    )
    sent = washer.supervision.deliveries.total
    washer.set_fault("reset")
    await washer.supervision.push(washer.state)
    assert washer.supervision.deliveries.total == sent


async def _until(check: Callable[[], bool], within: float = 3.0) -> None:
    start = time.monotonic()
    while not check():
        assert time.monotonic() - start < within
        await asyncio.sleep(0.01)
