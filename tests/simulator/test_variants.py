"""Firmware variants (combinable) and the runtime latency, over every interface."""

from __future__ import annotations

import asyncio
import time

import pytest

from simulator import SimulatedAppliance, Variant
from simulator.__main__ import build_appliance, build_parser
from simulator.variants import short_signature_hex
from tests.simulator.rawclient import send

PAIRING = {"Authorization": "MielePairing:Pairing"}


def state_path(sim: SimulatedAppliance) -> str:
    return f"/Devices/{sim.device_id}/State"


def test_variants_from_python_and_unknown_names_refused() -> None:
    sim = SimulatedAppliance(variants=["plain_minutes"])
    assert sim.variants == {Variant.PLAIN_MINUTES}
    sim.set_variant("unsigned_204")
    sim.set_variant("plain_minutes", on=False)
    assert sim.variants == {Variant.UNSIGNED_204}
    with pytest.raises(ValueError, match="embedded_ident"):
        sim.set_variant("loud")
    with pytest.raises(ValueError, match="plain_minutes"):
        SimulatedAppliance(variants=["quiet"])


async def test_plain_minutes_serves_times_as_integers(session, creds):
    async with SimulatedAppliance(
        "washer", credentials=creds, variants=["plain_minutes"]
    ) as sim:
        state = (await send(session, sim.host, creds, "GET", state_path(sim))).json(
            creds
        )
        times = (state["RemainingTime"], state["ElapsedTime"], state["StartTime"])
        assert times == (55, 19, 0)
        assert sim.state["RemainingTime"][0] == 0  # held as [h, m], served plain
        sim.set_variant("plain_minutes", on=False)
        state = (await send(session, sim.host, creds, "GET", state_path(sim))).json(
            creds
        )
        assert isinstance(state["RemainingTime"], list)


async def test_plain_minute_times_are_accepted_and_count_down(session, creds):
    async with SimulatedAppliance("washer", credentials=creds, speed=60.0) as sim:
        sim.update_state(RemainingTime=10, ElapsedTime=79, StartTime=0)
        await asyncio.sleep(0.05)
        state = (await send(session, sim.host, creds, "GET", state_path(sim))).json(
            creds
        )
        assert state["RemainingTime"] in (9, 10)
        assert state["ElapsedTime"] == 79
        assert state["StartTime"] == 0
        for bad in (-1, True, "10", [1]):
            with pytest.raises(ValueError, match="minutes"):
                sim.update_state(RemainingTime=bad)


async def test_waiting_for_app_reports_status_12_until_confirmed(session):
    async with SimulatedAppliance(
        "oven", paired=False, variants=["waiting_for_app"]
    ) as sim:
        creds_body = {"GroupID": "0123456789ABCDEF", "GroupKey": "AB" * 64}
        path = "/Security/Commissioning/"
        answer = await send(
            session, sim.host, None, "PUT", path, creds_body, headers=PAIRING
        )
        assert answer.status == 204
        creds = sim.credentials
        assert creds is not None
        state = (await send(session, sim.host, creds, "GET", state_path(sim))).json(
            creds
        )
        assert state["Status"] == 12
        assert sim.state["Status"] == 5  # the appliance underneath is unchanged
        wrong = {"GroupID": creds.group_id, "GroupKey": "CD" * 64}
        assert (await send(session, sim.host, creds, "PUT", path, wrong)).status == 400
        assert (
            await send(session, sim.host, creds, "PUT", path, creds_body)
        ).status == 204
        state = (await send(session, sim.host, creds, "GET", state_path(sim))).json(
            creds
        )
        assert state["Status"] == 5


async def test_without_waiting_for_app_commissioning_keeps_the_state(session, creds):
    async with SimulatedAppliance("oven", paired=False) as sim:
        body = {"GroupID": creds.group_id, "GroupKey": creds.group_key_hex}
        path = "/Security/Commissioning/"
        await send(session, sim.host, None, "PUT", path, body, headers=PAIRING)
        sim.set_variant("waiting_for_app")  # too late: only a commissioning starts it
        state = (await send(session, sim.host, creds, "GET", state_path(sim))).json(
            creds
        )
        assert state["Status"] == 5


