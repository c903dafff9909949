"""Every endpoint over a real socket, signature checks and response sealing."""

from __future__ import annotations

import asyncio
import json

import pytest

from mielelocal import crypto
from mielelocal.client import MieleClient
from mielelocal.credentials import GroupCredentials
from mielelocal.exceptions import MieleSecurityError
from simulator import RequestRecord, SimulatedAppliance
from tests.simulator.rawclient import send

PAIRING = {"Authorization": "MielePairing:Pairing"}


@pytest.fixture
async def washer(creds):
    async with SimulatedAppliance("washer", credentials=creds) as sim:
        yield sim


async def test_devices_lists_the_appliance_keyed_by_fab_number(session, creds, washer):
    answer = await send(session, washer.host, creds, "GET", "/Devices/")
    assert answer.status == 200
    devices = answer.json(creds)
    assert list(devices) == [washer.device_id]
    assert len(washer.device_id) == 12
    assert washer.device_id.isdigit()
    assert devices[washer.device_id] == {
        "href": f"{washer.device_id}/",
        "Group": creds.group_id,
        "Pairing": False,
    }


async def test_ident_state_and_settings(session, creds, washer):
    base = f"/Devices/{washer.device_id}"
    ident = (await send(session, washer.host, creds, "GET", f"{base}/Ident")).json(
        creds
    )
    assert ident["XKMIdentLabel"]["TechType"] == "EK037"
    state = (await send(session, washer.host, creds, "GET", f"{base}/State")).json(
        creds
    )
    assert state["Status"] == 5
    assert state["SpinningSpeed"] == 1600
    assert state["RemainingTime"] == [0, 55]
    settings = await send(session, washer.host, creds, "GET", f"{base}/Settings")
    assert settings.status == 200
    assert "Language" in settings.json(creds)


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/Update", "NewerAvailable"),
        ("/Update/", "CurrentVersion"),
        ("/WLAN", "RSSI"),
        ("/Security", "Pairing"),
    ],
)
async def test_module_documents(session, creds, washer, path, field):
    answer = await send(session, washer.host, creds, "GET", path)
    assert answer.status == 200
    document = answer.json(creds)
    assert field in document
    assert creds.group_key_hex not in json.dumps(document).upper()


async def test_responses_are_space_padded_signed_and_encrypted(session, creds, washer):
    answer = await send(
        session, washer.host, creds, "GET", f"/Devices/{washer.device_id}/Ident"
    )
    assert answer.headers["Content-Type"] == crypto.CONTENT_TYPE
    assert answer.headers["Date"].endswith("GMT")
    group_id, signature = crypto.parse_authorization(answer.headers["X-Signature"])
    assert group_id == creds.group_id
    assert len(answer.ciphertext) % 16 == 0
    padded = crypto.decrypt(creds.group_key, signature, answer.ciphertext)
    body = padded.rstrip(b" ")
    assert padded == body + b" " * (len(padded) - len(body))
    assert json.loads(body)["DeviceType"] == 1
    expected = crypto.hmac_sha256(
        creds.group_key,
        crypto.response_text(200, crypto.CONTENT_TYPE, answer.headers["Date"], padded),
    )
    assert signature == expected
    with pytest.raises(MieleSecurityError):
        answer.plaintext(GroupCredentials(creds.group_id, bytes(64)))


async def test_unknown_device_paths_and_methods_answer_404(session, creds, washer):
    for method, path in [
        ("GET", "/Devices/000999999999/State"),
        ("GET", "/Devices/000999999999/Ident"),
        ("GET", f"/Devices/{washer.device_id}/Nothing"),
        ("GET", "/"),
        ("DELETE", "/Devices/"),
    ]:
        answer = await send(session, washer.host, creds, method, path)
        assert answer.status == 404, path
        assert "X-Signature" not in answer.headers


async def test_dop2_is_signed_with_its_query_and_unsupported(session, creds, washer):
    path = f"/Devices/{washer.device_id}/DOP2/2/1585?idx1=0&idx2=1"
    answer = await send(session, washer.host, creds, "GET", path)
    assert answer.status == 404  # verified (not 403), then unsupported
    assert washer.requests[-1] == RequestRecord("GET", path, 404)


