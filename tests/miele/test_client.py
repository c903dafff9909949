"""
MieleClient over real sockets on 127.0.0.1.

``FakeAppliance`` is a small scripted appliance for the answers the simulator cannot give
(oversized, unsigned or tampered bodies, commissioning refusals, write errors). It verifies
every signed request with the device-side crypto, so signing bugs fail here too.
"""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email.utils import formatdate
import gzip
import json
import logging
import socket
import struct
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web
import pytest

from mielelocal import crypto
from mielelocal.client import MieleClient, NoContentCounts, SignedReply, _Reply
from mielelocal.credentials import GroupCredentials
from mielelocal.exceptions import (
    MieleAuthError,
    MieleCommissioningError,
    MieleConfigError,
    MieleConnectionError,
    MieleProtocolError,
    MieleResponseError,
    MieleSecurityError,
    MieleTimeoutError,
)
from mielelocal.models import DeviceType, Status

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable

    from simulator import SimulatedAppliance

pytestmark = pytest.mark.usefixtures("socket_enabled")

CREDS = GroupCredentials.from_hex("0123456789ABCDEF", "5A" * 32 + "C3" * 32)
OTHER = GroupCredentials.from_hex("FEDCBA9876543210", "77" * 64)
DEVICE = "000177753917"
IDENT = {
    "DeviceType": 1,
    "DeviceName": "",
    "ProtocolVersion": 4,
    "DeviceIdentLabel": {"FabNumber": DEVICE, "TechType": "WCI870", "SWIDs": []},
    "XKMIdentLabel": {"TechType": "EK057", "ReleaseVersion": "08.32"},
}
STATE = {"Status": 5, "RemainingTime": [0, 55], "RemoteEnable": [15, 0, 0]}


@dataclass
class Reply:
    """A scripted answer: ``sign`` is valid, none, tampered, wrong_key or malformed."""

    status: int = 200
    body: bytes = b""
    sign: str = "valid"
    delay: float = 0.0
    chunked: bool = False


@dataclass
class Seen:
    """A request as the appliance saw it (``plaintext`` is the verified, decrypted body)."""

    method: str
    path: str
    headers: dict[str, str]
    signed_ok: bool
    plaintext: bytes
    limiter_held: bool


@dataclass
class FakeAppliance:
    """A scripted appliance: answers from ``routes``, 404 for anything else."""

    credentials: GroupCredentials = CREDS
    routes: dict[tuple[str, str], Reply] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    limiter_depth: int = 0
    host: str = ""
    raw_handler: Callable[[web.BaseRequest], Awaitable[web.StreamResponse]] | None = (
        None
    )

    def json(self, method: str, path: str, data: object, **kwargs: Any) -> None:
        self.routes[method, path] = Reply(body=json.dumps(data).encode(), **kwargs)

    async def handle(self, request: web.BaseRequest) -> web.StreamResponse:
        if self.raw_handler is not None:
            return await self.raw_handler(request)
        raw = await request.read()
        signed_ok, plaintext = self._verify(request, raw)
        self.seen.append(
            Seen(
                request.method,
                request.path_qs,
                dict(request.headers),
                signed_ok,
                plaintext,
                self.limiter_depth > 0,
            )
        )
        auth = request.headers.get("Authorization", "")
        if auth.startswith(crypto.AUTH_SCHEME) and not signed_ok:
            return web.Response(status=403)
        reply = self.routes.get((request.method, request.path_qs), Reply(status=404))
        await asyncio.sleep(reply.delay)
        return await self._answer(request, reply)

    def _verify(self, request: web.BaseRequest, raw: bytes) -> tuple[bool, bytes]:
        try:
            _, signature = crypto.parse_authorization(
                request.headers.get("Authorization")
            )
            return True, crypto.open_request(
                self.credentials.group_key,
                request.method,
                request.headers["Host"],
                request.path_qs,
                request.headers.get("Content-Type", ""),
                request.headers.get("Accept", ""),
                request.headers.get("Date", ""),
                signature,
                raw,
            )
        except Exception:  # noqa: BLE001 - any failure means "not validly signed"
            return False, raw

    async def _answer(
        self, request: web.BaseRequest, reply: Reply
    ) -> web.StreamResponse:
        content_type = crypto.CONTENT_TYPE if reply.body else ""
        date = formatdate(usegmt=True)
        headers = {"Date": date}
        if content_type:
            headers["Content-Type"] = content_type
        body = reply.body
        if reply.sign != "none":
            key = OTHER.group_key if reply.sign == "wrong_key" else CREDS.group_key
            signature, body = crypto.seal_response(
                key, reply.status, content_type, date, reply.body
            )
            if reply.sign == "tampered" and body:
                body = body[:-1] + bytes([body[-1] ^ 1])
            elif reply.sign == "tampered":
                signature = bytes([signature[0] ^ 1]) + signature[1:]
            headers["X-Signature"] = (
                "MieleH256 garbage"
                if reply.sign == "malformed"
                else crypto.format_authorization(CREDS.group_id, signature)
            )
        if not reply.chunked:
            return web.Response(status=reply.status, body=body or None, headers=headers)
        response = web.StreamResponse(status=reply.status, headers=headers)
        response.enable_chunked_encoding()
        await response.prepare(request)
        for start in range(0, len(body), 4096):
            await response.write(body[start : start + 4096])
        await response.write_eof()
        return response


