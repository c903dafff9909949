"""
The caches of the per-request path: they save work and never change an answer.

The Date header is formatted once per second but never stale; the group key is prepared
once but every message is signed and decrypted exactly as with a fresh key; the last State
is reused only for a verified answer whose plaintext is byte-identical.
"""

from __future__ import annotations

from email.utils import formatdate, parsedate_to_datetime
import hashlib
import hmac
import json
import math
import os
import time
from typing import TYPE_CHECKING

import aiohttp
from aiohttp import web
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from hypothesis import given, settings, strategies as st
import pytest

from mielelocal import crypto
from mielelocal.client import MieleClient
from mielelocal.exceptions import MieleProtocolError, MieleSecurityError

from .test_client import CREDS, DEVICE, STATE, FakeAppliance

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

pytestmark = pytest.mark.usefixtures("socket_enabled")

STATE_PATH = f"/Devices/{DEVICE}/State"


# --- Date header ---------------------------------------------------------------------------


class SteppedClock:
    """A clock that returns the given times in turn."""

    def __init__(self, times: list[float]) -> None:
        self.times = times
        self.index = -1

    def __call__(self) -> float:
        self.index += 1
        return self.times[self.index]


@settings(max_examples=200, deadline=None)
@given(
    times=st.lists(
        st.floats(min_value=0, max_value=4_102_444_800, allow_nan=False)
        | st.integers(min_value=1_700_000_000, max_value=1_700_000_003).map(
            lambda second: second - 1e-6
        )
        | st.integers(min_value=1_700_000_000, max_value=1_700_000_003).map(float),
        min_size=1,
        max_size=30,
    )
)
def test_date_cache_is_never_stale(times: list[float]) -> None:
    """
    Whatever the clock does (forward, backward, across a second), the text is now's.

    "Now" is the second the clock is in (``formatdate`` of a raw float would round the
    last half microsecond of a second up to the next one).
    """
    date = crypto.HttpDate(SteppedClock(times))
    for now in times:
        assert date() == formatdate(math.floor(now), usegmt=True)


def test_date_cache_formats_once_per_second(monkeypatch: pytest.MonkeyPatch) -> None:
    formatted: list[float] = []

    def counting(timeval: float, *, usegmt: bool) -> str:
        formatted.append(timeval)
        return formatdate(timeval, usegmt=usegmt)

    monkeypatch.setattr(crypto, "formatdate", counting)
    date = crypto.HttpDate(SteppedClock([10.0, 10.2, 10.999, 11.0, 11.5, 10.5]))
    texts = [date() for _ in range(6)]
    assert formatted == [10, 11, 10]
    assert texts[0] == texts[2] != texts[3] == texts[4] != texts[5] == texts[0]


# --- prepared key --------------------------------------------------------------------------


def fresh_decrypt(key: bytes, iv: bytes, ciphertext: bytes) -> bytes:
    decryptor = Cipher(algorithms.AES(key[:32]), modes.CBC(iv[:16])).decryptor()
    return decryptor.update(ciphertext) + decryptor.finalize()


