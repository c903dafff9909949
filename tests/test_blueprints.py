"""
The automation blueprints in `blueprints/automation/miele_local/`.

Each one is read as Home Assistant reads a blueprint file (its YAML loader with `!input`,
the blueprint schema of `homeassistant.components.blueprint` and the automation's), and then
runs in Home Assistant against the entities a simulated washer really gets.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
import shutil
from typing import TYPE_CHECKING, Any

from homeassistant.components import automation, persistent_notification
from homeassistant.components.automation.config import AUTOMATION_BLUEPRINT_SCHEMA
from homeassistant.components.blueprint import BLUEPRINT_SCHEMA, Blueprint
from homeassistant.const import STATE_OFF, STATE_ON, Platform
from homeassistant.setup import async_setup_component
from homeassistant.util.yaml import load_yaml_dict
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.miele_local.const import DOMAIN

from .helpers import poll, wait_idle

if TYPE_CHECKING:
    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant, ServiceCall
    from homeassistant.helpers import entity_registry as er
    from pytest_homeassistant_custom_component.common import MockConfigEntry
    from pytest_homeassistant_custom_component.typing import WebSocketGenerator

    from simulator import SimulatedAppliance

ROOT = Path(__file__).parent.parent
BLUEPRINTS = ROOT / "blueprints" / "automation" / DOMAIN
FINISHED = "programme_finished.yaml"
UNREACHABLE = "appliance_unreachable.yaml"
STATUS = "sensor.miele_000177753917_status"
CONNECTIVITY = "binary_sensor.miele_000177753917_connectivity"
APPLIANCE = "Miele 000177753917"
TEN_MINUTES = timedelta(minutes=10)


def blueprint_files() -> list[Path]:
    return sorted(BLUEPRINTS.glob("*.yaml"))


def load(name: str) -> Blueprint:
    """A blueprint file as Home Assistant loads it for automations."""
    path = BLUEPRINTS / name
    return Blueprint(
        load_yaml_dict(path),
        path=f"{DOMAIN}/{name}",
        expected_domain=automation.DOMAIN,
        schema=AUTOMATION_BLUEPRINT_SCHEMA,
    )


def test_the_two_blueprints_exist() -> None:
    assert [path.name for path in blueprint_files()] == [UNREACHABLE, FINISHED]


@pytest.mark.parametrize("path", blueprint_files(), ids=lambda path: path.name)
def test_blueprint_is_valid(path: Path) -> None:
    data = load_yaml_dict(path)
    blueprint = Blueprint(
        data, path=path.name, expected_domain=automation.DOMAIN, schema=BLUEPRINT_SCHEMA
    )
    assert blueprint.validate() is None  # the installed Home Assistant is new enough
    assert load(path.name).inputs == blueprint.inputs
    metadata = blueprint.metadata
    assert metadata["source_url"].endswith(
        f"/blueprints/automation/{DOMAIN}/{path.name}"
    )
    assert metadata["homeassistant"]["min_version"] == "2026.10.0"
    for name, spec in blueprint.inputs.items():
        assert spec["name"], name
        assert spec["description"], name
    entity_inputs = [
        spec["selector"]["entity"]
        for spec in blueprint.inputs.values()
        if "entity" in spec["selector"]
    ]
    assert len(entity_inputs) == 1
    assert [f["integration"] for f in entity_inputs[0]["filter"]] == [DOMAIN]


@pytest.fixture
def platforms() -> list[Platform]:
    """The platforms of the Status and Connectivity entities."""
    return [Platform.BINARY_SENSOR, Platform.SENSOR]


@pytest.fixture
async def blueprints_installed(hass: HomeAssistant, tmp_path: Path) -> None:
    """Home Assistant's configuration folder holds this repository's blueprints."""
    target = tmp_path / "blueprints" / "automation" / DOMAIN
    target.parent.mkdir(parents=True)
    shutil.copytree(BLUEPRINTS, target)
    hass.config.config_dir = str(tmp_path)
    assert await async_setup_component(hass, persistent_notification.DOMAIN, {})


def use(name: str, alias: str, **inputs: Any) -> dict[str, Any]:
    return {
        "id": alias,
        "alias": alias,
        "use_blueprint": {"path": f"{DOMAIN}/{name}", "input": inputs},
    }


def record(kind: str) -> list[dict[str, Any]]:
    """Actions that record a call of `test.automation` with the blueprint's variables."""
    return [
        {
            "action": "test.automation",
            "data": {"kind": kind, "appliance": "{{ appliance }}"},
        }
    ]


async def set_up_automations(hass: HomeAssistant, *configs: dict[str, Any]) -> None:
    assert await async_setup_component(
        hass, automation.DOMAIN, {automation.DOMAIN: list(configs)}
    )
    await hass.async_block_till_done()
    for config in configs:
        entity_id = f"automation.{config['alias']}"
        assert hass.states.get(entity_id).state == STATE_ON, entity_id