async def test_waiting_for_app_switched_off_ends_the_wait(session, creds):
    async with SimulatedAppliance(
        "washer", credentials=creds, variants=["waiting_for_app"]
    ) as sim:
        sim.set_fault("reset")
        body = {"GroupID": creds.group_id, "GroupKey": creds.group_key_hex}
        path = "/Security/Commissioning/"
        await send(session, sim.host, None, "PUT", path, body, headers=PAIRING)
        assert sim._served_state()["Status"] == 12
        sim.set_variant("waiting_for_app", on=False)
        assert sim._served_state()["Status"] == 5


async def test_unsigned_204_answers_writes_without_a_signature(session, creds):
    async with SimulatedAppliance(
        "washer", credentials=creds, variants=["unsigned_204"]
    ) as sim:
        answer = await send(
            session, sim.host, creds, "PUT", state_path(sim), {"ProcessAction": 3}
        )
        assert answer.status == 204
        assert "X-Signature" not in answer.headers
        assert sim.actions == [{"ProcessAction": 3}]
        reading = await send(session, sim.host, creds, "GET", state_path(sim))
        assert reading.json(creds)["Status"] == 6  # 200s stay signed
        sim.set_variant("unsigned_204", on=False)
        answer = await send(
            session, sim.host, creds, "PUT", state_path(sim), {"ProcessAction": 1}
        )
        assert answer.status == 204
        assert answer.plaintext(creds) == b""


async def test_control_api_switches_variants_and_latency(session, creds):
    async with SimulatedAppliance("washer", credentials=creds, control_port=0) as sim:
        url = f"http://127.0.0.1:{sim.control_port}"
        async with session.post(
            f"{url}/variant", json={"name": "plain_minutes", "on": True}
        ) as reply:
            assert reply.status == 200
            assert (await reply.json())["variants"] == ["plain_minutes"]
        async with session.post(
            f"{url}/variant", json={"name": "unsigned_204"}
        ) as reply:
            assert (await reply.json())["variants"] == ["plain_minutes", "unsigned_204"]
        for bad in ({"name": "loud"}, {"name": 1}, {"name": "plain_minutes", "on": 1}):
            async with session.post(f"{url}/variant", json=bad) as reply:
                assert reply.status == 400
        async with session.post(
            f"{url}/variant", json={"name": "plain_minutes", "on": False}
        ) as reply:
            assert (await reply.json())["variants"] == ["unsigned_204"]
        async with session.post(f"{url}/latency", json={"seconds": 0.3}) as reply:
            assert reply.status == 200
            assert (await reply.json())["latency"] == 0.3
        assert sim.latency == 0.3
        start = time.monotonic()
        await send(session, sim.host, creds, "GET", state_path(sim))
        assert time.monotonic() - start >= 0.3
        for refused in ({"seconds": -1}, {"seconds": "3"}, {"seconds": True}, {}):
            async with session.post(f"{url}/latency", json=refused) as reply:
                assert reply.status == 400
        async with session.get(f"{url}/status") as reply:
            assert (await reply.json())["latency"] == 0.3


def test_latency_attribute_is_validated() -> None:
    sim = SimulatedAppliance(latency=4.2)
    sim.latency = 4.9
    assert sim.latency == 4.9
    for bad in (-0.1, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="latency"):
            sim.latency = bad
    assert sim.latency == 4.9


def test_cli_variants_and_fault() -> None:
    args = build_parser().parse_args(
        [
            "--unpaired",
            "--variant",
            "plain_minutes",
            "--variant",
            "embedded_ident",
            "--fault",
            "busy",
            "--latency",
            "4.2",
        ]
    )
    sim = build_appliance(args)
    assert sim.variants == {Variant.PLAIN_MINUTES, Variant.EMBEDDED_IDENT}
    assert sim.fault == "busy"
    assert sim.latency == 4.2
    plain = build_appliance(build_parser().parse_args(["--unpaired"]))
    assert plain.variants == frozenset()
    assert plain.fault == "none"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--variant", "loud"])


