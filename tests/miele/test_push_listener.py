"""The push listener over real sockets: probes answered like a module, pushes as doorbells."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

import aiohttp
import pytest

from mielelocal import crypto
from mielelocal.client import MieleClient
from mielelocal.credentials import GroupCredentials
from mielelocal.push_listener import MAX_BODY, Push, PushListener
from mielelocal.supervision import PushEvidence, callback_path, enrol
from simulator import SimulatedAppliance
from tests.simulator.rawclient import send

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Callable

pytestmark = pytest.mark.usefixtures("socket_enabled")

CREDS = GroupCredentials.generate()
OTHER = GroupCredentials.generate()
LISTENER = "000999000001"


@pytest.fixture
def pushes() -> list[Push]:
    return []


@pytest.fixture
async def listener(pushes: list[Push]) -> AsyncIterator[PushListener]:
    server = PushListener(
        LISTENER,
        lambda group: CREDS if group == CREDS.group_id else None,
        pushes.append,
        host="127.0.0.1",
    )
    await server.start()
    yield server
    await server.stop()
    await server.stop()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as http:
        yield http


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (
            "/Devices/",
            {
                LISTENER: {
                    "href": f"{LISTENER}/",
                    "Group": CREDS.group_id,
                    "Pairing": False,
                }
            },
        ),
        (f"/Devices/{LISTENER}/SuperVision/", {"Enabled": True, "ErrorOnly": False}),
        (
            f"/Devices/{LISTENER}/SuperVision/000177753917",
            {"Show": True, "Signal": True},
        ),
        (f"/Devices/{LISTENER}/State/", {"Status": 1}),
        (
            f"/Devices/{LISTENER}",
            {"Ident": {"href": "Ident/"}, "State": {"href": "State/"}},
        ),
    ],
)
async def test_probes_are_answered_signed(
    listener: PushListener, session: aiohttp.ClientSession, path: str, expected: object
) -> None:
    answer = await send(session, f"127.0.0.1:{listener.port}", CREDS, "GET", path)
    assert answer.status == 200
    assert answer.json(CREDS) == expected


async def test_a_client_reads_the_listener_like_an_appliance(
    listener: PushListener,
) -> None:
    """The project's own client verifies the listener's answers."""
    async with MieleClient(f"127.0.0.1:{listener.port}", CREDS) as client:
        ident = await client.get_ident(LISTENER)
        assert ident.fab_number == LISTENER
        assert list(await client.get_json("/Devices/")) == [LISTENER]  # type: ignore[call-overload]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", f"/Devices/{LISTENER}/Settings", 204),
        ("GET", "/Devices/000177753917/State", 204),
        ("PUT", f"/Devices/{LISTENER}/State", 204),
        ("POST", "/Subscriptions", 201),
    ],
)
async def test_anything_else_is_acknowledged(
    listener: PushListener,
    session: aiohttp.ClientSession,
    method: str,
    path: str,
    status: int,
) -> None:
    """Unexpected requests get 204 (so appliances do not retry); subscriptions 201."""
    payload = {"Resource": "/x"} if method != "GET" else None
    answer = await send(
        session, f"127.0.0.1:{listener.port}", CREDS, method, path, payload
    )
    assert answer.status == status


async def test_refusals(
    listener: PushListener, session: aiohttp.ClientSession, pushes: list[Push]
) -> None:
    """Unsigned 401, another household 403, a bad probe signature 403, a huge body 413."""
    host = f"127.0.0.1:{listener.port}"
    assert (await send(session, host, None, "GET", "/Devices/")).status == 401
    assert (await send(session, host, OTHER, "GET", "/Devices/")).status == 403
    tampered = await send(
        session, host, CREDS, "PUT", f"/Devices/{LISTENER}/State", {"A": 1}, tamper=True
    )
    assert tampered.status == 403
    huge = await send(
        session,
        host,
        CREDS,
        "POST",
        callback_path(LISTENER, "000177753917", "/State/"),
        raw=b" " * (MAX_BODY + 16),
    )
    assert huge.status == 413
    assert pushes == []


async def test_posts_ring_only_for_our_callback_paths(
    listener: PushListener, session: aiohttp.ClientSession, pushes: list[Push]
) -> None:
    """A post to another listener's path is acknowledged and ignored."""
    host = f"127.0.0.1:{listener.port}"
    other = callback_path("000999000002", "000177753917", "/State/")
    assert (await send(session, host, CREDS, "POST", other, {"A": 1})).status == 204
    assert pushes == []
    ours = callback_path(LISTENER, "000177753917", "/State/")
    assert (await send(session, host, CREDS, "POST", ours, {"A": 1})).status == 204
    assert pushes == [Push("000177753917", CREDS.group_id, pushes[0].evidence)]
    assert pushes[0].evidence.decrypted
    assert pushes[0].evidence.signature_verified


