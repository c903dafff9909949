"""Appliance folders: each loads, names its source and parses with the project's library."""

from __future__ import annotations

import json
import shutil
from typing import TYPE_CHECKING

import pytest

from mielelocal.extended_state import hob_zone_boosters
from mielelocal.models import Ident, State
from simulator import APPLIANCES, SimulatedAppliance
from simulator.appliances import FIXTURES, load_template, load_templates
from simulator.hob import power_levels, with_power_levels, zone_count
from tests.simulator.rawclient import send

if TYPE_CHECKING:
    from pathlib import Path

FOLDERS = sorted(
    path.name for path in FIXTURES.iterdir() if path.is_dir() and path.name[0] != "_"
)
FAB = "000123456789"


def test_every_folder_is_an_appliance() -> None:
    assert sorted(APPLIANCES) == FOLDERS
    assert {"washer", "hob", "hob_extended", "fridge_freezer"} <= set(FOLDERS)


@pytest.mark.parametrize("name", FOLDERS)
def test_folder_loads_names_its_source_and_parses(name: str) -> None:
    folder = FIXTURES / name
    assert {"appliance.json", "ident.json", "state.json"} <= {
        path.name for path in folder.iterdir()
    }
    template = APPLIANCES[name]
    assert len(template.source) > 40
    assert "http" in template.source or "modelled" in template.source
    ident = Ident.from_json(template.ident(FAB))
    assert ident.fab_number == FAB
    assert ident.device_type == template.device_type
    assert ident.tech_type == template.tech_type
    assert ident.xkm_tech_type
    assert template.ident_document["DeviceIdentLabel"]["FabNumber"] == ""
    for key in ("SubType", "AppSupport", "FctSupport", "XKMSupport"):
        assert type(template.ident_document[key]) is int, key
    state = State.from_json(template.initial_state())
    assert state.status is not None
    assert state.remote_enable is not None


def test_adding_a_type_is_adding_a_folder(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "hood", tmp_path / "hood_two")
    (tmp_path / "_notes").mkdir()
    templates = load_templates(tmp_path)
    assert list(templates) == ["hood_two"]
    assert templates["hood_two"].state == APPLIANCES["hood"].state


@pytest.mark.parametrize(
    ("file", "content", "message"),
    [
        ("appliance.json", {"has_light": True}, "no source"),
        ("appliance.json", {"source": "x", "has_light": 1}, "has_light"),
        ("appliance.json", {"source": "x", "colour": "red"}, "colour"),
        ("ident.json", {"DeviceType": "1"}, "DeviceType"),
        ("state.json", [1], "not a JSON object"),
    ],
)
def test_a_bad_folder_is_refused_naming_the_file(
    tmp_path: Path, file: str, content: object, message: str
) -> None:
    folder = tmp_path / "broken"
    shutil.copytree(FIXTURES / "hood", folder)
    (folder / file).write_text(json.dumps(content))
    with pytest.raises(ValueError, match=message) as raised:
        load_template(folder)
    assert file in str(raised.value)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match=r"appliance\.json"):
        load_templates(tmp_path)


def test_hob_extended_has_zones_only_in_extended_state() -> None:
    template = APPLIANCES["hob_extended"]
    raw = template.initial_state()
    assert not {key for key in raw if key.startswith("Plate")}
    assert template.tech_type == "KM8684"
    state = State.from_json(raw)
    assert state.plate_steps is None
    extended = raw["ExtendedState"]
    assert zone_count(extended) == 5
    assert power_levels(extended) == (0x66, 13, 0x65, 0, 0)
    assert hob_zone_boosters(extended) == (0,) * 6
    changed = with_power_levels(extended, [0, 0, 0, 0, 23])
    assert power_levels(changed) == (0, 0, 0, 0, 23)
    assert len(changed) == len(extended)
    with pytest.raises(ValueError, match="zones"):
        with_power_levels(extended, [1] * 6)


async def test_hob_extended_serves_its_zones(session, creds):
    async with SimulatedAppliance("hob_extended", credentials=creds) as sim:
        levels = with_power_levels(sim.state["ExtendedState"], [9, 0, 0, 0, 0])
        sim.update_state(ExtendedState=levels)
        path = f"/Devices/{sim.device_id}/State"
        state = (await send(session, sim.host, creds, "GET", path)).json(creds)
    assert power_levels(state["ExtendedState"])[0] == 9
    assert "PlateStep" not in state