async def test_empty_ident_answers_an_empty_document_until_switched_off(session, creds):
    async with SimulatedAppliance(
        "hood", credentials=creds, variants=["empty_ident"]
    ) as sim:
        path = f"/Devices/{sim.device_id}/Ident"
        assert (await send(session, sim.host, creds, "GET", path)).json(creds) == {}
        listing = await send(session, sim.host, creds, "GET", "/Devices/")
        assert sim.device_id in listing.json(creds)  # the listing is unchanged
        sim.set_variant("empty_ident", on=False)
        ident = (await send(session, sim.host, creds, "GET", path)).json(creds)
        assert ident["DeviceIdentLabel"]["FabNumber"] == sim.device_id


async def test_start_ignored_answers_204_and_changes_nothing(session, creds):
    async with SimulatedAppliance(
        "dishwasher", credentials=creds, variants=["start_ignored"]
    ) as sim:
        start = {"ProcessAction": 1}
        answer = await send(session, sim.host, creds, "PUT", state_path(sim), start)
        assert answer.status == 204
        assert answer.plaintext(creds) == b""
        assert sim.actions == [start]
        state = await send(session, sim.host, creds, "GET", state_path(sim))
        assert state.json(creds)["Status"] == 4  # still waiting to start
        stop = {"ProcessAction": 2}
        answer = await send(session, sim.host, creds, "PUT", state_path(sim), stop)
        assert answer.status == 204  # other actions work
        assert sim.state["Status"] == 2
        sim.set_variant("start_ignored", on=False)
        sim.update_state(Status=4, RemainingTime=[1, 0])
        await send(session, sim.host, creds, "PUT", state_path(sim), start)
        assert sim.state["Status"] == 5


async def test_start_ignored_keeps_refusing_on_a_module_refusing_writes(session, creds):
    async with SimulatedAppliance(
        "fridge_freezer", credentials=creds, variants=["start_ignored"]
    ) as sim:
        start = {"ProcessAction": 1}
        answer = await send(session, sim.host, creds, "PUT", state_path(sim), start)
        assert answer.status == 403
        assert sim.actions == []


async def test_short_signature_hex_drops_a_leading_zero_and_counts_it(session, creds):
    async with SimulatedAppliance(
        "washer", credentials=creds, variants=["short_signature_hex"]
    ) as sim:
        lengths: set[int] = set()
        for minutes in range(200):  # one hex in 16 begins with 0
            sim.update_state(SpinningSpeed=minutes)  # a new body, a new signature
            answer = await send(session, sim.host, creds, "GET", state_path(sim))
            sig_hex = answer.headers["X-Signature"].rpartition(":")[2]
            lengths.add(len(sig_hex))
            assert answer.json(creds)["SpinningSpeed"] == minutes  # verifies
            if len(sig_hex) == 63:
                assert sim.shortened_signatures == 1
                break
        assert 63 in lengths
        sim.set_variant("short_signature_hex", on=False)
        for minutes in range(40):
            sim.update_state(SpinningSpeed=1000 + minutes)
            answer = await send(session, sim.host, creds, "GET", state_path(sim))
            assert len(answer.headers["X-Signature"].rpartition(":")[2]) == 64
        assert sim.shortened_signatures == 1


def test_short_signature_hex_only_drops_a_zero() -> None:
    assert short_signature_hex("MieleH256 0011AABB0011AABB:0A1B") == (
        "MieleH256 0011AABB0011AABB:A1B"
    )
    assert short_signature_hex("MieleH256 0011AABB0011AABB:A01B") is None
    assert short_signature_hex("no signature") is None


async def test_field_report_variants_over_cli_and_control_api(session, creds):
    names = ["empty_ident", "start_ignored", "short_signature_hex"]
    args = ["--unpaired"]
    for name in names:
        args += ["--variant", name]
    sim = build_appliance(build_parser().parse_args(args))
    assert sim.variants == {
        Variant.EMPTY_IDENT,
        Variant.START_IGNORED,
        Variant.SHORT_SIGNATURE_HEX,
    }
    async with SimulatedAppliance("washer", credentials=creds, control_port=0) as sim:
        url = f"http://127.0.0.1:{sim.control_port}/variant"
        for name in names:
            async with session.post(url, json={"name": name, "on": True}) as reply:
                assert reply.status == 200
        assert sorted(sim.variants) == sorted(names)
        async with session.post(
            url, json={"name": "empty_ident", "on": False}
        ) as reply:
            assert (await reply.json())["variants"] == [
                "short_signature_hex",
                "start_ignored",
            ]
