"""Validated household credentials (GroupID / GroupKey) and appliance addresses."""

from __future__ import annotations

from dataclasses import dataclass, field
import ipaddress
import re
import secrets

from .exceptions import MieleConfigError

GROUP_ID_LENGTH = 16
GROUP_KEY_LENGTH = 128
_HEX_RE = re.compile(r"[0-9A-Fa-f]*")
_HOSTNAME_RE = re.compile(
    r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*\.?"
)
_DEVICE_ID_RE = re.compile(r"[0-9A-Za-z]{1,32}")


def _hex(field_name: str, value: object, length: int) -> str:
    if not isinstance(value, str):
        raise MieleConfigError(field_name, "must be a string of hex characters")
    text = value.strip()
    if len(text) != length:
        raise MieleConfigError(
            field_name, f"must be {length} hex characters, got {len(text)}"
        )
    if not _HEX_RE.fullmatch(text):
        raise MieleConfigError(
            field_name, "must contain only hex characters 0-9 and A-F"
        )
    return text.upper()


def validate_group_id(value: object) -> str:
    """Return the GroupID as 16 upper-case hex characters or raise MieleConfigError."""
    return _hex("group_id", value, GROUP_ID_LENGTH)


def validate_group_key(value: object) -> bytes:
    """Return the 64-byte GroupKey from 128 hex characters or raise MieleConfigError.

    The error message never contains the key.
    """
    return bytes.fromhex(_hex("group_key", value, GROUP_KEY_LENGTH))


def validate_device_id(value: object) -> str:
    """Return an appliance id (FabNumber) safe to put in a URL path."""
    if not isinstance(value, str) or not _DEVICE_ID_RE.fullmatch(value):
        raise MieleConfigError("device_id", "must be 1-32 letters or digits")
    return value


def validate_host(value: object) -> str:
    """Return a normalised ``host`` or ``host:port`` (IPv6 in brackets).

    URLs, paths, user info, whitespace and out-of-range ports are refused.
    """
    if not isinstance(value, str) or not value.strip():
        raise MieleConfigError("host", "must not be empty")
    text = value.strip()
    if any(ch in text for ch in "/@?#\\ \t\r\n") or not text.isascii():
        raise MieleConfigError(
            "host", "must be a host name or IP address, optionally with :port"
        )
    host, port = _split_port(text)
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        if (
            not _HOSTNAME_RE.fullmatch(host)
            or len(host) > 253
            or host.replace(".", "").isdigit()
        ):
            raise MieleConfigError(
                "host", "is not a valid host name or IP address"
            ) from None
        normalised = host.lower()
    else:
        normalised = f"[{address}]" if address.version == 6 else str(address)
    return normalised if port is None else f"{normalised}:{port}"


def _split_port(text: str) -> tuple[str, int | None]:
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise MieleConfigError("host", "has a malformed IPv6 address")
        if ":" not in host:
            raise MieleConfigError("host", "brackets are only for IPv6 addresses")
        return host, _port(rest[1:]) if rest else None
    if text.count(":") > 1:
        return text, None  # bare IPv6 address without a port
    host, sep, port = text.partition(":")
    return host, _port(port) if sep else None


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise MieleConfigError("host", "port must be a number from 1 to 65535")
    return int(text)


@dataclass(frozen=True, slots=True)
class GroupCredentials:
    """A household's GroupID and 64-byte GroupKey, validated on construction.

    The key never appears in its repr or in a validation error.
    """

    group_id: str
    group_key: bytes = field(repr=False)

    def __post_init__(self) -> None:
        """Normalise the GroupID to upper-case hex; require a 64-byte ``bytes`` key."""
        object.__setattr__(self, "group_id", validate_group_id(self.group_id))
        if not isinstance(self.group_key, bytes):
            raise MieleConfigError("group_key", "must be bytes")
        if len(self.group_key) != GROUP_KEY_LENGTH // 2:
            raise MieleConfigError(
                "group_key", f"must be {GROUP_KEY_LENGTH // 2} bytes"
            )

    @classmethod
    def from_hex(cls, group_id: object, group_key: object) -> GroupCredentials:
        """Validate hex strings (raises MieleConfigError naming the bad field)."""
        return cls(validate_group_id(group_id), validate_group_key(group_key))

    @classmethod
    def generate(cls) -> GroupCredentials:
        """Create a fresh household key with the ``secrets`` module."""
        return cls(secrets.token_bytes(8).hex().upper(), secrets.token_bytes(64))

    @property
    def group_key_hex(self) -> str:
        """The key as 128 upper-case hex characters (for storage and commissioning only)."""
        return self.group_key.hex().upper()

    def __repr__(self) -> str:
        return f"GroupCredentials(group_id={self.group_id!r}, group_key=<redacted>)"

    __str__ = __repr__
