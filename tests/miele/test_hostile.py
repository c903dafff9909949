"""
Hostile input: property-based tests of the response parser, decryptor and models.

Whatever an appliance (or something pretending to be one) sends, the library raises only
its own errors (``MieleError`` subclasses) and never returns data it did not verify. Pure
functions get 200 examples each, the socket tests against a tiny aiohttp server on
127.0.0.1 about 50.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from email.utils import formatdate
import json
from typing import TYPE_CHECKING

import aiohttp
from aiohttp import web
from hypothesis import HealthCheck, example, given, settings, strategies as st
import pytest

from mielelocal import crypto
from mielelocal.client import MieleClient, _Reply
from mielelocal.credentials import GroupCredentials
from mielelocal.exceptions import (
    MieleAuthError,
    MieleConfigError,
    MieleConnectionError,
    MieleError,
    MieleProtocolError,
    MieleResponseError,
    MieleSecurityError,
)
from mielelocal.models import Ident, State, thawed

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

CREDS = GroupCredentials.from_hex("0123456789ABCDEF", "5A" * 32 + "C3" * 32)
KEY = CREDS.group_key
DEVICE = "000177753917"
STATE_PATH = f"/Devices/{DEVICE}/State"
STATE = {"Status": 5, "RemainingTime": [0, 55], "RemoteEnable": [15, 0, 0]}

PURE = settings(max_examples=200, deadline=None)
SOCKET = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)

# --- strategies -------------------------------------------------------------------------

huge_ints = st.integers(min_value=-(10**400), max_value=10**400) | st.sampled_from(
    [10**400, -(10**400), 10**20, 2**63, -(2**63) - 1, 32767, -32768]
)
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | huge_ints
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)
STATE_KEYS = (
    "Status", "ProgramType", "ProgramID", "ProgramPhase", "RemainingTime", "StartTime",
    "ElapsedTime", "TargetTemperature", "Temperature", "SignalInfo", "SignalFailure",
    "SignalDoor", "RemoteEnable", "ProcessAction", "DeviceAction", "Light",
    "StandbyState", "SpinningSpeed", "DryingStep", "VentilationStep", "BatteryLevel",
    "PlateStep", "PlateRemainingHeat",
)  # fmt: skip
field_values = huge_ints | st.lists(huge_ints, max_size=4) | json_values
state_like = st.dictionaries(st.sampled_from(STATE_KEYS), field_values, max_size=12)
ident_like = st.fixed_dictionaries(
    {},
    optional={
        "DeviceType": json_values,
        "DeviceName": json_values,
        "ProtocolVersion": json_values,
        "DeviceIdentLabel": st.dictionaries(
            st.sampled_from(
                ["FabNumber", "FabIndex", "TechType", "MatNumber", "SWIDs"]
            ),
            json_values | st.just(DEVICE),
        )
        | json_values,
        "XKMIdentLabel": st.dictionaries(
            st.sampled_from(["TechType", "ReleaseVersion"]), json_values
        )
        | json_values,
        "XkmIdentLabel": json_values,
    },
)
header_text = st.text(
    alphabet=st.characters(
        min_codepoint=32, max_codepoint=0x2FF, exclude_characters="\x7f"
    ),
    max_size=120,
)
signature_headers = (
    header_text
    | st.builds(
        lambda group, sig: f"MieleH256 {group}:{sig}",
        st.text(alphabet="0123456789abcdefABCDEFxyz :", max_size=20),
        st.text(alphabet="0123456789abcdefABCDEF g", min_size=60, max_size=68),
    )
    | st.builds(
        crypto.format_authorization,
        st.sampled_from([CREDS.group_id, "FEDCBA9876543210"])
        | st.text(alphabet="0123456789ABCDEF", min_size=16, max_size=16),
        st.binary(min_size=32, max_size=32),
    )
)
ciphertexts = st.binary(max_size=200) | st.binary(min_size=16, max_size=16).map(
    lambda block: block * 4
)


def sealed(
    body: bytes, status: int = 200, content_type: str = "", date: str = ""
) -> _Reply:
    """A reply exactly as a paired appliance would sign it."""
    signature, ciphertext = crypto.seal_response(KEY, status, content_type, date, body)
    return _Reply(
        status,
        content_type,
        date,
        crypto.format_authorization(CREDS.group_id, signature),
        ciphertext,
    )


def same_json(raw: object, document: object) -> bool:
    """Equal as JSON text (NaN never equals itself as a float)."""
    return json.dumps(thawed(raw)) == json.dumps(document)


def parse_reply(client: MieleClient, reply: _Reply) -> State:
    """The client's own response path for a State read (status, signature, JSON, model)."""
    body = client._open(STATE_PATH, reply, "rejected the key")
    return client._parse(State.from_json, client._json(STATE_PATH, body), STATE_PATH)


