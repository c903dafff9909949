"""The module's Wi-Fi connection (``GET /WLAN/``), without its Wi-Fi password.

Modules answer ``/WLAN/`` with ``IP``, ``SSID``, ``RSSI`` (dBm), ``Percentage`` (signal
quality), ``Gateway``, ``DNS1`` and ``Key``: the Wi-Fi password field, which
ha-miele-at-lan drops before keeping the document. :class:`WlanInfo` drops it too, at
every depth and in any letter case, so it can never reach diagnostics or logs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING

from .exceptions import MieleProtocolError
from .models import _int

if TYPE_CHECKING:
    from collections.abc import Mapping

# Field names never kept (compared case-folded): the Wi-Fi password.
_SECRET_FIELDS = frozenset({"key"})


@dataclass(frozen=True, slots=True)
class WlanInfo:
    """The module's Wi-Fi connection; odd fields are ``None``, the ``Key`` is never kept."""

    rssi: int | None
    """Signal strength in dBm (``RSSI``), from -120 to 0."""
    percentage: int | None
    """Signal quality in per cent (``Percentage``), from 0 to 100."""
    ssid: str | None
    ip: str | None
    gateway: str | None
    raw: Mapping[str, object] = field(compare=False, repr=False)
    """The document, deeply read-only, without ``Key``."""

    @classmethod
    def from_json(cls, obj: object) -> WlanInfo:
        """Parse a ``/WLAN/`` document; only a top level that is not an object raises."""
        if not isinstance(obj, dict):
            raise MieleProtocolError("WLAN is not a JSON object")
        try:
            raw = _without_secrets(obj)
        except RecursionError:
            raise MieleProtocolError("WLAN is nested too deeply") from None
        return cls(
            rssi=_bounded(raw.get("RSSI"), -120, 0),
            percentage=_bounded(raw.get("Percentage"), 0, 100),
            ssid=_name(raw.get("SSID")),
            ip=_name(raw.get("IP")),
            gateway=_name(raw.get("Gateway")),
            raw=raw,
        )


def _without_secrets(obj: Mapping[str, object]) -> Mapping[str, object]:
    """Return ``obj`` read-only, without any secret field at any depth."""
    return MappingProxyType(
        {
            key: _scrubbed(value)
            for key, value in obj.items()
            if key.casefold() not in _SECRET_FIELDS
        }
    )


def _scrubbed(value: object) -> object:
    """Return a JSON value read-only (arrays as tuples), its objects without secrets."""
    if isinstance(value, dict):
        return _without_secrets(value)
    if isinstance(value, list):
        return tuple(_scrubbed(item) for item in value)
    return value


def _bounded(value: object, low: int, high: int) -> int | None:
    """Return a JSON integer from ``low`` to ``high``; anything else is ``None``."""
    number = _int(value)
    return number if number is not None and low <= number <= high else None


def _name(value: object) -> str | None:
    """Return a non-empty string as is; anything else is ``None``."""
    return value if isinstance(value, str) and value else None
