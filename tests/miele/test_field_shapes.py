"""
Answers real modules give that the simulator did not: link listings, tab-indented JSON,
plain-integer minutes, 404 for an unknown household key, 503 when busy, blank standby States.

The client runs over real sockets against ``FakeAppliance`` (``test_client.py``).
"""

from __future__ import annotations

from datetime import timedelta
import json
from typing import TYPE_CHECKING, Any

import aiohttp
import pytest

from mielelocal.client import MieleClient
from mielelocal.exceptions import (
    MieleAuthError,
    MieleBusyError,
    MieleCommissioningError,
    MieleProtocolError,
    MieleResponseError,
)
from mielelocal.models import DeviceType, State, Status

from .test_client import CREDS, DEVICE, IDENT, STATE, FakeAppliance, Reply, serving

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable

pytestmark = pytest.mark.usefixtures("socket_enabled")

DRYER = "000177753918"
DRYER_IDENT = {
    **IDENT,
    "DeviceType": 2,
    "DeviceIdentLabel": {"FabNumber": DRYER, "TechType": "TWD640WP", "SWIDs": []},
}


def link(device_id: str) -> dict[str, object]:
    """A ``/Devices/`` entry as modules list it: a link, no Ident."""
    return {"href": f"{device_id}/", "Group": CREDS.group_id, "Pairing": False}


def tabbed(data: object) -> bytes:
    """JSON in the modules' tab-indented layout."""
    return json.dumps(data, indent="\t").encode()


@pytest.fixture
async def appliance() -> AsyncIterator[FakeAppliance]:
    async with serving(FakeAppliance()) as fake:
        yield fake


@pytest.fixture
async def client(appliance: FakeAppliance) -> AsyncIterator[MieleClient]:
    async with aiohttp.ClientSession() as session:
        yield MieleClient(appliance.host, CREDS, session=session, timeout=2.0)


def paths(appliance: FakeAppliance) -> list[str]:
    return [seen.path for seen in appliance.seen]


# /Devices/ listings


async def test_link_entries_are_read_one_ident_each(
    appliance: FakeAppliance, client: MieleClient
) -> None:
    listing = {DRYER: link(DRYER), DEVICE: link(DEVICE)}
    appliance.routes["GET", "/Devices/"] = Reply(body=tabbed(listing))
    appliance.routes["GET", f"/Devices/{DEVICE}/Ident"] = Reply(body=tabbed(IDENT))
    appliance.routes["GET", f"/Devices/{DRYER}/Ident"] = Reply(body=tabbed(DRYER_IDENT))
    devices = await client.get_devices()
    assert list(devices) == [DRYER, DEVICE]
    assert devices[DRYER].device_type is DeviceType.TUMBLE_DRYER
    assert devices[DEVICE].device_type is DeviceType.WASHING_MACHINE
    assert paths(appliance) == [
        "/Devices/",
        f"/Devices/{DRYER}/Ident",
        f"/Devices/{DEVICE}/Ident",
    ]


async def test_embedded_idents_cost_no_further_read(
    appliance: FakeAppliance, client: MieleClient
) -> None:
    listing = {
        DEVICE: {**link(DEVICE), "Ident": IDENT, "State": STATE},
        DRYER: link(DRYER),
    }
    appliance.routes["GET", "/Devices/"] = Reply(body=tabbed(listing))
    appliance.routes["GET", f"/Devices/{DRYER}/Ident"] = Reply(body=tabbed(DRYER_IDENT))
    devices = await client.get_devices()
    assert [ident.fab_number for ident in devices.values()] == [DEVICE, DRYER]
    assert paths(appliance) == ["/Devices/", f"/Devices/{DRYER}/Ident"]


async def test_list_devices_reads_only_the_listing(
    appliance: FakeAppliance, client: MieleClient
) -> None:
    listing = {DRYER: link(DRYER), DEVICE: {**link(DEVICE), "Ident": IDENT}}
    appliance.routes["GET", "/Devices/"] = Reply(body=tabbed(listing))
    assert await client.list_devices() == [DRYER, DEVICE]
    assert paths(appliance) == ["/Devices/"]


@pytest.mark.parametrize(
    ("data", "message"),
    [([link(DEVICE)], "not a JSON object"), ({"../x": link(DEVICE)}, "device_id")],
)
async def test_list_devices_wrong_shape(
    appliance: FakeAppliance, client: MieleClient, data: object, message: str
) -> None:
    appliance.json("GET", "/Devices/", data)
    with pytest.raises(MieleProtocolError, match=message) as err:
        await client.list_devices()
    assert f"{appliance.host}/Devices/" in str(err.value)


async def test_tab_indented_state_parses(
    appliance: FakeAppliance, client: MieleClient
) -> None:
    body = tabbed({**STATE, "ElapsedTime": 2, "RemainingTime": 10})
    assert b"\n\t" in body
    appliance.routes["GET", f"/Devices/{DEVICE}/State"] = Reply(body=body)
    state = await client.get_state(DEVICE)
    assert state.status is Status.RUNNING
    assert state.remaining_time == timedelta(minutes=10)
    assert state.elapsed_time == timedelta(minutes=2)


