"""WlanInfo: the module's Wi-Fi connection, parsed tolerantly, never keeping the ``Key``."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING

import aiohttp
import pytest

from mielelocal import WlanInfo
from mielelocal.client import MieleClient
from mielelocal.credentials import GroupCredentials
from mielelocal.exceptions import MieleAuthError, MieleProtocolError, MieleResponseError
from mielelocal.models import thawed
from simulator import SimulatedAppliance, documents

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

pytestmark = pytest.mark.usefixtures("socket_enabled")

CREDS = GroupCredentials.from_hex("0123456789ABCDEF", "5A" * 32 + "C3" * 32)
SECRET = "correct horse battery staple"
FIELD = {
    "IP": "192.168.1.50",
    "SSID": "HomeNet",
    "RSSI": -61,
    "Percentage": 78,
    "Gateway": "192.168.1.1",
    "DNS1": "192.168.1.1",
    "Key": SECRET,
}


def _shown(info: WlanInfo) -> str:
    """Everything a diagnostics dump or a log line could show of ``info``."""
    return f"{info!r} {info} {json.dumps(thawed(info.raw))}"


def test_parses_the_field_document() -> None:
    info = WlanInfo.from_json(FIELD)
    assert info == WlanInfo(
        rssi=-61,
        percentage=78,
        ssid="HomeNet",
        ip="192.168.1.50",
        gateway="192.168.1.1",
        raw={},
    )
    assert dict(info.raw) == {k: v for k, v in FIELD.items() if k != "Key"}
    assert info.raw["DNS1"] == "192.168.1.1"


def test_key_is_never_kept() -> None:
    info = WlanInfo.from_json(FIELD)
    assert "Key" not in info.raw
    assert SECRET not in _shown(info)
    assert "Key" not in repr(info)


def test_key_is_dropped_in_any_case_and_at_any_depth() -> None:
    config = {"Sec": "WPA2", "Key": SECRET}
    document = {
        "key": SECRET,
        "KEY": SECRET,
        "Profiles": [{"SSID": "Other", "Key": SECRET}],
        "Config": config,
    }
    info = WlanInfo.from_json(document)
    assert SECRET not in _shown(info)
    assert thawed(info.raw) == {
        "Profiles": [{"SSID": "Other"}],
        "Config": {"Sec": "WPA2"},
    }
    assert config["Key"] == SECRET  # the caller's document is left alone


def test_raw_is_read_only() -> None:
    info = WlanInfo.from_json({"List": [1, {"A": 2}], "SSID": "HomeNet"})
    assert info.raw["List"] == (1, {"A": 2})
    with pytest.raises(TypeError):
        info.raw["SSID"] = "x"  # type: ignore[index]
    nested = info.raw["List"]
    assert isinstance(nested, tuple)
    with pytest.raises(TypeError):
        nested[1]["A"] = 3


@pytest.mark.parametrize(
    ("rssi", "expected"),
    [
        (-120, -120),
        (0, 0),
        (-61, -61),
        (-121, None),
        (1, None),
        (61, None),
        ("-61", None),
        (-61.0, None),
        (True, None),
        (None, None),
        ([-61], None),
    ],
)
def test_rssi_outside_minus_120_to_0_is_none(
    rssi: object, expected: int | None
) -> None:
    assert WlanInfo.from_json({"RSSI": rssi}).rssi == expected


@pytest.mark.parametrize(
    ("percentage", "expected"),
    [
        (0, 0),
        (100, 100),
        (78, 78),
        (101, None),
        (-1, None),
        ("78", None),
        (False, None),
    ],
)
def test_percentage_outside_0_to_100_is_none(
    percentage: object, expected: int | None
) -> None:
    assert WlanInfo.from_json({"Percentage": percentage}).percentage == expected


@pytest.mark.parametrize("value", ["", 12, None, ["HomeNet"], {"a": 1}, True])
def test_odd_text_fields_are_none(value: object) -> None:
    info = WlanInfo.from_json({"SSID": value, "IP": value, "Gateway": value})
    assert (info.ssid, info.ip, info.gateway) == (None, None, None)


def test_missing_fields_are_none() -> None:
    info = WlanInfo.from_json({})
    assert info == WlanInfo(None, None, None, None, None, raw={})


@pytest.mark.parametrize("document", [None, [], "WLAN", 3])
def test_not_an_object_raises(document: object) -> None:
    with pytest.raises(MieleProtocolError, match="not a JSON object"):
        WlanInfo.from_json(document)


def test_nesting_too_deep_raises() -> None:
    document: dict[str, object] = {}
    inner = document
    for _ in range(5_000):
        inner["A"] = inner = {}
    with pytest.raises(MieleProtocolError, match="nested too deeply"):
        WlanInfo.from_json(document)


# Against the simulator, over real sockets


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


@pytest.fixture
async def washer(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[SimulatedAppliance]:
    monkeypatch.setattr(documents, "WLAN_KEY_PLACEHOLDER", SECRET)
    async with SimulatedAppliance("washer", credentials=CREDS) as sim:
        yield sim


async def test_client_reads_wlan_with_one_signed_get(
    washer: SimulatedAppliance,
    session: aiohttp.ClientSession,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    client = MieleClient(washer.host, CREDS, session=session)
    info = await client.get_wlan()
    assert [(r.method, r.path, r.status) for r in washer.requests] == [
        ("GET", "/WLAN/", 200)
    ]
    assert info.rssi == -61
    assert info.percentage == 78
    assert info.ssid == "MieleLocalSim"
    assert info.ip == washer.host.rsplit(":", 1)[0]
    assert info.gateway == "192.168.1.1"
    assert info.raw["DNS1"] == "192.168.1.1"
    assert "Key" not in info.raw
    assert SECRET not in _shown(info)
    assert SECRET not in caplog.text


async def test_client_wlan_404_is_a_response_error(
    washer: SimulatedAppliance, session: aiohttp.ClientSession
) -> None:
    washer.set_fault("no_key")  # every signed request answered 404
    client = MieleClient(washer.host, CREDS, session=session)
    with pytest.raises(MieleResponseError) as err:
        await client.get_wlan()
    assert err.value.status == 404
    assert not isinstance(err.value, MieleAuthError)
    assert len(washer.requests) == 1