async def test_unsigned_requests_answer_401(session, washer):
    for path in ("/", "/Devices/", f"/Devices/{washer.device_id}/State"):
        assert (await send(session, washer.host, None, "GET", path)).status == 401
    other_scheme = {"Authorization": "Basic dXNlcjpwYXNz"}
    answer = await send(
        session, washer.host, None, "GET", "/Devices/", headers=other_scheme
    )
    assert answer.status == 401


async def test_wrong_key_group_or_signature_answer_403(session, creds, washer):
    wrong_key = GroupCredentials(creds.group_id, bytes(range(64)))
    wrong_group = GroupCredentials("0123456789ABCDEF", creds.group_key)
    for other in (wrong_key, wrong_group):
        answer = await send(session, washer.host, other, "GET", "/Devices/")
        assert answer.status == 403
    malformed = {"Authorization": "MieleH256 nonsense"}
    answer = await send(
        session, washer.host, creds, "GET", "/Devices/", headers=malformed
    )
    assert answer.status == 403


async def test_signature_covers_the_exact_host_header(session, creds, washer):
    moved = {"Host": f"localhost:{washer.port}"}
    answer = await send(session, washer.host, creds, "GET", "/Devices/", headers=moved)
    assert answer.status == 403


async def test_tampered_body_answers_403_and_changes_nothing(session, creds, washer):
    path = f"/Devices/{washer.device_id}/State"
    answer = await send(
        session, washer.host, creds, "PUT", path, {"ProcessAction": 3}, tamper=True
    )
    assert answer.status == 403
    assert washer.actions == []
    assert washer.state["Status"] == 5


async def test_body_signed_unpadded_answers_403(session, creds, washer):
    path = f"/Devices/{washer.device_id}/State"
    host, date = washer.host, "Thu, 01 Jan 1970 02:09:22 GMT"
    body = b'{"ProcessAction": 3}'
    padded = crypto.pad_json(body)
    wrong = crypto.hmac_sha256(
        creds.group_key,
        crypto.request_text(
            "PUT", host, path, crypto.CONTENT_TYPE, crypto.ACCEPT, date, body
        ),
    )
    headers = {
        "Authorization": crypto.format_authorization(creds.group_id, wrong),
        "Content-Type": crypto.CONTENT_TYPE,
        "Accept": crypto.ACCEPT,
        "Date": date,
    }
    data = crypto.encrypt(creds.group_key, wrong, padded)
    async with session.put(
        f"http://{host}{path}", data=data, headers=headers
    ) as answer:
        assert answer.status == 403
    assert washer.actions == []


async def test_body_not_whole_blocks_answers_403(session, creds, washer):
    path = f"/Devices/{washer.device_id}/State"
    signature, _ = crypto.seal_request(
        creds.group_key, "PUT", washer.host, path, "", crypto.ACCEPT, "", b"{}"
    )
    headers = {
        "Authorization": crypto.format_authorization(creds.group_id, signature),
        "Accept": crypto.ACCEPT,
    }
    async with session.put(
        f"http://{washer.host}{path}", data=b"short", headers=headers
    ) as answer:
        assert answer.status == 403


async def test_action_answers_signed_204_and_changes_state(session, creds, washer):
    path = f"/Devices/{washer.device_id}/State"
    answer = await send(session, washer.host, creds, "PUT", path, {"ProcessAction": 3})
    assert answer.status == 204
    assert answer.ciphertext == b""
    assert answer.plaintext(creds) == b""  # signature over the empty body verifies
    assert washer.actions == [{"ProcessAction": 3}]
    assert washer.state["Status"] == 6
    state = (await send(session, washer.host, creds, "GET", path)).json(creds)
    assert state["Status"] == 6
    assert washer.requests[-2:] == [
        RequestRecord("PUT", path, 204),
        RequestRecord("GET", path, 200),
    ]


