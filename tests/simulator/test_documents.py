"""Field-shaped documents: links in ``/Devices/``, the device document, the modules' layout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mielelocal.models import Ident
from simulator import SimulatedAppliance
from simulator.documents import module_json
from tests.simulator.rawclient import send

WIRE = Path(__file__).parents[1] / "fixtures" / "wire"


@pytest.fixture
async def washer(creds):
    async with SimulatedAppliance("washer", credentials=creds, control_port=0) as sim:
        yield sim


def test_layout_is_byte_for_byte_a_real_modules_state() -> None:
    capture = json.loads((WIRE / "wec395_state.json").read_text())
    assert capture["source"].startswith("https://github.com/")
    text = bytes.fromhex(capture["hex"])
    assert module_json(json.loads(text)) == text
    assert module_json({"A": {"B": [1, 2]}, "C": {}}) == (
        b'{\n\t"A":{\n\t\t"B":[1,2]\n\t},\n\t"C":{}\n}\n'
    )


async def test_signed_documents_are_tab_indented(session, creds, washer):
    for path in (
        f"/Devices/{washer.device_id}/Ident",
        f"/Devices/{washer.device_id}/State",
        "/Devices/",
        f"/Devices/{washer.device_id}/SuperVision",
    ):
        plaintext = (await send(session, washer.host, creds, "GET", path)).plaintext(
            creds
        )
        assert plaintext.startswith(b'{\n\t"'), path
        assert plaintext.endswith(b"\n}\n"), path
        assert plaintext == module_json(json.loads(plaintext))
    async with session.get(f"http://127.0.0.1:{washer.control_port}/status") as reply:
        text = await reply.text()
    assert "\t" not in text  # the control API stays plain JSON
    assert json.loads(text)["device_id"] == washer.device_id


async def test_devices_lists_links_and_the_device_document_links_on(
    session, creds, washer
):
    fab = washer.device_id
    listing = (await send(session, washer.host, creds, "GET", "/Devices/")).json(creds)
    assert listing == {
        fab: {"href": f"{fab}/", "Group": creds.group_id, "Pairing": False}
    }
    links = (await send(session, washer.host, creds, "GET", f"/Devices/{fab}/")).json(
        creds
    )
    assert links == {
        "DOP2": {"href": "DOP2/"},
        "Ident": {"href": "Ident/"},
        "State": {"href": "State/"},
        "Settings": {"href": "Settings/"},
        "SuperVision": {"href": "SuperVision/"},
    }
    for name in ("Ident", "State", "Settings"):
        path = f"/Devices/{fab}/{links[name]['href']}"
        assert (await send(session, washer.host, creds, "GET", path)).status == 200
    other = f"/Devices/{'0' * 12}/"
    assert (await send(session, washer.host, creds, "GET", other)).status == 404


async def test_device_document_without_supervision(session, creds):
    async with SimulatedAppliance("hood", credentials=creds, supervision=False) as sim:
        path = f"/Devices/{sim.device_id}/"
        links = (await send(session, sim.host, creds, "GET", path)).json(creds)
    assert set(links) == {"DOP2", "Ident", "State", "Settings"}


async def test_embedded_ident_variant_serves_the_2022_shape(session, creds):
    async with SimulatedAppliance(
        "oven", credentials=creds, variants=["embedded_ident"]
    ) as sim:
        listing = (await send(session, sim.host, creds, "GET", "/Devices/")).json(creds)
        entry = listing[sim.device_id]
        assert set(entry) == {"href", "Group", "Ident"}
        assert entry["Group"] == creds.group_id
        assert Ident.from_json(entry["Ident"]).fab_number == sim.device_id
        sim.set_variant("embedded_ident", on=False)
        listing = (await send(session, sim.host, creds, "GET", "/Devices/")).json(creds)
        assert "Ident" not in listing[sim.device_id]


async def test_ident_carries_the_keys_real_modules_send(session, creds, washer):
    path = f"/Devices/{washer.device_id}/Ident"
    ident = (await send(session, washer.host, creds, "GET", path)).json(creds)
    assert list(ident)[:7] == [
        "DeviceType",
        "SubType",
        "DeviceName",
        "AppSupport",
        "FctSupport",
        "XKMSupport",
        "ProtocolVersion",
    ]
    assert ident["DeviceName"] == ""
    assert (ident["SubType"], ident["AppSupport"], ident["XKMSupport"]) == (0, 315, 7)
    assert Ident.from_json(ident).fab_number == washer.device_id