@pytest.fixture(scope="module")
def offline_client() -> MieleClient:
    """A client used only for its parser (it never sends a request)."""
    return MieleClient("127.0.0.1:9", CREDS)


# --- decryptor and signature header -------------------------------------------------------


own_group_headers = st.builds(
    lambda group, sig, space: f"{space}MieleH256 {group}:{sig}{space}",
    st.sampled_from([CREDS.group_id, CREDS.group_id.lower()]),
    st.text(alphabet="0123456789abcdefABCDEF g\t\n", min_size=62, max_size=66)
    | st.binary(min_size=32, max_size=32).map(bytes.hex),
    st.sampled_from(["", " "]),
)


def reference_signature(header: str | None) -> bytes:
    """The signature a response header gives by the general parser and a group check."""
    group_id, signature = crypto.parse_authorization(header)
    if group_id != CREDS.group_id:
        raise MieleSecurityError("another group")
    return signature


@PURE
@given(header=signature_headers | own_group_headers | st.none())
def test_client_reads_signature_headers_like_the_general_parser(
    offline_client: MieleClient, header: str | None
) -> None:
    """The client's shortcut for its own group accepts and refuses exactly the same."""
    try:
        expected: bytes | None = reference_signature(header)
    except MieleSecurityError:
        expected = None
    try:
        signature: bytes | None = offline_client._response_signature(header)
    except MieleSecurityError:
        signature = None
    assert signature == expected


@pytest.mark.parametrize(
    "sig_hex",
    [
        "ab" * 31 + " a",
        "ab" * 31 + "zz",
        "ab" * 31,
        "ab" * 33,
        " " + "ab" * 31 + "a",
        "ab" * 31 + "  ",  # 64 characters, 31 bytes
        "ab" * 16 + " " + "ab" * 16,  # 32 bytes, 65 characters
    ],
)
def test_signature_hex_must_be_64_hex_characters(sig_hex: str) -> None:
    with pytest.raises(MieleSecurityError, match="malformed"):
        crypto.signature_from_hex(sig_hex)


@PURE
@given(header=signature_headers | st.none())
def test_random_signature_headers(header: str | None) -> None:
    try:
        group_id, signature = crypto.parse_authorization(header)
    except MieleSecurityError:
        return
    assert len(signature) == 32
    assert len(group_id) == 16
    assert group_id == group_id.upper()
    assert all(char in "0123456789ABCDEF" for char in group_id)


@PURE
@given(iv=st.binary(min_size=16, max_size=32), ciphertext=ciphertexts)
def test_decrypt_random_bytes(iv: bytes, ciphertext: bytes) -> None:
    if len(ciphertext) % 16:
        with pytest.raises(MieleProtocolError):
            crypto.decrypt(KEY, iv, ciphertext)
    else:
        assert len(crypto.decrypt(KEY, iv, ciphertext)) == len(ciphertext)


@PURE
@given(
    status=st.integers(min_value=100, max_value=599),
    content_type=header_text,
    date=header_text,
    signature=st.binary(min_size=32, max_size=32),
    ciphertext=ciphertexts,
)
def test_open_response_refuses_random_ciphertext(
    status: int, content_type: str, date: str, signature: bytes, ciphertext: bytes
) -> None:
    with pytest.raises(MieleSecurityError):
        crypto.open_response(KEY, status, content_type, date, signature, ciphertext)


@dataclass(frozen=True)
class Mutation:
    """One change to a validly sealed response."""

    where: str  # "ciphertext", "signature", "status", "date", "truncate" or "extend"
    index: int
    bit: int


mutations = st.builds(
    Mutation,
    st.sampled_from(
        ["ciphertext", "signature", "status", "date", "truncate", "extend"]
    ),
    st.integers(min_value=0, max_value=10_000),
    st.integers(min_value=0, max_value=7),
)


def flip(data: bytes, index: int, bit: int) -> bytes:
    position = index % len(data)
    return data[:position] + bytes([data[position] ^ (1 << bit)]) + data[position + 1 :]


