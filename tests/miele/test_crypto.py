"""Protocol vectors of docs/protocol.md and the padding rules, pinned byte for byte."""

from __future__ import annotations

import json

import pytest

from mielelocal import crypto
from mielelocal.exceptions import MieleProtocolError, MieleSecurityError

KEY = bytes.fromhex("123456789ABCDEFE" * 8)
SPACED_CT = "application / vnd.miele.v1 + json; charset = utf - 8"
DATE = "Thu, 01 Jan 1970 02:09:22 GMT"


def test_vector_1_request_signature() -> None:
    text = crypto.request_text(
        "GET",
        "127.0.0.1",
        "/Devices/000177753917/DOP2/2/1585?idx1=0&idx2=1",
        SPACED_CT,
        crypto.ACCEPT,
        DATE,
        b"",
    )
    assert text == (
        b"GET\n127.0.0.1/Devices/000177753917/DOP2/2/1585?idx1=0&idx2=1\n"
        b"application / vnd.miele.v1 + json; charset = utf - 8\n"
        b"application/vnd.miele.v1+json\nThu, 01 Jan 1970 02:09:22 GMT\n"
    )
    assert crypto.hmac_sha256(KEY, text).hex().upper() == (
        "DBC5C3BD007CDDF0214645E4FF27F517AFA1025AA9E3C1030BB15AE2A4210D91"
    )


def test_vector_2_request_body() -> None:
    signature, ciphertext = crypto.seal_request(
        KEY,
        "PUT",
        "127.0.0.1",
        "/Devices/000177753917/State",
        SPACED_CT,
        crypto.ACCEPT,
        DATE,
        b'{"DeviceAction": 2}',
    )
    assert signature.hex().upper() == (
        "9258984775FF6450CF8D943A946C36C850FAAB65DEFCD2EAC6E7262B58308B47"
    )
    assert ciphertext.hex() == (
        "8dc821a1c9eced3fa98fd74e0d6629b9ee41543376ea08dec33acca7949f6b1f"
        "812e2b828dae8c72f7ae0fa7670fa38a0ec8fe10e42988df0f09fa0815c2e2ee"
    )
    padded = crypto.decrypt(KEY, signature, ciphertext)
    assert padded == b'{"DeviceAction": 2' + b" " * 45 + b"}"
    body = crypto.open_request(
        KEY,
        "PUT",
        "127.0.0.1",
        "/Devices/000177753917/State",
        SPACED_CT,
        crypto.ACCEPT,
        DATE,
        signature,
        ciphertext,
    )
    assert json.loads(body) == {"DeviceAction": 2}


@pytest.mark.parametrize(
    ("body", "length"),
    [
        (b'{"a":1}', 64),
        (b'{"DeviceAction": 2}', 64),
        (b"{" + b'"k":"' + b"x" * 58 + b'"}', 80),  # 65 bytes: next multiple of 16
        (b"{" + b'"k":"' + b"x" * 120 + b'"}', 128),  # exactly 128: unchanged length
    ],
)
def test_pad_json_inserts_before_final_brace(body: bytes, length: int) -> None:
    padded = crypto.pad_json(body)
    assert len(padded) == length
    assert padded.endswith(b"}")
    assert padded.replace(b" ", b"") == body.replace(b" ", b"")
    assert padded.startswith(body[:-1])


def test_pad_json_without_object_appends() -> None:
    assert crypto.pad_json(b"[1]") == b"[1]" + b" " * 61
    assert crypto.pad_json(b"") == b""


def test_pad_binary_and_unpad() -> None:
    assert crypto.pad_binary(b"abc") == b"abc" + b" " * 13
    assert crypto.pad_binary(b"x" * 16) == b"x" * 16
    assert crypto.unpad(b"abc  \x00\x00 ") == b"abc"


def test_response_roundtrip_and_tamper() -> None:
    body = b'{"Status":5}'
    signature, ciphertext = crypto.seal_response(KEY, 200, crypto.ACCEPT, DATE, body)
    assert len(ciphertext) == 16
    assert (
        crypto.open_response(KEY, 200, crypto.ACCEPT, DATE, signature, ciphertext)
        == body
    )
    tampered = bytes([ciphertext[0] ^ 1]) + ciphertext[1:]
    with pytest.raises(MieleSecurityError):
        crypto.open_response(KEY, 200, crypto.ACCEPT, DATE, signature, tampered)
    with pytest.raises(MieleSecurityError):
        crypto.open_response(KEY, 201, crypto.ACCEPT, DATE, signature, ciphertext)
    other_key = bytes(64)
    with pytest.raises(MieleSecurityError):
        crypto.open_response(other_key, 200, crypto.ACCEPT, DATE, signature, ciphertext)