@asynccontextmanager
async def serving(fake: FakeAppliance) -> AsyncIterator[FakeAppliance]:
    """Serve ``fake`` on 127.0.0.1 (random port) while the context lasts."""
    server = web.Server(fake.handle)
    runner = web.ServerRunner(server)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    fake.host = f"127.0.0.1:{port}"
    try:
        yield fake
    finally:
        await runner.cleanup()


@pytest.fixture
async def appliance() -> AsyncIterator[FakeAppliance]:
    """A FakeAppliance listening on 127.0.0.1 (random port)."""
    async with serving(FakeAppliance()) as fake:
        yield fake


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as http:
        yield http


@pytest.fixture
def client(appliance: FakeAppliance, session: aiohttp.ClientSession) -> MieleClient:
    return MieleClient(appliance.host, CREDS, session=session, timeout=2.0)


def free_port() -> int:
    """A port on 127.0.0.1 with nothing listening (connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# Reads


async def test_get_state_signs_and_verifies(
    appliance: FakeAppliance, client: MieleClient
) -> None:
    appliance.json("GET", f"/Devices/{DEVICE}/State", STATE)
    state = await client.get_state(DEVICE)
    assert state.status is Status.RUNNING
    assert state.remote_control_enabled
    [seen] = appliance.seen
    assert seen.signed_ok
    assert seen.headers["Host"] == appliance.host
    assert seen.headers["Accept"] == crypto.ACCEPT
    assert "Content-Type" not in seen.headers
    assert seen.headers["Date"].endswith(" GMT")
    assert seen.headers["Authorization"].startswith("MieleH256 0123456789ABCDEF:")


async def test_get_ident_and_devices(
    appliance: FakeAppliance, client: MieleClient
) -> None:
    appliance.json("GET", f"/Devices/{DEVICE}/Ident", IDENT)
    appliance.json("GET", "/Devices/", {DEVICE: IDENT})
    ident = await client.get_ident(DEVICE)
    assert ident.device_type is DeviceType.WASHING_MACHINE
    assert ident.fab_number == DEVICE
    devices = await client.get_devices()
    assert list(devices) == [DEVICE]
    assert devices[DEVICE] == ident
    summary = {"href": f"{DEVICE}/", "Group": CREDS.group_id, "Ident": IDENT}
    appliance.json("GET", "/Devices/", {DEVICE: summary})
    assert await client.get_devices() == {DEVICE: ident}
    assert all(seen.signed_ok for seen in appliance.seen)


async def test_get_json_keeps_the_query_exactly(
    appliance: FakeAppliance, client: MieleClient
) -> None:
    path = f"/Devices/{DEVICE}/DOP2/2/1585?idx1=0&idx2=1"
    appliance.json("GET", path, {"ok": [1, 2]})
    assert await client.get_json(path) == {"ok": [1, 2]}
    assert appliance.seen[0].path == path
    assert appliance.seen[0].signed_ok


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "not a JSON object"),
        ({"../x": IDENT}, "device_id"),
        ({DEVICE: {"DeviceType": 1}}, "no DeviceIdentLabel"),
    ],
)
async def test_get_devices_wrong_shape(
    appliance: FakeAppliance, client: MieleClient, data: object, message: str
) -> None:
    appliance.json("GET", "/Devices/", data)
    with pytest.raises(MieleProtocolError, match=message) as err:
        await client.get_devices()
    assert appliance.host in str(err.value)


async def test_get_state_wrong_shape_names_host_and_path(
    appliance: FakeAppliance, client: MieleClient
) -> None:
    appliance.json("GET", f"/Devices/{DEVICE}/State", [1, 2])
    with pytest.raises(MieleProtocolError) as err:
        await client.get_state(DEVICE)
    assert f"{appliance.host}/Devices/{DEVICE}/State" in str(err.value)


@pytest.mark.parametrize("path", ["Devices/", "//evil/x", "/a b", "/x#y", "/ü", 5])
async def test_get_json_refuses_bad_paths(client: MieleClient, path: Any) -> None:
    with pytest.raises(MieleConfigError, match="path"):
        await client.get_json(path)


async def test_bad_device_id_is_refused_before_sending(
    appliance: FakeAppliance, client: MieleClient
) -> None:
    with pytest.raises(MieleConfigError, match="device_id"):
        await client.get_state("../Security")
    with pytest.raises(MieleConfigError, match="device_id"):
        await client.start("1/2")
    assert appliance.seen == []


# Response verification and error mapping


@pytest.mark.parametrize(
    ("sign", "message"),
    [
        ("none", "not signed"),
        ("tampered", "does not match"),
        ("wrong_key", "does not match"),
        ("malformed", "malformed"),
    ],
)
async def test_unverifiable_responses_are_security_errors(
    appliance: FakeAppliance, client: MieleClient, sign: str, message: str
) -> None:
    appliance.json("GET", f"/Devices/{DEVICE}/State", STATE, sign=sign)
    with pytest.raises(MieleSecurityError, match=message) as err:
        await client.get_state(DEVICE)
    assert f"{appliance.host}/Devices/{DEVICE}/State" in str(err.value)


async def test_unsigned_empty_200_is_a_security_error(
    appliance: FakeAppliance, client: MieleClient
) -> None:
    appliance.routes["GET", "/Devices/"] = Reply(sign="none")
    with pytest.raises(MieleSecurityError):
        await client.get_devices()


async def test_signed_garbage_is_a_protocol_error(
    appliance: FakeAppliance, client: MieleClient
) -> None:
    appliance.routes["GET", "/Devices/"] = Reply(body=b"\xff{not json")
    with pytest.raises(MieleProtocolError, match="not valid JSON"):
        await client.get_devices()


async def test_body_not_in_whole_blocks_is_a_security_error(
    appliance: FakeAppliance, client: MieleClient
) -> None:
    """A forged 2xx whose body cannot even be decrypted has no valid signature."""
    signature = crypto.format_authorization(CREDS.group_id, b"\x01" * 32)

    async def odd(request: web.BaseRequest) -> web.Response:
        return web.Response(body=b"abc", headers={"X-Signature": signature})

    appliance.raw_handler = odd
    with pytest.raises(MieleSecurityError, match="whole number of AES blocks"):
        await client.get_devices()


async def test_response_signed_for_another_group_is_a_security_error(
    appliance: FakeAppliance, client: MieleClient
) -> None:
    """A valid HMAC under our key is still refused when the header names another group."""
    date = formatdate(usegmt=True)
    body = json.dumps({DEVICE: IDENT}).encode()
    signature, ciphertext = crypto.seal_response(
        CREDS.group_key, 200, crypto.CONTENT_TYPE, date, body
    )

    async def other_group(request: web.BaseRequest) -> web.Response:
        headers = {
            "Date": date,
            "Content-Type": crypto.CONTENT_TYPE,
            "X-Signature": crypto.format_authorization(OTHER.group_id, signature),
        }
        return web.Response(body=ciphertext, headers=headers)

    appliance.raw_handler = other_group
    with pytest.raises(MieleSecurityError, match="another household") as err:
        await client.get_devices()
    assert f"{appliance.host}/Devices/" in str(err.value)
    assert OTHER.group_id not in str(err.value)


@pytest.mark.parametrize("status", [401, 403])
async def test_auth_errors(
    appliance: FakeAppliance, client: MieleClient, status: int
) -> None:
    appliance.routes["GET", "/Devices/"] = Reply(status=status, sign="none")
    with pytest.raises(MieleAuthError) as err:
        await client.get_devices()
    assert err.value.status == status
    assert f"{appliance.host}/Devices/" in str(err.value)
    assert f"HTTP {status}" in str(err.value)


async def test_wrong_key_gets_403(
    appliance: FakeAppliance, session: aiohttp.ClientSession
) -> None:
    appliance.json("GET", "/Devices/", {DEVICE: IDENT})
    client = MieleClient(appliance.host, OTHER, session=session)
    with pytest.raises(MieleAuthError) as err:
        await client.get_devices()
    assert err.value.status == 403
    assert not appliance.seen[0].signed_ok


@pytest.mark.parametrize("status", [400, 404, 405, 500, 302])
async def test_other_statuses_are_response_errors(
    appliance: FakeAppliance, client: MieleClient, status: int
) -> None:
    """A 404 to a generic signed GET stays a response error (unsupported path)."""
    appliance.routes["GET", "/Devices/"] = Reply(status=status, sign="none")
    with pytest.raises(MieleResponseError) as err:
        await client.get_json("/Devices/")
    assert type(err.value) is MieleResponseError
    assert err.value.status == status
    assert f"{appliance.host}/Devices/" in str(err.value)


@pytest.mark.parametrize("chunked", [False, True])
async def test_oversized_body_is_refused(
    appliance: FakeAppliance, session: aiohttp.ClientSession, chunked: bool
) -> None:
    body = json.dumps({"pad": "x" * 5000}).encode()
    appliance.routes["GET", "/Devices/"] = Reply(body=body, chunked=chunked)
    client = MieleClient(
        appliance.host, CREDS, session=session, max_response_bytes=1024
    )
    with pytest.raises(MieleProtocolError, match="larger than 1024 bytes"):
        await client.get_devices()


async def test_compressed_body_is_refused_before_it_is_expanded(
    appliance: FakeAppliance, session: aiohttp.ClientSession
) -> None:
    """Content-Length bounds the compressed size only: a compressed answer is refused."""
    compressed = gzip.compress(bytes(100_000))  # about 100 bytes on the wire
    signature = crypto.format_authorization(CREDS.group_id, b"\x01" * 32)

    async def gzipped(request: web.BaseRequest) -> web.Response:
        headers = {"Content-Encoding": "gzip", "X-Signature": signature}
        return web.Response(body=compressed, headers=headers)

    appliance.raw_handler = gzipped
    client = MieleClient(
        appliance.host, CREDS, session=session, max_response_bytes=1024
    )
    with pytest.raises(MieleProtocolError, match="compressed"):
        await client.get_json("/x")


async def test_requests_ask_for_an_uncompressed_answer(
    appliance: FakeAppliance, client: MieleClient
) -> None:
    appliance.json("GET", "/Devices/", {DEVICE: IDENT})
    await client.get_devices()
    assert appliance.seen[0].headers["Accept-Encoding"] == "identity"


async def test_body_at_the_bound_is_accepted(
    appliance: FakeAppliance, session: aiohttp.ClientSession
) -> None:
    appliance.routes["GET", "/x"] = Reply(body=b'"' + b"y" * 1006 + b'"', chunked=True)
    client = MieleClient(
        appliance.host, CREDS, session=session, max_response_bytes=1024
    )
    assert await client.get_json("/x") == "y" * 1006


async def test_timeout(
    appliance: FakeAppliance, session: aiohttp.ClientSession
) -> None:
    appliance.json("GET", "/Devices/", {}, delay=0.3)
    client = MieleClient(appliance.host, CREDS, session=session, timeout=0.05)
    with pytest.raises(MieleTimeoutError, match="no answer in time") as err:
        await client.get_devices()
    assert f"{appliance.host}/Devices/" in str(err.value)


async def test_connection_refused(session: aiohttp.ClientSession) -> None:
    host = f"127.0.0.1:{free_port()}"
    client = MieleClient(host, CREDS, session=session)
    with pytest.raises(MieleConnectionError, match="cannot connect") as err:
        await client.get_state(DEVICE)
    assert not isinstance(err.value, MieleTimeoutError)
    assert f"{host}/Devices/{DEVICE}/State" in str(err.value)
    with pytest.raises(MieleConnectionError):
        await client.probe()
    with pytest.raises(MieleConnectionError, match="cannot connect"):
        await client.start(DEVICE)  # refused before sending: the outcome is known


async def test_connection_dropped_mid_answer(
    appliance: FakeAppliance, client: MieleClient
) -> None:
    async def drop(request: web.BaseRequest) -> web.Response:
        assert request.transport is not None
        request.transport.close()
        return web.Response()

    appliance.raw_handler = drop
    with pytest.raises(MieleConnectionError):
        await client.get_devices()


@asynccontextmanager
async def silent_peer(*, reset: bool) -> AsyncIterator[tuple[str, list[bytes]]]:
    """
    A TCP peer on 127.0.0.1 that reads each request whole and hangs up without answering.

    It closes cleanly (``reset=False``) or with a TCP reset; yields its host and the
    request heads it read, one per request that arrived.
    """
    heads: list[bytes] = []

    async def hang_up(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except asyncio.IncompleteReadError:
            writer.close()
            return
        length = 0
        for line in head.split(b"\r\n"):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        await reader.readexactly(length)
        heads.append(head)
        if reset:
            writer.get_extra_info("socket").setsockopt(
                socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
            )
        writer.close()

    server = await asyncio.start_server(hang_up, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"127.0.0.1:{port}", heads
    finally:
        server.close()
        await server.wait_closed()


@pytest.mark.parametrize("reset", [False, True], ids=["closed", "reset"])
@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.start(DEVICE),
        lambda c: c.set_light(DEVICE, True),
        lambda c: c.commission(OTHER),
        lambda c: c.confirm_commissioning(),
    ],
    ids=["start", "light", "commission", "confirm"],
)
async def test_put_whose_answer_is_lost_is_sent_once(
    session: aiohttp.ClientSession, call: Any, reset: bool
) -> None:
    """aiohttp re-sends a failed PUT by default; an action the module ran must not repeat."""
    async with silent_peer(reset=reset) as (host, heads):
        client = MieleClient(host, CREDS, session=session, timeout=2.0)
        with pytest.raises(MieleConnectionError, match="outcome unknown, not resent"):
            await call(client)
        for _ in range(5):
            await asyncio.sleep(0.01)
    assert len(heads) == 1
    assert heads[0].startswith(b"PUT ")


async def test_get_whose_answer_is_lost_is_a_connection_error(
    session: aiohttp.ClientSession,
) -> None:
    """Reads are idempotent: aiohttp may re-send them, the error stays "cannot connect"."""
    async with silent_peer(reset=False) as (host, heads):
        client = MieleClient(host, CREDS, session=session, timeout=2.0)
        with pytest.raises(MieleConnectionError, match="cannot connect"):
            await client.get_state(DEVICE)
    assert heads
    assert all(head.startswith(b"GET ") for head in heads)


async def test_errors_never_contain_the_key(
    appliance: FakeAppliance, client: MieleClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    appliance.routes["GET", "/Devices/"] = Reply(status=403, sign="none")
    appliance.routes["PUT", f"/Devices/{DEVICE}/State"] = Reply(body=b"nope")
    messages = []
    for call in (client.get_devices(), client.start(DEVICE), client.commission(CREDS)):
        with pytest.raises(Exception) as err:  # noqa: PT011 - any error, key-free
            await call
        messages.append(f"{err.value!s} {err.value!r}")
    messages.extend([repr(client), caplog.text])
    for text in messages:
        assert CREDS.group_key_hex not in text
        assert CREDS.group_key_hex.lower() not in text
    assert (
        repr(client)
        == f"MieleClient(host='{appliance.host}', group_id='0123456789ABCDEF')"
    )


# Actions


@pytest.mark.parametrize(
    ("call", "payload"),
    [
        (lambda c: c.start(DEVICE), {"ProcessAction": 1}),
        (lambda c: c.stop(DEVICE), {"ProcessAction": 2}),
        (lambda c: c.pause(DEVICE), {"ProcessAction": 3}),
        (lambda c: c.set_superfreeze(DEVICE, True), {"ProcessAction": 4}),
        (lambda c: c.set_superfreeze(DEVICE, False), {"ProcessAction": 5}),
        (lambda c: c.set_supercool(DEVICE, True), {"ProcessAction": 6}),
        (lambda c: c.set_supercool(DEVICE, False), {"ProcessAction": 7}),
        (lambda c: c.set_light(DEVICE, True), {"Light": 1}),
        (lambda c: c.set_light(DEVICE, False), {"Light": 2}),
        (lambda c: c.wake(DEVICE), {"DeviceAction": 2}),
    ],
)
async def test_actions_are_signed_encrypted_puts(
    appliance: FakeAppliance, client: MieleClient, call: Any, payload: dict[str, int]
) -> None:
    appliance.routes["PUT", f"/Devices/{DEVICE}/State"] = Reply(status=204)
    await call(client)
    [seen] = appliance.seen
    assert seen.method == "PUT"
    assert seen.signed_ok
    assert seen.headers["Content-Type"] == crypto.CONTENT_TYPE
    assert json.loads(seen.plaintext) == payload


async def test_action_success_list(
    appliance: FakeAppliance, client: MieleClient
) -> None:
    appliance.json(
        "PUT", f"/Devices/{DEVICE}/State", [{"Success": {"DeviceAction": 0}}]
    )
    await client.send_action(DEVICE, {"DeviceAction": 2})
    assert len(appliance.seen) == 1


@pytest.mark.parametrize(
    "answer", [[{"Error": {"ProcessAction": 1}}], {"Error": "Remote control off"}]
)
async def test_action_error_entry(
    appliance: FakeAppliance, client: MieleClient, answer: object
) -> None:
    appliance.json("PUT", f"/Devices/{DEVICE}/State", answer)
    with pytest.raises(MieleResponseError, match="refused the write") as err:
        await client.start(DEVICE)
    assert err.value.status == 200
    assert len(appliance.seen) == 1


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (Reply(status=403, sign="none"), MieleAuthError),
        (Reply(status=500, sign="none"), MieleResponseError),
        (Reply(status=200, body=b"[]", sign="none"), MieleSecurityError),
        (Reply(status=204, sign="tampered"), MieleSecurityError),
        (Reply(status=204, sign="malformed"), MieleSecurityError),
        (Reply(body=b"[{"), MieleProtocolError),
        (Reply(delay=0.4), MieleTimeoutError),
    ],
)
async def test_failed_actions_are_never_retried(
    appliance: FakeAppliance,
    session: aiohttp.ClientSession,
    reply: Reply,
    error: type[Exception],
) -> None:
    appliance.routes["PUT", f"/Devices/{DEVICE}/State"] = reply
    client = MieleClient(appliance.host, CREDS, session=session, timeout=0.1)
    with pytest.raises(error):
        await client.stop(DEVICE)
    await asyncio.sleep(0)
    assert len(appliance.seen) == 1
    assert client.no_content_answers == NoContentCounts(signed=0, unsigned=0)


async def test_empty_unsigned_204_to_a_write_is_accepted_and_counted(
    appliance: FakeAppliance, client: MieleClient
) -> None:
    """Modules may leave a 204 unsigned: a write takes it as accepted, unverified."""
    supervision = f"/Devices/{DEVICE}/SuperVision"
    appliance.routes["PUT", f"/Devices/{DEVICE}/State"] = Reply(204, sign="none")
    appliance.routes["PUT", supervision] = Reply(204, sign="none")
    await client.stop(DEVICE)
    assert await client.send_signed("PUT", supervision, {"a": 1}) == SignedReply(
        204, None, None
    )
    assert client.no_content_answers == NoContentCounts(signed=0, unsigned=2)
    appliance.routes["PUT", f"/Devices/{DEVICE}/State"] = Reply(204)
    await client.stop(DEVICE)
    assert client.no_content_answers == NoContentCounts(signed=1, unsigned=2)
    # A read still needs a signature, even for an empty 204.
    appliance.routes["GET", supervision] = Reply(204, sign="none")
    with pytest.raises(MieleSecurityError, match="not signed"):
        await client.get_json(supervision)
    assert client.no_content_answers == NoContentCounts(signed=1, unsigned=2)
    assert [seen.method for seen in appliance.seen] == ["PUT"] * 3 + ["GET"]


def test_unsigned_204_with_a_body_is_refused() -> None:
    """
    Only an empty unsigned 204 passes; one with a body is refused like any unsigned 2xx.

    HTTP clients drop the body of a 204 on the wire, so the answer is built here.
    """
    client = MieleClient("127.0.0.1", CREDS)
    reply = _Reply(204, crypto.CONTENT_TYPE, formatdate(usegmt=True), None, b"x" * 16)
    with pytest.raises(MieleSecurityError, match="not signed"):
        client._open_write(f"/Devices/{DEVICE}/State", reply, "refused the write")
    assert client.no_content_answers == NoContentCounts(signed=0, unsigned=0)


@pytest.mark.parametrize(
    "payload", [{}, {"ProcessAction": True}, {"ProcessAction": "1"}, {1: 1}]
)
async def test_send_action_refuses_bad_payloads(
    appliance: FakeAppliance, client: MieleClient, payload: Any
) -> None:
    with pytest.raises(MieleConfigError, match="payload"):
        await client.send_action(DEVICE, payload)
    assert appliance.seen == []


# Commissioning and probe


async def test_commission_is_unsigned_and_unencrypted(
    appliance: FakeAppliance, client: MieleClient
) -> None:
    appliance.routes["PUT", "/Security/Commissioning/"] = Reply(sign="none")
    new = GroupCredentials.generate()
    await client.commission(new)
    [seen] = appliance.seen
    assert seen.headers["Authorization"] == "MielePairing:Pairing"
    assert json.loads(seen.plaintext) == {
        "GroupID": new.group_id,
        "GroupKey": new.group_key_hex,
    }


@pytest.mark.parametrize(
    ("status", "error", "message"),
    [
        (403, MieleCommissioningError, "already paired"),
        (404, MieleCommissioningError, "not in setup mode"),
        (500, MieleResponseError, "HTTP 500"),
    ],
)
async def test_commission_refused(
    appliance: FakeAppliance,
    client: MieleClient,
    status: int,
    error: type[Exception],
    message: str,
) -> None:
    appliance.routes["PUT", "/Security/Commissioning/"] = Reply(status, sign="none")
    with pytest.raises(error, match=message) as err:
        await client.commission(CREDS)
    assert appliance.host in str(err.value)
    assert CREDS.group_key_hex not in str(err.value)


async def test_commission_refuses_unvalidated_credentials(
    appliance: FakeAppliance, client: MieleClient
) -> None:
    with pytest.raises(MieleConfigError, match="credentials"):
        await client.commission(("0123456789ABCDEF", "00"))  # type: ignore[arg-type]
    assert appliance.seen == []


async def test_confirm_commissioning_is_a_signed_put(
    appliance: FakeAppliance, client: MieleClient
) -> None:
    appliance.routes["PUT", "/Security/Commissioning/"] = Reply(status=204)
    await client.confirm_commissioning()
    [seen] = appliance.seen
    assert seen.signed_ok
    assert json.loads(seen.plaintext) == {
        "GroupID": CREDS.group_id,
        "GroupKey": CREDS.group_key_hex,
    }


@pytest.mark.parametrize("status", [200, 401, 404])
async def test_probe_returns_any_status(
    appliance: FakeAppliance, client: MieleClient, status: int
) -> None:
    appliance.routes["GET", "/"] = Reply(status=status, sign="none")
    assert await client.probe() == status
    assert "Authorization" not in appliance.seen[0].headers


# Session, limiter and construction


async def test_injected_session_stays_open(
    appliance: FakeAppliance, session: aiohttp.ClientSession
) -> None:
    appliance.routes["GET", "/"] = Reply(sign="none")
    async with MieleClient(appliance.host, CREDS, session=session) as client:
        await client.probe()
    await client.close()
    assert not session.closed


async def test_own_session_is_created_and_closed(appliance: FakeAppliance) -> None:
    appliance.routes["GET", "/"] = Reply(sign="none")
    async with MieleClient(appliance.host, CREDS) as client:
        assert await client.probe() == 200
        own = client._session
        assert own is not None
        was_open = not own.closed
    assert was_open
    assert own.closed
    await client.close()


async def test_limiter_is_entered_for_every_exchange(
    appliance: FakeAppliance, session: aiohttp.ClientSession
) -> None:
    entered = 0

    @asynccontextmanager
    async def limiter() -> AsyncIterator[None]:
        nonlocal entered
        entered += 1
        appliance.limiter_depth += 1
        try:
            yield
        finally:
            appliance.limiter_depth -= 1

    appliance.json("GET", "/Devices/", {DEVICE: IDENT})
    appliance.routes["PUT", f"/Devices/{DEVICE}/State"] = Reply(status=204)
    appliance.routes["PUT", "/Security/Commissioning/"] = Reply(sign="none")
    appliance.routes["GET", "/"] = Reply(sign="none")
    client = MieleClient(appliance.host, CREDS, session=session, limiter=limiter)
    await client.get_devices()
    await client.wake(DEVICE)
    await client.commission(CREDS)
    await client.probe()
    assert entered == 4
    assert [seen.limiter_held for seen in appliance.seen] == [True] * 4
    assert appliance.limiter_depth == 0


async def test_limiter_is_released_on_errors(session: aiohttp.ClientSession) -> None:
    depth = 0

    @asynccontextmanager
    async def limiter() -> AsyncIterator[None]:
        nonlocal depth
        depth += 1
        try:
            yield
        finally:
            depth -= 1

    client = MieleClient(
        f"127.0.0.1:{free_port()}", CREDS, session=session, limiter=limiter
    )
    with pytest.raises(MieleConnectionError):
        await client.probe()
    assert depth == 0


@pytest.mark.parametrize(
    ("kwargs", "field_name"),
    [
        ({"host": "http://x"}, "host"),
        ({"host": "a/b"}, "host"),
        ({"credentials": "0123456789ABCDEF"}, "credentials"),
        ({"timeout": 0}, "timeout"),
        ({"max_response_bytes": 0}, "max_response_bytes"),
    ],
)
def test_constructor_validates(kwargs: dict[str, Any], field_name: str) -> None:
    arguments: dict[str, Any] = {"host": "192.168.1.5", "credentials": CREDS}
    arguments.update(kwargs)
    host = arguments.pop("host")
    credentials = arguments.pop("credentials")
    with pytest.raises(MieleConfigError) as err:
        MieleClient(host, credentials, **arguments)
    assert err.value.field == field_name


def test_host_is_normalised() -> None:
    client = MieleClient("[FE80::1]:80", CREDS)
    assert client.host == "[fe80::1]:80"
    assert client.group_id == "0123456789ABCDEF"


# Against the device simulator (conftest fixtures `simulator` and `simulator_factory`)


async def test_simulator_reads(
    simulator: SimulatedAppliance,
    credentials: GroupCredentials,
    session: aiohttp.ClientSession,
) -> None:
    client = MieleClient(simulator.host, credentials, session=session)
    devices = await client.get_devices()
    assert list(devices) == [simulator.device_id]
    ident = await client.get_ident(simulator.device_id)
    assert ident == devices[simulator.device_id]
    assert ident.device_type is DeviceType.WASHING_MACHINE
    simulator.update_state(Status=4, RemoteEnable=[15, 0, 0])
    state = await client.get_state(simulator.device_id)
    assert state.status is Status.WAITING_TO_START
    assert state.can_start
    settings = await client.get_json(f"/Devices/{simulator.device_id}/Settings")
    assert isinstance(settings, dict)
    assert {record.status for record in simulator.requests} == {200}
    base = f"/Devices/{simulator.device_id}/"
    paths = [record.path for record in simulator.requests]
    assert paths[0] == "/Devices/"
    assert paths[-3:] == [f"{base}Ident", f"{base}State", f"{base}Settings"]
    # A listing of links costs one Ident read per appliance; an embedded Ident none.
    assert paths[1:-3] in ([], [f"{base}Ident"])


async def test_simulator_start_is_sent_once(
    simulator: SimulatedAppliance,
    credentials: GroupCredentials,
    session: aiohttp.ClientSession,
) -> None:
    simulator.update_state(Status=4, RemoteEnable=[15, 0, 0])
    client = MieleClient(simulator.host, credentials, session=session)
    await client.start(simulator.device_id)
    assert simulator.actions == [{"ProcessAction": 1}]
    assert (await client.get_state(simulator.device_id)).is_running


async def test_simulator_refused_write_is_not_retried(
    simulator: SimulatedAppliance,
    credentials: GroupCredentials,
    session: aiohttp.ClientSession,
) -> None:
    simulator.update_state(Status=4, RemoteEnable=[0, 0, 0])
    client = MieleClient(simulator.host, credentials, session=session)
    with pytest.raises(MieleAuthError) as err:
        await client.start(simulator.device_id)
    assert err.value.status == 403
    assert len(simulator.requests) == 1
    assert simulator.actions == []


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ("bad_signature", MieleSecurityError),
        ("garbage", MieleProtocolError),
        ("error500", MieleResponseError),
        ("timeout", MieleTimeoutError),
        ("offline", MieleConnectionError),
        ("reset", MieleAuthError),
        ("sleep", MieleResponseError),
    ],
)
async def test_simulator_faults(
    simulator: SimulatedAppliance,
    credentials: GroupCredentials,
    session: aiohttp.ClientSession,
    fault: str,
    error: type[Exception],
) -> None:
    simulator.set_fault(fault)
    client = MieleClient(simulator.host, credentials, session=session, timeout=0.3)
    with pytest.raises(error) as err:
        await client.get_state(simulator.device_id)
    assert type(err.value) is error
    assert simulator.host in str(err.value)


async def test_simulator_wrong_key_gets_403(
    simulator: SimulatedAppliance, session: aiohttp.ClientSession
) -> None:
    client = MieleClient(simulator.host, OTHER, session=session)
    with pytest.raises(MieleAuthError) as err:
        await client.get_devices()
    assert err.value.status == 403


async def test_simulator_commissioning(
    simulator_factory: Any, session: aiohttp.ClientSession
) -> None:
    simulator = await simulator_factory("dishwasher", paired=False)
    new = GroupCredentials.generate()
    client = MieleClient(simulator.host, new, session=session)
    assert await client.probe() in (401, 404)
    await client.commission(new)
    assert simulator.credentials == new
    assert list(await client.get_devices()) == [simulator.device_id]
    with pytest.raises(MieleCommissioningError, match="already paired"):
        await client.commission(GroupCredentials.generate())
    assert simulator.credentials == new


async def test_simulator_limiter_serialises_requests(
    simulator: SimulatedAppliance,
    credentials: GroupCredentials,
    session: aiohttp.ClientSession,
) -> None:
    lock = asyncio.Lock()
    client = MieleClient(
        simulator.host, credentials, session=session, limiter=lambda: lock
    )
    states = await asyncio.gather(
        *(client.get_state(simulator.device_id) for _ in range(5))
    )
    assert len(states) == 5
    assert simulator.max_concurrent == 1