# Plain-integer minutes


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (10, timedelta(minutes=10)),
        (0, timedelta(0)),
        (119, timedelta(hours=1, minutes=59)),
        ([1, 30], timedelta(hours=1, minutes=30)),
        (True, None),
        (False, None),
        (-1, None),
        (65536, None),
        (1.5, None),
        ("10", None),
    ],
)
def test_times_accept_plain_minutes(value: object, expected: timedelta | None) -> None:
    state = State.from_json(
        {"RemainingTime": value, "StartTime": value, "ElapsedTime": value}
    )
    assert state.remaining_time == expected
    assert state.start_time == expected
    assert state.elapsed_time == expected


# Blank standby sample


def test_all_zero_state_is_blank() -> None:
    zeros: dict[str, Any] = {
        "Status": 0,
        "ProgramType": 0,
        "ProgramID": 0,
        "ProgramPhase": 0,
        "RemainingTime": [0, 0],
        "StartTime": [0, 0],
        "TargetTemperature": [0, 0, 0],
        "Temperature": [0, 0, 0],
        "SignalInfo": 0,
        "SignalFailure": 0,
        "SignalDoor": 0,
        "RemoteEnable": [0, 0, 0],
        "ProcessAction": 0,
        "DeviceAction": 0,
        "Light": 0,
        "StandbyState": 0,
        "ElapsedTime": [0, 0],
        "SpinningSpeed": 0,
    }
    assert State.from_json(zeros).is_blank
    assert State.from_json({}).is_blank


@pytest.mark.parametrize(
    "fields",
    [
        {"Status": 1, "StandbyState": 0},  # off, awake enough to say so
        {"Status": 0, "StandbyState": 1},  # network idle reported
        {"Status": 5},
        STATE,
    ],
)
def test_a_reporting_state_is_not_blank(fields: dict[str, Any]) -> None:
    assert not State.from_json(fields).is_blank


# 404: the module does not know our household key


def _reads(
    client: MieleClient,
) -> dict[str, tuple[str, Callable[[], Awaitable[object]]]]:
    return {
        "get_devices": ("/Devices/", client.get_devices),
        "list_devices": ("/Devices/", client.list_devices),
        "get_ident": (f"/Devices/{DEVICE}/Ident", lambda: client.get_ident(DEVICE)),
        "get_state": (f"/Devices/{DEVICE}/State", lambda: client.get_state(DEVICE)),
    }


@pytest.mark.parametrize(
    "read", ["get_devices", "list_devices", "get_ident", "get_state"]
)
async def test_404_to_a_signed_document_read_is_a_refused_key(
    appliance: FakeAppliance, client: MieleClient, read: str
) -> None:
    path, call = _reads(client)[read]
    appliance.routes["GET", path] = Reply(status=404, sign="none")
    with pytest.raises(MieleAuthError) as err:
        await call()
    assert err.value.status == 404
    assert "does not know this household key (HTTP 404)" in str(err.value)
    assert f"{appliance.host}{path}" in str(err.value)


async def test_404_elsewhere_stays_a_response_error(
    appliance: FakeAppliance, client: MieleClient
) -> None:
    """Generic reads and SuperVision: 404 means "not supported"."""
    supervision = f"/Devices/{DEVICE}/SuperVision"
    calls: list[Callable[[], Awaitable[object]]] = [
        lambda: client.get_json(f"/Devices/{DEVICE}/State"),
        lambda: client.send_signed("PUT", supervision, {"a": 1}),
        lambda: client.stop(DEVICE),
    ]
    for call in calls:
        with pytest.raises(MieleResponseError) as err:
            await call()
        assert err.value.status == 404
    with pytest.raises(MieleCommissioningError):
        await client.commission(CREDS)


# 503: busy


async def test_503_is_a_busy_error(
    appliance: FakeAppliance, client: MieleClient
) -> None:
    for method, path in (
        ("GET", f"/Devices/{DEVICE}/State"),
        ("GET", f"/Devices/{DEVICE}/DOP2/2/1585?idx1=0&idx2=1"),
        ("PUT", f"/Devices/{DEVICE}/State"),
        ("PUT", "/Security/Commissioning/"),
    ):
        appliance.routes[method, path] = Reply(status=503, sign="none")
    calls: list[Callable[[], Awaitable[object]]] = [
        lambda: client.get_state(DEVICE),
        lambda: client.get_json(f"/Devices/{DEVICE}/DOP2/2/1585?idx1=0&idx2=1"),
        lambda: client.start(DEVICE),
        lambda: client.commission(CREDS),
    ]
    for call in calls:
        with pytest.raises(MieleBusyError) as err:
            await call()
        assert err.value.status == 503
        assert "busy (HTTP 503)" in str(err.value)
    assert len(appliance.seen) == 4
