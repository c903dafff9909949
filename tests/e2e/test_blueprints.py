"""
The repository's blueprints in a real Home Assistant, as a user would install and use them.

The blueprints are saved through the websocket API (`blueprint/save`, what importing one in
the UI does), an automation is created from each through the automation editor's REST API
(`/api/config/automation/config/<id>`), and the programme-finished one is watched doing its
job when the simulated washer ends its programme. The harness's configuration has no
`automation:` include, so the test adds it to that throw-away `configuration.yaml` first;
the editor's save reloads automations, which reads the file again.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from custom_components.miele_local.const import CONF_GROUP_ID, CONF_GROUP_KEY, DOMAIN
from tests.e2e.conftest import E2E_FAB_NUMBER, START_TIMEOUT, wait_for

if TYPE_CHECKING:
    import aiohttp

    from tests.e2e.conftest import HassApi, HassWebsocket, SimulatorProcess

pytestmark = pytest.mark.e2e

BLUEPRINTS = Path(__file__).parents[2] / "blueprints" / "automation" / DOMAIN
WITHIN = 30.0


async def add_washer(api: HassApi, washer: SimulatorProcess) -> str:
    """Add the simulated washer with its key; return the entry id."""
    form = await api.request(
        "POST", "/api/config/config_entries/flow", {"handler": DOMAIN}
    )
    result = await api.request(
        "POST",
        f"/api/config/config_entries/flow/{form['flow_id']}",
        {
            "host": washer.host,
            CONF_GROUP_ID: washer.credentials.group_id,
            CONF_GROUP_KEY: washer.credentials.group_key_hex,
        },
    )
    assert result["type"] == "create_entry", result
    entry_id: str = result["result"]["entry_id"]
    return entry_id


async def entity_id(ws: HassWebsocket, entry_id: str, key: str) -> str:
    """The entity id of one of the entry's entities, by its description key."""
    entries = await ws.command("config/entity_registry/list")
    (found,) = (
        entry["entity_id"]
        for entry in entries
        if entry["config_entry_id"] == entry_id
        and entry["unique_id"] == f"{E2E_FAB_NUMBER}-{key}"
    )
    return str(found)


async def automation_state(api: HassApi, automation_id: str) -> dict[str, Any] | None:
    """The state of the automation whose config id is `automation_id`, once it exists."""
    states = await api.request("GET", "/api/states")
    return next(
        (
            state
            for state in states
            if state["entity_id"].startswith("automation.")
            and state["attributes"].get("id") == automation_id
        ),
        None,
    )


async def notification(
    ws: HassWebsocket, notification_id: str
) -> dict[str, Any] | None:
    """A persistent notification by id, if it is shown."""
    shown = await ws.command("persistent_notification/get")
    return next((n for n in shown if n["notification_id"] == notification_id), None)


async def test_blueprints_load_and_run_in_home_assistant(
    live_hass: HassApi,
    simulated_washer: SimulatorProcess,
    http_session: aiohttp.ClientSession,
    tmp_path: Path,
) -> None:
    api = live_hass
    entry_id = await add_washer(api, simulated_washer)

    async with api.websocket() as ws:
        status = await entity_id(ws, entry_id, "status")
        connectivity = await entity_id(ws, entry_id, "connectivity")

        # Import: both files are accepted as they are and listed without an error.
        for path in sorted(BLUEPRINTS.glob("*.yaml")):
            await ws.command(
                "blueprint/save",
                domain="automation",
                path=f"{DOMAIN}/{path.name}",
                yaml=path.read_text(encoding="utf-8"),
            )
        listed = await ws.command("blueprint/list", domain="automation")
        ours = {p: v for p, v in listed.items() if p.startswith(f"{DOMAIN}/")}
        assert set(ours) == {
            f"{DOMAIN}/appliance_unreachable.yaml",
            f"{DOMAIN}/programme_finished.yaml",
        }
        for path, value in ours.items():
            assert "error" not in value, (path, value)
            assert value["metadata"]["name"].startswith("Miele Local: ")

        # One automation from each, saved as the automation editor saves it.
        config_yaml = tmp_path / "config" / "configuration.yaml"
        config_yaml.write_text(
            config_yaml.read_text(encoding="utf-8")
            + "automation: !include automations.yaml\n",
            encoding="utf-8",
        )
        automations = {
            "miele_washer_finished": {
                "alias": "Washer finished",
                "description": "",
                "use_blueprint": {
                    "path": f"{DOMAIN}/programme_finished.yaml",
                    "input": {"status_sensor": status},
                },
            },
            "miele_washer_unreachable": {
                "alias": "Washer unreachable",
                "description": "",
                "use_blueprint": {
                    "path": f"{DOMAIN}/appliance_unreachable.yaml",
                    "input": {
                        "connectivity_sensor": connectivity,
                        "duration": {"hours": 0, "minutes": 5, "seconds": 0},
                    },
                },
            },
        }
        for automation_id, config in automations.items():
            assert await api.request(
                "POST", f"/api/config/automation/config/{automation_id}", config
            ) == {"result": "ok"}

        # Loaded and valid: an automation that fails validation shows as unavailable
        # and raises a repair issue.
        for automation_id in automations:

            async def loaded(
                automation_id: str = automation_id,
            ) -> dict[str, Any] | None:
                return await automation_state(api, automation_id)

            state = await wait_for(
                loaded, within=START_TIMEOUT, what=f"automation {automation_id}"
            )
            assert state["state"] == "on", state
            # The blueprint with the inputs filled in: it watches the washer's entity.
            stored = await ws.command("automation/config", entity_id=state["entity_id"])
            inputs = automations[automation_id]["use_blueprint"]["input"]
            sensor = inputs.get("status_sensor", inputs.get("connectivity_sensor"))
            triggers = stored["config"]["triggers"]
            assert {trigger["entity_id"] for trigger in triggers} == {sensor}
        issues = (await ws.command("repairs/list_issues"))["issues"]
        assert [i for i in issues if i["domain"] == "automation"] == []

        # The washer ends its programme: the default action shows a notification.
        assert (await api.state(status))["state"] == "running"
        async with http_session.post(
            f"{simulated_washer.control_url}/state",
            json={"Status": 7, "RemainingTime": [0, 0]},
        ) as response:
            response.raise_for_status()
        await api.request(
            "POST",
            "/api/services/homeassistant/update_entity",
            {"entity_id": status},
        )

        async def finished() -> dict[str, Any] | None:
            return await notification(ws, f"miele_local_finished_{status}")

        shown = await wait_for(
            finished, within=WITHIN, what="the finished notification"
        )
        assert shown["title"].endswith(" has finished")
        assert (await api.state(status))["state"] == "end_programmed"
        assert (await api.state(connectivity))["state"] == "on"
        assert await notification(ws, f"miele_local_unreachable_{connectivity}") is None
