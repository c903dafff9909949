"""SuperVision: the push vectors of docs/protocol.md, enrolment and withdrawal over sockets."""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING

import pytest

from mielelocal import crypto
from mielelocal.client import MieleClient
from mielelocal.credentials import GroupCredentials
from mielelocal.exceptions import MieleProtocolError, MieleResponseError
from mielelocal.supervision import (
    RESOURCES,
    callback_path,
    enrol,
    inspect_push,
    listener_hostname,
    parse_callback_path,
    slot_number,
    withdraw,
)
from simulator import SimulatedAppliance
from simulator.supervision import Answer

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

pytestmark = pytest.mark.usefixtures("socket_enabled")

KEY = bytes.fromhex("123456789ABCDEFE" * 8)
VECTOR = GroupCredentials(group_id="123456789ABCDEFE", group_key=KEY)
DATE = "Thu, 01 Jan 1970 02:09:22 GMT"
LISTENER = "000999000001"
APPLIANCE = "000177753917"
BASE = "http://Miele-001D63FFFEE69EC1.local.:18082"
PUSH_PLAIN = (
    b'{"Host":"Miele-001D63FFFE2C1D55.local.","Resource":"/Devices/000177753917/State/",'
    b'"Content":{"Status":5,"ProgramID":1,"RemainingTime":[0,54]}  }'
)
PUSH_SIG = "E30394988964A739C2688B89684D1C1BF2FE4E583BFC09301803EC45DE2BC64C"
PUSH_BODY = (
    "da70fe7a291f9c2d0dbdbc5fe254ef4361019769e9b2ee65d01bdfe609b6304b468f98e05915095db20d"
    "9208acb64df7eb711dfcd1a8eb78e7c6286fb4bfb85cecbde7bfe650a7bf0a32c9f699fd5850e17c0c6a"
    "4da342ae020100779e89a7240b6a2ad68de069a520c316839dd90ed7730d3d2ddd6568bd8ae8050c62af"
    "588da7c7d7c73a6c9767485763c40ad41121"
)
PUSH_FIELDS = (
    "Miele-001D63FFFEE69EC1.local.:18082",
    "/Devices/000999000001/SuperVision/000177753917/State/",
    crypto.CONTENT_TYPE,
    crypto.ACCEPT,
    DATE,
)


def test_listener_hostname_vector() -> None:
    """Low 24 bits of the last 8 digits, upper-case hex."""
    assert listener_hostname(LISTENER) == "Miele-001D63FFFEE69EC1.local."
    assert listener_hostname("000100000001") == "Miele-001D63FFFE000001.local."


def test_peer_entry_vector() -> None:
    """PUT SuperVision as docs/protocol.md computes it (the client seals the same way)."""
    signature, ciphertext = crypto.seal_request(
        KEY,
        "PUT",
        "127.0.0.1",
        f"/Devices/{APPLIANCE}/SuperVision/{LISTENER}",
        crypto.CONTENT_TYPE,
        crypto.ACCEPT,
        DATE,
        b'{"Show": true, "Signal": true}',
    )
    assert signature.hex().upper() == (
        "1A8BD105F00128308AFDE991FE2E047BC3C893C8FF44FC4A9675F8BCF8E75650"
    )
    assert ciphertext.hex().startswith("c822321666f19e14ee2aacc24fcf5f68")


def test_push_vector_decrypts_and_verifies() -> None:
    """The push of docs/protocol.md decrypts with IV = signature and verifies as a signed request."""
    signature = bytes.fromhex(PUSH_SIG)
    body = bytes.fromhex(PUSH_BODY)
    assert crypto.decrypt(KEY, signature, body) == PUSH_PLAIN
    evidence = inspect_push(VECTOR, signature, PUSH_FIELDS, body)
    assert evidence.decrypted
    assert evidence.signature_verified


def test_push_evidence_of_forgeries() -> None:
    """A wrong Date fails the hypothesis; a body that is not JSON does not decrypt."""
    signature = bytes.fromhex(PUSH_SIG)
    body = bytes.fromhex(PUSH_BODY)
    other_date = (*PUSH_FIELDS[:4], "Fri, 02 Jan 1970 02:09:22 GMT")
    evidence = inspect_push(VECTOR, signature, other_date, body)
    assert (evidence.decrypted, evidence.signature_verified) == (True, False)
    for garbage in (b"\x00" * 64, b"\x00" * 15, b""):
        evidence = inspect_push(VECTOR, signature, PUSH_FIELDS, garbage)
        assert (evidence.decrypted, evidence.signature_verified) == (False, False)


def test_paths_and_slots() -> None:
    path = callback_path(LISTENER, APPLIANCE, "/State/")
    assert path == "/Devices/000999000001/SuperVision/000177753917/State/"
    assert parse_callback_path(path) == (LISTENER, APPLIANCE)
    assert parse_callback_path(f"/Devices/{LISTENER}/SuperVision/{APPLIANCE}") == (
        LISTENER,
        APPLIANCE,
    )
    assert parse_callback_path("/Devices/") is None
    assert parse_callback_path(f"/Devices/{LISTENER}/Ident/") is None
    assert slot_number("http://10.0.0.5/Subscriptions/17/") == 17
    assert slot_number("http://10.0.0.5/Subscriptions/17") == 17
    assert slot_number("http://10.0.0.5/Other/17/") is None
    assert slot_number(None) is None