def test_empty_response_is_signed_too() -> None:
    signature, ciphertext = crypto.seal_response(KEY, 204, "", DATE, b"")
    assert ciphertext == b""
    assert crypto.open_response(KEY, 204, "", DATE, signature, b"") == b""
    with pytest.raises(MieleSecurityError):
        crypto.open_response(KEY, 204, "", DATE, bytes(32), b"")


def test_short_signature_is_a_security_error() -> None:
    with pytest.raises(MieleSecurityError, match="too short"):
        crypto.open_response(KEY, 200, "", "", b"\0" * 5, b"\0" * 16)
    with pytest.raises(MieleSecurityError, match="too short"):
        crypto.encrypt(KEY, b"\0" * 15, b"x" * 16)


@pytest.mark.parametrize("length", [1, 15, 17, 63])
def test_response_not_in_whole_blocks_is_a_security_error(length: int) -> None:
    """No signed response has a partial block: a forged one fails the signature check."""
    with pytest.raises(MieleSecurityError, match="whole number of AES blocks"):
        crypto.open_response(KEY, 200, crypto.ACCEPT, DATE, bytes(32), b"x" * length)


def test_decrypt_rejects_partial_blocks() -> None:
    with pytest.raises(MieleProtocolError):
        crypto.decrypt(KEY, bytes(16), b"x" * 17)
    with pytest.raises(ValueError, match="padded"):
        crypto.encrypt(KEY, bytes(16), b"x" * 17)


def test_authorization_header_roundtrip() -> None:
    header = crypto.format_authorization("0011aabb0011aabb", bytes(range(32)))
    assert header.startswith("MieleH256 0011AABB0011AABB:000102")
    assert crypto.parse_authorization(header) == ("0011AABB0011AABB", bytes(range(32)))


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Basic abc",
        "MieleH256 00:zz",
        "MieleH256 0011",
        "MieleH256 GG:" + "0" * 64,
        "MieleH256 :" + "0" * 64,
        "MieleH256 0011AABB0011AAB:" + "0" * 64,
        "MieleH256 0011AABB0011AABB0:" + "0" * 64,
        "MieleH256 0011AABB0011AABG:" + "0" * 64,
    ],
)
def test_parse_authorization_rejects(header: str | None) -> None:
    with pytest.raises(MieleSecurityError):
        crypto.parse_authorization(header)


def signature_with_leading_zero() -> tuple[bytes, bytes]:
    """A real response signature whose hex begins with 0, and its ciphertext."""
    for n in range(1000):  # one signature in 16 begins with a 0 nibble
        body = json.dumps({"Status": 5, "ElapsedTime": [0, n]}).encode()
        signature, ciphertext = crypto.seal_response(
            KEY, 200, crypto.CONTENT_TYPE, DATE, body
        )
        if signature.hex().startswith("0"):
            return signature, ciphertext
    raise AssertionError("no signature began with 0")


def test_signature_hex_without_its_leading_zero_is_padded() -> None:
    """Report D4: a 63-character signature hex gets its leading 0 back, and verifies."""
    signature, ciphertext = signature_with_leading_zero()
    header = crypto.format_authorization("0011AABB0011AABB", signature)
    short = header.replace(":0", ":", 1)
    assert len(short.rpartition(":")[2]) == 63

    assert crypto.parse_authorization(short) == ("0011AABB0011AABB", signature)
    assert crypto.parse_authorization(f" {short[:-63]}{short[-63:].lower()}") == (
        "0011AABB0011AABB",
        signature,
    )
    body = crypto.open_response(
        KEY, 200, crypto.CONTENT_TYPE, DATE, signature, ciphertext
    )
    assert json.loads(body)["Status"] == 5


@pytest.mark.parametrize(
    "sig_hex",
    [
        "ab" * 31,  # 62
        "ab" * 32 + "a",  # 65
        "a" * 61 + "z" + "a",  # 63, not all hex
        "a" * 31 + " " + "a" * 31,  # 63 with a space inside
        "0" * 63 + " ",  # 63 then whitespace: the client's shortcut refuses it too
    ],
)
def test_other_signature_hex_lengths_stay_refused(sig_hex: str) -> None:
    with pytest.raises(MieleSecurityError, match="malformed"):
        crypto.parse_authorization(f"MieleH256 0011AABB0011AABB:{sig_hex}")