@settings(max_examples=100, deadline=None)
@given(
    messages=st.lists(
        st.tuples(
            st.binary(min_size=16, max_size=32),
            st.integers(min_value=0, max_value=8).map(lambda blocks: blocks * 16),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_prepared_key_decrypts_every_message_like_a_fresh_context(
    messages: list[tuple[bytes, int]],
) -> None:
    """One long-lived decryptor, many IVs in any order: each result is the fresh one."""
    prepared = crypto.PreparedKey(CREDS.group_key)
    for iv, length in messages:
        ciphertext = os.urandom(length)
        expected = fresh_decrypt(CREDS.group_key, iv, ciphertext)
        assert prepared.decrypt(iv, ciphertext) == expected


def test_prepared_key_signs_like_the_plain_hmac() -> None:
    prepared = crypto.PreparedKey(CREDS.group_key)
    for head, body in ((b"GET\nx\n", b""), (b"200\n", b"{}" + b" " * 14)):
        assert prepared.sign(head, body) == crypto.hmac_sha256(
            CREDS.group_key, head + body
        )
    assert prepared.sign(b"a") == prepared.sign(b"a")  # the keyed HMAC is only copied
    assert not isinstance(prepared._hmac, hmac.HMAC)  # the C object, not the wrapper
    assert CREDS.group_key.hex() not in repr(prepared).lower()


def test_prepared_key_signs_alike_when_hmac_wraps_no_openssl_object(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without the C object inside ``hmac.HMAC`` the key signs with the wrapper itself."""

    def pure_python_hmac(key: bytes, digestmod: object) -> hmac.HMAC:
        return hmac.HMAC(key, digestmod=lambda data=b"": hashlib.sha256(data))

    head, body = b"200\n", b"{}" + b" " * 14
    expected = crypto.hmac_sha256(CREDS.group_key, head + body)
    monkeypatch.setattr(crypto.hmac, "new", pure_python_hmac)
    prepared = crypto.PreparedKey(CREDS.group_key)
    assert isinstance(prepared._hmac, hmac.HMAC)
    assert prepared.sign(head, body) == expected


def test_prepared_key_refuses_short_iv_and_partial_blocks() -> None:
    prepared = crypto.PreparedKey(CREDS.group_key)
    with pytest.raises(MieleSecurityError, match="too short"):
        prepared.decrypt(b"\x00" * 15, b"\x00" * 16)
    with pytest.raises(MieleProtocolError, match="whole number"):
        prepared.decrypt(b"\x00" * 16, b"\x00" * 17)


# --- reuse of the last State ----------------------------------------------------------------


@pytest.fixture
async def appliance() -> AsyncIterator[FakeAppliance]:
    fake = FakeAppliance()
    runner = web.ServerRunner(web.Server(fake.handle))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    fake.host = f"127.0.0.1:{runner.addresses[0][1]}"
    yield fake
    await runner.cleanup()


@pytest.fixture
async def client(appliance: FakeAppliance) -> AsyncIterator[MieleClient]:
    async with aiohttp.ClientSession() as session:
        yield MieleClient(appliance.host, CREDS, session=session, timeout=2.0)


async def test_request_date_is_the_current_second(
    appliance: FakeAppliance, client: MieleClient
) -> None:
    appliance.json("GET", STATE_PATH, STATE)
    for _ in range(3):
        before = int(time.time())
        await client.get_state(DEVICE)
        after = int(time.time())
        sent = parsedate_to_datetime(appliance.seen[-1].headers["Date"]).timestamp()
        assert before <= sent <= after


async def test_identical_verified_plaintext_reuses_the_state(
    appliance: FakeAppliance, client: MieleClient
) -> None:
    appliance.json("GET", STATE_PATH, STATE)
    first = await client.get_state(DEVICE)
    assert await client.get_state(DEVICE) is first  # new Date, signature and IV
    assert len(appliance.seen) == 2
    appliance.json("GET", STATE_PATH, {**STATE, "Status": 6})
    changed = await client.get_state(DEVICE)
    assert changed is not first
    assert changed.raw["Status"] == 6
    appliance.json("GET", STATE_PATH, STATE)
    again = await client.get_state(DEVICE)
    assert again == first
    assert again is not first  # only the last answer is remembered


async def test_reuse_is_per_path(appliance: FakeAppliance, client: MieleClient) -> None:
    other = "000177753918"
    appliance.json("GET", STATE_PATH, STATE)
    appliance.json("GET", f"/Devices/{other}/State", STATE)
    first = await client.get_state(DEVICE)
    second = await client.get_state(other)
    assert second == first
    assert second is not first


@pytest.mark.parametrize("sign", ["none", "tampered", "wrong_key", "malformed"])
async def test_failed_verification_never_returns_the_cached_state(
    appliance: FakeAppliance, client: MieleClient, sign: str
) -> None:
    """The same plaintext, answered without a valid signature: an error, every time."""
    appliance.json("GET", STATE_PATH, STATE)
    cached = await client.get_state(DEVICE)
    appliance.json("GET", STATE_PATH, STATE, sign=sign)
    for _ in range(2):
        with pytest.raises(MieleSecurityError):
            await client.get_state(DEVICE)
    appliance.json("GET", STATE_PATH, STATE)
    assert await client.get_state(DEVICE) is cached


async def test_replayed_answer_with_another_date_is_refused(
    appliance: FakeAppliance, client: MieleClient
) -> None:
    """The cached plaintext's own ciphertext and signature, under a new Date: refused."""
    body = json.dumps(STATE).encode()
    signed_date = formatdate(usegmt=True)
    signature, ciphertext = crypto.seal_response(
        CREDS.group_key, 200, crypto.CONTENT_TYPE, signed_date, body
    )
    date = signed_date

    async def replay(request: web.BaseRequest) -> web.Response:
        headers = {
            "Date": date,
            "Content-Type": crypto.CONTENT_TYPE,
            "X-Signature": crypto.format_authorization(CREDS.group_id, signature),
        }
        return web.Response(body=ciphertext, headers=headers)

    appliance.raw_handler = replay
    cached = await client.get_state(DEVICE)
    date = formatdate(time.time() + 3600, usegmt=True)
    with pytest.raises(MieleSecurityError, match="does not match"):
        await client.get_state(DEVICE)
    date = signed_date
    assert await client.get_state(DEVICE) is cached