@pytest.fixture
async def washer() -> AsyncIterator[SimulatedAppliance]:
    async with SimulatedAppliance("washer", credentials=VECTOR) as sim:
        yield sim


@pytest.fixture
async def client(washer: SimulatedAppliance) -> AsyncIterator[MieleClient]:
    async with MieleClient(washer.host, VECTOR, timeout=2.0) as miele:
        yield miele


async def test_enrol_then_withdraw(
    washer: SimulatedAppliance, client: MieleClient
) -> None:
    """Four slots with our callbacks; withdrawing deletes only those and hides the peer."""
    slots: list[int] = []
    assert await enrol(client, washer.device_id, LISTENER, BASE, slots)
    assert slots == [2, 3, 4, 5]
    supervision = washer.supervision
    assert supervision.peers[LISTENER] == {"Show": True, "Signal": True}
    assert [supervision.subscriptions[slot]["Resource"] for slot in slots] == [
        f"/Devices/{washer.device_id}{resource}" for resource in RESOURCES
    ]
    assert supervision.subscriptions[2]["Callback"] == BASE + callback_path(
        LISTENER, washer.device_id, "/State/"
    )
    # A slot of another listener, and a stale number that is already gone.
    supervision.subscriptions[6] = {
        "Resource": f"/Devices/{washer.device_id}/State/",
        "Callback": BASE + callback_path("000999000002", washer.device_id, "/State/"),
    }
    await withdraw(client, washer.device_id, LISTENER, [*slots, 1, 6, 99])
    assert sorted(supervision.subscriptions) == [1, 6]
    assert supervision.peers[LISTENER] == {"Show": False, "Signal": False}


async def test_unsupported_appliance() -> None:
    """404 to SuperVision: no subscription is attempted; withdrawing is quiet."""
    async with (
        SimulatedAppliance("washer", credentials=VECTOR, supervision=False) as sim,
        MieleClient(sim.host, VECTOR, timeout=2.0) as miele,
    ):
        slots: list[int] = []
        assert not await enrol(miele, sim.device_id, LISTENER, BASE, slots)
        assert slots == []
        await withdraw(miele, sim.device_id, LISTENER, [2])
        assert [(r.method, r.status) for r in sim.requests] == [
            ("PUT", 404),
            ("GET", 404),
            ("PUT", 404),
        ]


async def test_other_errors_propagate(
    washer: SimulatedAppliance, client: MieleClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """500 is not "unsupported"; a 201 without Location is a protocol error."""
    answer = washer.supervision.answer
    refusal = Answer(HTTPStatus.INTERNAL_SERVER_ERROR)
    monkeypatch.setattr(washer.supervision, "answer", lambda *_: refusal)
    with pytest.raises(MieleResponseError):
        await enrol(client, washer.device_id, LISTENER, BASE, [])
    with pytest.raises(MieleResponseError):
        await withdraw(client, washer.device_id, LISTENER, [2])

    def without_location(
        method: str, parts: tuple[str, ...], body: object
    ) -> Answer | None:
        reply = answer(method, parts, body)
        return Answer(reply.status) if reply is not None else None

    monkeypatch.setattr(washer.supervision, "answer", without_location)
    with pytest.raises(MieleProtocolError):
        await enrol(client, washer.device_id, LISTENER, BASE, [])


async def test_withdraw_peer_refusal_propagates(
    washer: SimulatedAppliance, client: MieleClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a 404 of the peer entry is quiet."""
    answer = washer.supervision.answer

    def refuse_peer(method: str, parts: tuple[str, ...], body: object) -> Answer | None:
        if method == "PUT":
            return Answer(HTTPStatus.INTERNAL_SERVER_ERROR)
        return answer(method, parts, body)

    monkeypatch.setattr(washer.supervision, "answer", refuse_peer)
    with pytest.raises(MieleResponseError):
        await withdraw(client, washer.device_id, LISTENER, [])


def test_subscription_vector() -> None:
    """POST /Subscriptions as docs/protocol.md computes it (padding inserted before the ``}``)."""
    body = (
        b'{\n\t"Resource": "/Devices/000177753917/State/",\n\t"Callback":"'
        + BASE.encode()
        + callback_path(LISTENER, APPLIANCE, "/State/").encode()
        + b'"\n}'
    )
    assert len(body) == 158
    signature, ciphertext = crypto.seal_request(
        KEY,
        "POST",
        "127.0.0.1",
        "/Subscriptions",
        crypto.CONTENT_TYPE,
        crypto.ACCEPT,
        DATE,
        body,
    )
    assert signature.hex().upper() == (
        "67BAD171D017AD6B1BCF80E6CACFC5019628F038C0D9E98B5070D222CEFC53D8"
    )
    assert ciphertext.hex().startswith("806246f5cf193a19399f0beb825384b4")