async def test_simulator_probes_then_pushes_every_change(
    listener: PushListener, pushes: list[Push]
) -> None:
    """A subscribed simulator probes once, then posts each State change, decryptable."""
    async with (
        SimulatedAppliance("washer", credentials=CREDS) as sim,
        MieleClient(sim.host, CREDS) as client,
    ):
        base = f"http://listener.local.:{listener.port}"
        assert await enrol(client, sim.device_id, LISTENER, base, [])
        sim.update_state(Status=6)
        await _until(lambda: len(pushes) == 1)
        sim.update_state(Status=5)
        await _until(lambda: len(pushes) == 2)
        # The listener rings before the simulator has read its answer and logged it.
        await _until(lambda: len(sim.supervision.deliveries) == 4)
        deliveries = list(sim.supervision.deliveries)
    assert [(d.method, d.status, d.verified) for d in deliveries] == [
        ("GET", 200, True),
        ("GET", 200, True),
        ("POST", 204, False),
        ("POST", 204, False),
    ]
    assert deliveries[2].url == base + callback_path(LISTENER, sim.device_id, "/State/")
    assert all(push.evidence.signature_verified for push in pushes)
    assert {push.appliance_fab for push in pushes} == {sim.device_id}


async def test_port_in_use() -> None:
    """Starting on a taken port raises OSError."""
    first = PushListener(LISTENER, lambda _: None, lambda _: None, host="127.0.0.1")
    await first.start()
    try:
        second = PushListener(
            LISTENER, lambda _: None, lambda _: None, host="127.0.0.1", port=first.port
        )
        with pytest.raises(OSError, match="in use"):
            await second.start()
    finally:
        await first.stop()


async def _until(check: Callable[[], bool], within: float = 10.0) -> None:
    start = time.monotonic()
    while not check():
        assert time.monotonic() - start < within
        await asyncio.sleep(0.01)


async def test_a_push_in_many_segments_is_read_whole(
    listener: PushListener, pushes: list[Push]
) -> None:
    """A large push (several TCP segments, sent slowly) still decrypts and verifies."""
    path = callback_path(LISTENER, "000177753917", "/State/")
    host = f"127.0.0.1:{listener.port}"
    date = "Thu, 01 Jan 1970 02:09:22 GMT"
    plain = b'{"Content":{"Filler":"' + b"x" * 6000 + b'"}}'
    signature, body = crypto.seal_request(
        CREDS.group_key,
        "POST",
        host,
        path,
        crypto.CONTENT_TYPE,
        crypto.ACCEPT,
        date,
        plain,
    )
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: {crypto.CONTENT_TYPE}\r\n"
        f"Accept: {crypto.ACCEPT}\r\nDate: {date}\r\nContent-Length: {len(body)}\r\n"
        f"Authorization: {crypto.format_authorization(CREDS.group_id, signature)}\r\n\r\n"
    ).encode()
    reader, writer = await asyncio.open_connection("127.0.0.1", listener.port)
    writer.write(head)
    for start in range(0, len(body), 1024):
        writer.write(body[start : start + 1024])
        await writer.drain()
        await asyncio.sleep(0.01)
    assert (await reader.readline()).startswith(b"HTTP/1.1 204")
    writer.close()
    await writer.wait_closed()
    assert pushes[0].evidence == PushEvidence(decrypted=True, signature_verified=True)
