"""Validation of hosts, GroupIDs, GroupKeys and device ids; the key never leaks."""

from __future__ import annotations

import pytest

from mielelocal.credentials import (
    GroupCredentials,
    validate_device_id,
    validate_group_id,
    validate_group_key,
    validate_host,
)
from mielelocal.exceptions import MieleConfigError

KEY_HEX = "a1b2c3d4e5f60718" * 8


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("192.168.1.5", "192.168.1.5"),
        ("192.168.1.5:8080", "192.168.1.5:8080"),
        ("  10.0.0.7  ", "10.0.0.7"),
        ("[fe80::1]:80", "[fe80::1]:80"),
        ("[FE80::0001]", "[fe80::1]"),
        ("fe80::1", "[fe80::1]"),
        ("miele-washer.local", "miele-washer.local"),
        ("Miele-Washer.LOCAL.", "miele-washer.local."),
        ("washer:65535", "washer:65535"),
        ("localhost:1", "localhost:1"),
    ],
)
def test_validate_host_accepts(value: str, expected: str) -> None:
    assert validate_host(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "http://x",
        "a/b",
        "user@host",
        "host:0",
        "host:99999",
        "host:",
        "host:port",
        "wäscher.local",
        "my host",
        "host\tname",
        "",
        "   ",
        None,
        80,
        "[fe80::1",
        "[fe80::1]x",
        "[192.168.1.5]:80",
        "-bad.local",
        "bad-.local",
        "1.2.3",
        "a" * 64 + ".local",
        ".".join(["abc"] * 64),
        "host?x",
        "host#x",
        "host\\x",
    ],
)
def test_validate_host_refuses(value: object) -> None:
    with pytest.raises(MieleConfigError) as err:
        validate_host(value)
    assert err.value.field == "host"
    assert isinstance(err.value, ValueError)
    assert str(err.value).startswith("host: ")


def test_validate_group_id_normalises_to_upper_case() -> None:
    assert validate_group_id(" 0123456789abcdef ") == "0123456789ABCDEF"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("0123456789ABCDE", "must be 16 hex characters, got 15"),
        ("0123456789ABCDEF0", "must be 16 hex characters, got 17"),
        ("0123456789ABCDEG", "must contain only hex characters"),
        (1234, "must be a string of hex characters"),
    ],
)
def test_validate_group_id_errors_name_the_field(value: object, message: str) -> None:
    with pytest.raises(MieleConfigError, match=message) as err:
        validate_group_id(value)
    assert err.value.field == "group_id"
    assert str(err.value).startswith("group_id: ")


def test_validate_group_key_returns_64_bytes() -> None:
    key = validate_group_key(KEY_HEX)
    assert key == bytes.fromhex(KEY_HEX)
    assert len(key) == 64


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (KEY_HEX[:-1], "must be 128 hex characters, got 127"),
        (KEY_HEX + "0", "must be 128 hex characters, got 129"),
        (KEY_HEX[:-1] + "Z", "must contain only hex characters"),
        (KEY_HEX[:-2] + "é1", "must contain only hex characters"),
        (b"\x00" * 64, "must be a string of hex characters"),
        ("", "must be 128 hex characters, got 0"),
    ],
)
def test_validate_group_key_errors_never_echo_the_key(
    value: object, message: str
) -> None:
    with pytest.raises(MieleConfigError, match=message) as err:
        validate_group_key(value)
    assert err.value.field == "group_key"
    text = str(err.value) + repr(err.value)
    assert KEY_HEX[:16] not in text
    assert KEY_HEX[:16].upper() not in text


@pytest.mark.parametrize("value", ["000177753917", "A1", "x" * 32])
def test_validate_device_id_accepts(value: str) -> None:
    assert validate_device_id(value) == value


@pytest.mark.parametrize(
    "value", ["", "x" * 33, "../State", "0001 7775", "abc/def", 177753917, None]
)
def test_validate_device_id_refuses(value: object) -> None:
    with pytest.raises(MieleConfigError) as err:
        validate_device_id(value)
    assert err.value.field == "device_id"


def test_group_credentials_from_hex() -> None:
    creds = GroupCredentials.from_hex("0123456789abcdef", KEY_HEX)
    assert creds.group_id == "0123456789ABCDEF"
    assert creds.group_key == bytes.fromhex(KEY_HEX)
    assert creds.group_key_hex == KEY_HEX.upper()


def test_group_credentials_from_hex_names_the_bad_field() -> None:
    with pytest.raises(MieleConfigError) as err:
        GroupCredentials.from_hex("0123456789ABCDEF", "00")
    assert err.value.field == "group_key"
    with pytest.raises(MieleConfigError) as err:
        GroupCredentials.from_hex("nothex", KEY_HEX)
    assert err.value.field == "group_id"


def test_group_credentials_generate_is_valid_and_fresh() -> None:
    first, second = GroupCredentials.generate(), GroupCredentials.generate()
    assert validate_group_id(first.group_id) == first.group_id
    assert len(first.group_key) == 64
    assert validate_group_key(first.group_key_hex) == first.group_key
    assert first.group_key != second.group_key
    assert first.group_id != second.group_id


def test_group_credentials_never_show_the_key() -> None:
    creds = GroupCredentials.from_hex("0123456789ABCDEF", KEY_HEX)
    for text in (repr(creds), str(creds), f"{creds}", f"{[creds]}"):
        assert "0123456789ABCDEF" in text
        assert "<redacted>" in text
        assert KEY_HEX.upper() not in text
        assert KEY_HEX not in text
        assert str(creds.group_key) not in text


def test_group_credentials_are_frozen() -> None:
    creds = GroupCredentials.from_hex("0123456789ABCDEF", KEY_HEX)
    with pytest.raises(AttributeError):
        creds.group_id = "FEDCBA9876543210"  # type: ignore[misc]


def test_group_credentials_constructor_normalises_the_group_id() -> None:
    key = bytes.fromhex(KEY_HEX)
    creds = GroupCredentials(" 0123456789abcdef ", key)
    assert creds.group_id == "0123456789ABCDEF"
    assert creds.group_key == key
    assert creds == GroupCredentials.from_hex("0123456789ABCDEF", KEY_HEX)


@pytest.mark.parametrize(
    ("group_id", "group_key", "field_name"),
    [
        ("0123", bytes(64), "group_id"),
        ("0123456789ABCDEG", bytes(64), "group_id"),
        (0x0123456789ABCDEF, bytes(64), "group_id"),
        ("0123456789ABCDEF", bytes(63), "group_key"),
        ("0123456789ABCDEF", bytes(65), "group_key"),
        ("0123456789ABCDEF", KEY_HEX, "group_key"),
        ("0123456789ABCDEF", bytearray(64), "group_key"),
        ("0123456789ABCDEF", None, "group_key"),
    ],
    ids=[
        "short-id",
        "non-hex-id",
        "int-id",
        "63-byte-key",
        "65-byte-key",
        "hex-text-key",
        "bytearray-key",
        "no-key",
    ],
)
def test_group_credentials_constructor_validates(
    group_id: object, group_key: object, field_name: str
) -> None:
    """A bad key would brick real pairing: refuse it before it is ever sent."""
    with pytest.raises(MieleConfigError) as err:
        GroupCredentials(group_id, group_key)  # type: ignore[arg-type]
    assert err.value.field == field_name
    assert KEY_HEX not in str(err.value)
    assert KEY_HEX.upper() not in str(err.value)
