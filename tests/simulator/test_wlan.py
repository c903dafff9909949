"""``GET /WLAN/``: the keys real modules are reported to serve, in the modules' layout."""

from __future__ import annotations

import json

import pytest

from simulator import SimulatedAppliance
from simulator.documents import WLAN_KEY_PLACEHOLDER, module_json
from tests.simulator.rawclient import send

KEYS = ["IP", "SSID", "RSSI", "Percentage", "Gateway", "DNS1", "Key"]


@pytest.fixture
async def washer(creds):
    async with SimulatedAppliance("washer", credentials=creds) as sim:
        yield sim


@pytest.mark.parametrize("path", ["/WLAN/", "/WLAN"])
async def test_wlan_serves_the_reported_keys(session, creds, washer, path):
    answer = await send(session, washer.host, creds, "GET", path)
    assert answer.status == 200
    document = answer.json(creds)
    assert list(document) == KEYS
    assert document["IP"] == washer.host.rsplit(":", 1)[0]
    assert document["SSID"] == "MieleLocalSim"
    assert document["RSSI"] == -61
    assert document["Percentage"] == 78
    assert document["Gateway"] == document["DNS1"] == "192.168.1.1"
    assert document["Key"] == WLAN_KEY_PLACEHOLDER
    assert creds.group_key_hex not in json.dumps(document).upper()


async def test_wlan_is_tab_indented(session, creds, washer):
    plaintext = (await send(session, washer.host, creds, "GET", "/WLAN/")).plaintext(
        creds
    )
    assert plaintext == module_json(json.loads(plaintext))
    assert plaintext.startswith(b'{\n\t"IP":"')
    assert b'\n\t"RSSI":-61,\n\t"Percentage":78,\n' in plaintext
    assert plaintext.endswith(b'"\n}\n')


async def test_wlan_needs_a_signature(session, washer):
    answer = await send(session, washer.host, None, "GET", "/WLAN/")
    assert answer.status == 401
    assert answer.ciphertext == b""
