"""The JSON documents a simulated module serves and the layout it writes them in.

Real modules write JSON tab-indented, one key per line, ``"key":value`` without a space and
arrays on one line, ending in a newline: byte for byte the 426-byte State of a WEC395
washer shown in ha-miele-at-lan issue #8 (pinned in tests/fixtures/wire/).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .appliances import JsonObject


def module_json(document: object) -> bytes:
    """Encode ``document`` in the modules' tab-indented layout."""
    return (_layout(document, 0) + "\n").encode()


def _layout(value: object, depth: int) -> str:
    if isinstance(value, dict) and value:
        inner = "\t" * (depth + 1)
        lines = ",\n".join(
            f"{inner}{json.dumps(key)}:{_layout(item, depth + 1)}"
            for key, item in value.items()
        )
        return "{\n" + lines + "\n" + "\t" * depth + "}"
    return json.dumps(value, separators=(",", ":"))


def listing(device_id: str, group_id: str, *, pairing: bool) -> JsonObject:
    """``GET /Devices/``: each appliance as a link, never its Ident.

    The shape ha-miele-at-lan's push listener serves, "modelled on" appliances, and
    docs/protocol.md "Endpoints"; ``Pairing`` is true while commissioning is open.
    """
    return {device_id: {"href": f"{device_id}/", "Group": group_id, "Pairing": pairing}}


def embedded_listing(device_id: str, group_id: str, ident: JsonObject) -> JsonObject:
    """``GET /Devices/`` with the Ident embedded (the ``embedded_ident`` variant)."""
    return {device_id: {"href": f"{device_id}/", "Group": group_id, "Ident": ident}}


def links(*, supervision: bool) -> JsonObject:
    """``GET /Devices/{fab}/``: links to the appliance's documents.

    docs/protocol.md "Endpoints"; ``SuperVision`` as ha-miele-at-lan's push listener
    lists it, only where the module has SuperVision.
    """
    document: JsonObject = {
        "DOP2": {"href": "DOP2/"},
        "Ident": {"href": "Ident/"},
        "State": {"href": "State/"},
        "Settings": {"href": "Settings/"},
    }
    if supervision:
        document["SuperVision"] = {"href": "SuperVision/"}
    return document


def zeroed(value: object) -> object:
    """Return ``value`` with every number 0, booleans false and hex strings zero bytes.

    The all-zero State of a G7310 in deep standby (ha-miele-at-lan issue #16 and its
    standby-state test): ``StandbyState`` 0 included.
    """
    if isinstance(value, dict):
        return {key: zeroed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [zeroed(item) for item in value]
    if isinstance(value, bool):
        return False
    if isinstance(value, str):
        return "0" * len(value)
    return 0


def settings() -> JsonObject:
    """``GET /Devices/{fab}/Settings``."""
    return {"Language": "en_GB", "TemperatureUnit": 1, "Volume": 2, "Brightness": 4}


def update() -> JsonObject:
    """``GET /Update``."""
    return {
        "NewerAvailable": False,
        "CurrentVersion": "08.32",
        "AvailableVersion": "",
        "Type": "",
        "ReleaseNotes": "",
        "UpdateInProgress": False,
    }


# The Wi-Fi password as this simulated module reports it: real modules were seen carrying
# a ``Key`` in ``/WLAN/`` (ha-miele-at-lan drops it before storing the document, calling
# it the masked password); no capture shows its value, so this is a placeholder.
WLAN_KEY_PLACEHOLDER = "********"


def wlan(device_id: str, address: str) -> JsonObject:
    """``GET /WLAN/``: the module's Wi-Fi connection, with ``IP`` the bind ``address``.

    No capture is public: the keys are those ha-miele-at-lan reads (``IP``, ``SSID``,
    ``RSSI`` in dBm, ``Percentage``, ``Gateway``, ``DNS1``) and drops (``Key``), with
    plausible values. ``device_id`` is unused (one module, one connection).
    """
    return {
        "IP": address,
        "SSID": "MieleLocalSim",
        "RSSI": -61,
        "Percentage": 78,
        "Gateway": "192.168.1.1",
        "DNS1": "192.168.1.1",
        "Key": WLAN_KEY_PLACEHOLDER,
    }


def security(*, paired: bool, group_id: str) -> JsonObject:
    """``GET /Security``."""
    return {
        "Pairing": paired,
        "Group": group_id,
        "Commissioning": {"href": "Commissioning/"},
    }