@PURE
@given(body=st.binary(min_size=1, max_size=150), mutation=mutations)
def test_mutated_valid_responses_are_refused(body: bytes, mutation: Mutation) -> None:
    date = "Thu, 01 Jan 1970 02:09:22 GMT"
    signature, ciphertext = crypto.seal_response(KEY, 200, crypto.ACCEPT, date, body)
    assert crypto.open_response(
        KEY, 200, crypto.ACCEPT, date, signature, ciphertext
    ) == (crypto.unpad(crypto.pad_binary(body)))
    status = 200
    match mutation.where:
        case "ciphertext":
            ciphertext = flip(ciphertext, mutation.index, mutation.bit)
        case "signature":
            signature = flip(signature, mutation.index, mutation.bit)
        case "status":
            status = 201 + mutation.index % 399
        case "date":
            date = date.replace("1970", str(1971 + mutation.index))
        case "truncate":
            ciphertext = ciphertext[: mutation.index % len(ciphertext)]
        case "extend":
            ciphertext += bytes([mutation.bit]) * (1 + mutation.index % 40)
    with pytest.raises(MieleSecurityError):
        crypto.open_response(KEY, status, crypto.ACCEPT, date, signature, ciphertext)


# --- the client's response parser ---------------------------------------------------------


@PURE
@given(
    status=st.integers(min_value=100, max_value=599),
    content_type=header_text,
    signature=signature_headers | st.none(),
    body=ciphertexts,
)
def test_client_parser_random_replies(
    offline_client: MieleClient,
    status: int,
    content_type: str,
    signature: str | None,
    body: bytes,
) -> None:
    reply = _Reply(status, content_type, "", signature, body)
    with pytest.raises(MieleError) as raised:
        parse_reply(offline_client, reply)
    if status in (401, 403):
        assert isinstance(raised.value, MieleAuthError)
    elif not 200 <= status < 300:
        assert isinstance(raised.value, MieleResponseError)
        assert raised.value.status == status
    else:  # a 2xx without a valid signature, whatever its body
        assert isinstance(raised.value, MieleSecurityError)


@PURE
@given(document=json_values, status=st.integers(min_value=200, max_value=299))
def test_client_parser_signed_random_json(
    offline_client: MieleClient, document: object, status: int
) -> None:
    reply = sealed(json.dumps(document).encode(), status, crypto.CONTENT_TYPE, "x")
    if isinstance(document, dict):
        assert same_json(parse_reply(offline_client, reply).raw, document)
    else:
        with pytest.raises(MieleProtocolError):
            parse_reply(offline_client, reply)


@PURE
@given(
    text=st.text(max_size=200)
    | st.integers(min_value=1, max_value=200_000).map(lambda depth: "[" * depth)
    | st.integers(min_value=1, max_value=100_000).map(lambda depth: '{"a":' * depth)
    | st.integers(min_value=4301, max_value=6000).map(lambda digits: "9" * digits)
)
@example("[" * 100_000)  # once RecursionError out of the client
def test_client_parser_signed_garbage(offline_client: MieleClient, text: str) -> None:
    """Signed bodies that are not JSON, nest too deep or hold over-long numbers."""
    body = text.encode("utf-8", "surrogatepass")
    try:
        state = parse_reply(offline_client, sealed(body, 200, crypto.CONTENT_TYPE, "x"))
    except MieleProtocolError:
        return
    assert same_json(state.raw, json.loads(text))


# --- models -------------------------------------------------------------------------------


@PURE
@given(document=json_values | state_like)
@example({"Temperature": [10**400], "RemainingTime": [10**12, 0]})  # once OverflowError
def test_state_from_random_json(document: object) -> None:
    try:
        state = State.from_json(document)
    except MieleProtocolError:
        assert not isinstance(document, dict)
        return
    assert isinstance(document, dict)
    assert same_json(state.raw, document)
    for duration in (state.remaining_time, state.start_time, state.elapsed_time):
        assert duration is None or duration.total_seconds() >= 0
    repr(state)


@PURE
@given(document=json_values | ident_like)
def test_ident_from_random_json(document: object) -> None:
    try:
        ident = Ident.from_json(document)
    except MieleProtocolError:
        return
    assert isinstance(document, dict)
    assert ident.fab_number.isalnum()
    assert isinstance(ident.device_name, str)
    repr(ident)