async def test_no_op_and_malformed_writes_answer_400(session, creds, washer):
    path = f"/Devices/{washer.device_id}/State"
    for payload in ({"Light": 1}, "not an object", {"ProcessAction": 1}):
        answer = await send(session, washer.host, creds, "PUT", path, payload)
        assert answer.status == 400
    assert washer.actions == []
    ident = f"/Devices/{washer.device_id}/Ident"
    assert (
        await send(session, washer.host, creds, "PUT", ident, {"Light": 1})
    ).status == 404


async def test_fridge_freezer_refuses_writes_but_reads(session, creds):
    async with SimulatedAppliance("fridge_freezer", credentials=creds) as sim:
        path = f"/Devices/{sim.device_id}/State"
        answer = await send(session, sim.host, creds, "PUT", path, {"ProcessAction": 4})
        assert answer.status == 403
        state = (await send(session, sim.host, creds, "GET", path)).json(creds)
        assert state["TargetTemperature"][:2] == [400, -1800]


async def test_superfreeze_and_light_over_http(session, creds):
    async with (
        SimulatedAppliance(
            "fridge_freezer", credentials=creds, writes_allowed=True
        ) as fridge,
        SimulatedAppliance("oven", credentials=creds) as oven,
    ):
        path = f"/Devices/{fridge.device_id}/State"
        assert (
            await send(session, fridge.host, creds, "PUT", path, {"ProcessAction": 4})
        ).status == 204
        assert fridge.state["Status"] == 13
        path = f"/Devices/{oven.device_id}/State"
        assert (
            await send(session, oven.host, creds, "PUT", path, {"Light": 2})
        ).status == 204
        assert (
            await send(session, oven.host, creds, "PUT", path, {"Light": 2})
        ).status == 400
        assert oven.actions == [{"Light": 2}]
        assert fridge.device_id != oven.device_id


async def test_countdown_over_http_with_high_speed(session, creds):
    async with SimulatedAppliance("washer", credentials=creds, speed=6000.0) as sim:
        sim.update_state(RemainingTime=[0, 2], ElapsedTime=[0, 0])
        path = f"/Devices/{sim.device_id}/State"
        state = (await send(session, sim.host, creds, "GET", path)).json(creds)
        for _ in range(200):
            if state["Status"] == 7:
                break
            await asyncio.sleep(0.01)
            state = (await send(session, sim.host, creds, "GET", path)).json(creds)
        assert state["Status"] == 7
        assert state["ProgramPhase"] == 268
        assert state["RemainingTime"] == [0, 0]
        assert state["ElapsedTime"] == [0, 2]


async def test_commissioning_an_unpaired_appliance(session, creds):
    async with SimulatedAppliance("oven", paired=False) as sim:
        assert sim.credentials is None
        assert not sim.paired
        path = "/Security/Commissioning/"
        body = {"GroupID": creds.group_id, "GroupKey": creds.group_key_hex}
        assert (await send(session, sim.host, creds, "GET", "/Devices/")).status == 403
        assert (await send(session, sim.host, None, "GET", path)).status == 405
        assert (await send(session, sim.host, None, "PUT", path, body)).status == 404
        answer = await send(
            session, sim.host, None, "PUT", path, raw=b"{", headers=PAIRING
        )
        assert answer.status == 400
        bad = {"GroupID": creds.group_id, "GroupKey": "ABC"}
        for wrong in (bad, ["list"], "text"):
            answer = await send(
                session, sim.host, None, "PUT", path, wrong, headers=PAIRING
            )
            assert answer.status == 400
        answer = await send(session, sim.host, None, "PUT", path, body, headers=PAIRING)
        assert answer.status == 204
        assert sim.credentials == creds
        assert (await send(session, sim.host, creds, "GET", "/Devices/")).status == 200
        again = await send(session, sim.host, None, "PUT", path, body, headers=PAIRING)
        assert again.status == 403


async def test_commissioning_a_paired_appliance_answers_403(session, creds, washer):
    other = GroupCredentials.generate()
    body = {"GroupID": other.group_id, "GroupKey": other.group_key_hex}
    answer = await send(
        session,
        washer.host,
        None,
        "PUT",
        "/Security/Commissioning",
        body,
        headers=PAIRING,
    )
    assert answer.status == 403
    assert washer.credentials == creds