def calls(service_calls: list[ServiceCall]) -> list[tuple[str, str]]:
    return [
        (call.data["kind"], call.data["appliance"])
        for call in service_calls
        if call.domain == "test"
    ]


async def notifications(hass_ws_client: WebSocketGenerator) -> list[dict[str, Any]]:
    client = await hass_ws_client()
    await client.send_json_auto_id({"type": "persistent_notification/get"})
    answer = await client.receive_json()
    assert answer["success"]
    result: list[dict[str, Any]] = answer["result"]
    return result


def test_selectors_offer_the_entities_the_integration_creates(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    init_integration: MockConfigEntry,
) -> None:
    """The entity filters of both blueprints match the washer's Status and Connectivity."""
    for name, entity_id in ((FINISHED, STATUS), (UNREACHABLE, CONNECTIVITY)):
        entry = entity_registry.async_get(entity_id)
        assert entry is not None, entity_id
        state = hass.states.get(entity_id)
        (entity_selector,) = (
            spec["selector"]["entity"]
            for spec in load(name).inputs.values()
            if "entity" in spec["selector"]
        )
        (entity_filter,) = entity_selector["filter"]
        assert entry.platform == entity_filter["integration"]
        assert entry.domain in entity_filter["domain"]
        assert state.attributes["device_class"] in entity_filter["device_class"]
    assert "end_programmed" in hass.states.get(STATUS).attributes["options"]


@pytest.mark.usefixtures("frozen_start", "frozen_sleep", "blueprints_installed")
async def test_programme_finished_runs_its_actions_once(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    hass_ws_client: WebSocketGenerator,
    service_calls: list[ServiceCall],
    simulator: SimulatedAppliance,
    init_integration: MockConfigEntry,
) -> None:
    await set_up_automations(
        hass,
        use(
            FINISHED,
            "finished_custom",
            status_sensor=STATUS,
            finished_actions=record("finished"),
        ),
        use(FINISHED, "finished_default", status_sensor=STATUS),
    )
    assert hass.states.get(STATUS).state == "running"

    await poll(hass, freezer)
    assert calls(service_calls) == []

    simulator.update_state(Status=7, RemainingTime=[0, 0])
    await poll(hass, freezer)
    assert hass.states.get(STATUS).state == "end_programmed"
    assert calls(service_calls) == [("finished", APPLIANCE)]
    (notification,) = await notifications(hass_ws_client)
    assert notification["notification_id"] == f"miele_local_finished_{STATUS}"
    assert notification["title"] == f"{APPLIANCE} has finished"

    await poll(hass, freezer)  # still finished: nothing more
    assert calls(service_calls) == [("finished", APPLIANCE)]

    # Reloading the entry (as a restart does) finds it finished again: no second run.
    assert await hass.config_entries.async_reload(init_integration.entry_id)
    await wait_idle(hass)
    assert hass.states.get(STATUS).state == "end_programmed"
    assert calls(service_calls) == [("finished", APPLIANCE)]


@pytest.mark.usefixtures("frozen_start", "frozen_sleep", "blueprints_installed")
async def test_appliance_unreachable_waits_for_the_duration(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    hass_ws_client: WebSocketGenerator,
    service_calls: list[ServiceCall],
    simulator: SimulatedAppliance,
    init_integration: MockConfigEntry,
) -> None:
    await set_up_automations(
        hass,
        use(
            UNREACHABLE,
            "unreachable_custom",
            connectivity_sensor=CONNECTIVITY,
            unreachable_actions=record("unreachable"),
            back_online_actions=record("back_online"),
        ),
        use(UNREACHABLE, "unreachable_default", connectivity_sensor=CONNECTIVITY),
    )
    assert hass.states.get(CONNECTIVITY).state == STATE_ON

    # A short outage: no notification, and no "back online" either.
    simulator.set_fault("offline")
    await poll(hass, freezer)
    assert hass.states.get(CONNECTIVITY).state == STATE_OFF
    simulator.set_fault("none")
    await poll(hass, freezer)
    assert hass.states.get(CONNECTIVITY).state == STATE_ON
    assert calls(service_calls) == []

    # Ten minutes without an answer (the default duration).
    simulator.set_fault("offline")
    await poll(hass, freezer)
    assert hass.states.get(CONNECTIVITY).state == STATE_OFF
    freezer.tick(TEN_MINUTES)
    async_fire_time_changed(hass)
    await wait_idle(hass)
    assert calls(service_calls) == [("unreachable", APPLIANCE)]
    (notification,) = await notifications(hass_ws_client)
    assert notification["notification_id"] == f"miele_local_unreachable_{CONNECTIVITY}"
    assert notification["title"] == f"{APPLIANCE} is unreachable"

    simulator.set_fault("none")
    await poll(hass, freezer)
    assert hass.states.get(CONNECTIVITY).state == STATE_ON
    assert calls(service_calls) == [
        ("unreachable", APPLIANCE),
        ("back_online", APPLIANCE),
    ]
    assert await notifications(hass_ws_client) == []  # the default dismisses it