# --- over real sockets --------------------------------------------------------------------


@dataclass
class Script:
    """What the hostile server answers next; ``None`` fields take the honest value."""

    status: int = 200
    signature: str | None = None
    body: bytes | None = None
    mutation: Mutation | None = None
    requests: list[str] = field(default_factory=list)


def honest_answer(
    request: web.BaseRequest, script: Script
) -> tuple[dict[str, str], bytes]:
    """Sign the State (or the scripted body) as the appliance would, then apply the mutation."""
    date = formatdate(usegmt=True)
    plain = json.dumps(STATE).encode() if script.body is None else script.body
    signature, ciphertext = crypto.seal_response(
        KEY, script.status, crypto.CONTENT_TYPE, date, plain
    )
    mutation = script.mutation
    if mutation is not None and mutation.where == "ciphertext" and ciphertext:
        ciphertext = flip(ciphertext, mutation.index, mutation.bit)
    if mutation is not None and mutation.where == "signature":
        signature = flip(signature, mutation.index, mutation.bit)
    header = script.signature or crypto.format_authorization(CREDS.group_id, signature)
    headers = {"Date": date, "Content-Type": crypto.CONTENT_TYPE, "X-Signature": header}
    return headers, ciphertext


@pytest.fixture
async def hostile_server(socket_enabled: None) -> AsyncIterator[tuple[str, Script]]:
    """A tiny aiohttp server on 127.0.0.1 answering whatever the current script says."""
    script = Script()

    async def handle(request: web.BaseRequest) -> web.StreamResponse:
        await request.read()
        script.requests.append(f"{request.method} {request.path}")
        headers, body = honest_answer(request, script)
        return web.Response(status=script.status, headers=headers, body=body or None)

    runner = web.ServerRunner(web.Server(handle), handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"127.0.0.1:{runner.addresses[0][1]}", script
    await runner.cleanup()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as http:
        yield http


@SOCKET
@given(
    status=st.integers(min_value=200, max_value=599).filter(
        lambda code: code not in (204, 304)
    ),
    signature=signature_headers | st.none(),
    body=st.none() | ciphertexts,
    mutation=st.none() | mutations,
)
async def test_client_against_hostile_server(
    hostile_server: tuple[str, Script],
    session: aiohttp.ClientSession,
    status: int,
    signature: str | None,
    body: bytes | None,
    mutation: Mutation | None,
) -> None:
    host, script = hostile_server
    script.status, script.signature, script.body, script.mutation = (
        status,
        signature,
        body,
        mutation,
    )
    client = MieleClient(host, CREDS, session=session, timeout=2.0)
    try:
        state = await client.get_state(DEVICE)
    except MieleError:
        pass
    else:
        # Only an answer the key really signed is ever returned.
        assert 200 <= status < 300
        assert same_json(state.raw, STATE if body is None else json.loads(body))
    try:
        await client.start(DEVICE)
    except MieleError:
        pass
    else:
        assert 200 <= status < 300
    assert script.requests[-2:] == [f"GET {STATE_PATH}", f"PUT {STATE_PATH}"]


@SOCKET
@given(
    chunks=st.lists(st.binary(min_size=1, max_size=300), min_size=0, max_size=4)
    | st.builds(
        lambda status, head, body: [
            f"HTTP/1.1 {status} X\r\n".encode() + head + b"\r\n\r\n" + body
        ],
        st.integers(min_value=0, max_value=1000),
        st.binary(max_size=200),
        st.binary(max_size=200),
    ),
    close_early=st.booleans(),
)
async def test_client_against_raw_garbage(
    socket_enabled: None,
    session: aiohttp.ClientSession,
    chunks: list[bytes],
    close_early: bool,
) -> None:
    """A TCP peer that answers with arbitrary bytes (not HTTP, broken HTTP, cut short)."""

    async def answer(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        if not close_early:
            await reader.readuntil(b"\r\n\r\n")
        for chunk in chunks:
            writer.write(chunk)
            await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = MieleClient(f"127.0.0.1:{port}", CREDS, session=session, timeout=1.0)
    try:
        with pytest.raises(MieleError) as raised:
            await client.get_state(DEVICE)
        assert not isinstance(raised.value, MieleConfigError)
        try:
            status = await client.probe()
        except MieleConnectionError, MieleProtocolError:
            pass
        else:
            assert 0 <= status <= 1000
    finally:
        server.close()
        await server.wait_closed()