async def test_wlan_and_security_describe_the_module(session, creds, washer):
    wlan = (await send(session, washer.host, creds, "GET", "/WLAN")).json(creds)
    assert wlan["IP"] == "127.0.0.1"
    security = (await send(session, washer.host, creds, "GET", "/Security")).json(creds)
    assert security["Pairing"] is True
    assert security["Group"] == creds.group_id


async def test_signed_commissioning_confirmation(session, creds, washer):
    path = "/Security/Commissioning/"
    body = {"GroupID": creds.group_id, "GroupKey": creds.group_key_hex}
    answer = await send(session, washer.host, creds, "PUT", path, body)
    assert answer.status == 204
    assert answer.plaintext(creds) == b""
    other = GroupCredentials.generate()
    for wrong in (
        {"GroupID": creds.group_id, "GroupKey": other.group_key_hex},
        {"GroupID": creds.group_id},
        "text",
    ):
        answer = await send(session, washer.host, creds, "PUT", path, wrong)
        assert answer.status == 400
    assert (await send(session, washer.host, creds, "GET", path)).status == 405
    assert (await send(session, washer.host, other, "PUT", path, body)).status == 403
    tampered = await send(session, washer.host, creds, "PUT", path, body, tamper=True)
    assert tampered.status == 403
    assert washer.credentials == creds
    assert washer.actions == []


async def test_confirmation_follows_the_faults(session, creds, washer):
    path = "/Security/Commissioning/"
    body = {"GroupID": creds.group_id, "GroupKey": creds.group_key_hex}
    washer.set_fault("sleep")
    assert (await send(session, washer.host, creds, "PUT", path, body)).status == 500
    washer.set_fault("bad_signature")
    answer = await send(session, washer.host, creds, "PUT", path, body)
    assert answer.status == 204
    with pytest.raises(MieleSecurityError):
        answer.plaintext(creds)


async def test_client_commissions_and_confirms(creds):
    async with (
        SimulatedAppliance("washer", paired=False) as sim,
        MieleClient(sim.host, creds) as client,
    ):
        await client.commission(creds)
        await client.confirm_commissioning()
        assert sim.credentials == creds
        assert [(r.method, r.status) for r in sim.requests] == [("PUT", 204)] * 2


async def test_unvalidated_commissioning_stores_a_malformed_pairing(session, creds):
    path = "/Security/Commissioning/"
    async with SimulatedAppliance(
        "washer", paired=False, validate_commissioning=False, control_port=0
    ) as sim:
        bad = {"GroupID": creds.group_id, "GroupKey": "ABC"}
        answer = await send(session, sim.host, None, "PUT", path, bad, headers=PAIRING)
        assert answer.status == 204
        assert sim.paired
        assert sim.credentials is None
        async with session.get(f"http://127.0.0.1:{sim.control_port}/status") as reply:
            status = await reply.json()
        assert (status["paired"], status["group_id"]) == (True, None)
        assert (await send(session, sim.host, creds, "GET", "/Devices/")).status == 403
        body = {"GroupID": creds.group_id, "GroupKey": creds.group_key_hex}
        again = await send(session, sim.host, None, "PUT", path, body, headers=PAIRING)
        assert again.status == 403  # bricked until a reset from the panel
        sim.set_fault("reset")
        assert not sim.paired
        answer = await send(session, sim.host, None, "PUT", path, body, headers=PAIRING)
        assert answer.status == 204
        assert sim.credentials == creds
        assert (await send(session, sim.host, creds, "GET", "/Devices/")).status == 200


async def test_unvalidated_commissioning_accepts_a_good_body(session, creds):
    path = "/Security/Commissioning/"
    body = {"GroupID": creds.group_id, "GroupKey": creds.group_key_hex}
    async with SimulatedAppliance(
        "oven", paired=False, validate_commissioning=False
    ) as sim:
        answer = await send(session, sim.host, None, "PUT", path, raw=b"{")
        assert answer.status == 404  # the pairing header is still required
        answer = await send(session, sim.host, None, "PUT", path, body, headers=PAIRING)
        assert answer.status == 204
        assert sim.credentials == creds
