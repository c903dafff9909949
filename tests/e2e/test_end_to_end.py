"""
The whole stack for real: a simulator process and a `hass` process, driven like a user would.

Home Assistant is onboarded and the appliance added through the HTTP API; states, the entity
and device registries and repair issues are read through the REST and websocket APIs.
"""

from __future__ import annotations

import math
from pathlib import Path
import signal
import sys
import time
from typing import TYPE_CHECKING, Any

import pytest

from custom_components.miele_local import cadence
from custom_components.miele_local.const import (
    CONF_GROUP_ID,
    CONF_GROUP_KEY,
    CONF_PUSH,
    CONF_PUSH_PORT,
    DEFAULT_TIMEOUT,
    DOMAIN,
)
from mielelocal.connection.health import HealthThresholds
from tests.e2e.conftest import (
    E2E_FAB_NUMBER,
    REPO,
    ProcessSupervisor,
    assert_no_integration_warnings,
    assert_not_importable,
    hass_python,
    integration_warnings,
    wait_for,
    write_hass_config,
)

if TYPE_CHECKING:
    import aiohttp

    from tests.e2e.conftest import HassApi, HassWebsocket, SimulatorProcess

pytestmark = pytest.mark.e2e

SCAN_INTERVAL = cadence.RUNNING.total_seconds()  # the washer runs a programme
REQUEST_TIMEOUT = DEFAULT_TIMEOUT
THRESHOLDS = HealthThresholds()  # the integration's shared manager uses the defaults
ATTEMPTS_PER_POLL = 1 + 3  # the manager's default: 3 retries of a failed read ...
RETRY_BACKOFF = 2 + 4 + 8  # ... after at most 2, 4 and 8 s
SLACK = 10.0  # scheduling, reload and HTTP round trips
FAILED_POLL = SCAN_INTERVAL + RETRY_BACKOFF + ATTEMPTS_PER_POLL * REQUEST_TIMEOUT
DEGRADE_WITHIN = (
    math.ceil(THRESHOLDS.failures_to_degrade / ATTEMPTS_PER_POLL) * FAILED_POLL + SLACK
)
UNHEALTHY_WITHIN = (
    math.ceil(THRESHOLDS.failures_to_unhealthy / ATTEMPTS_PER_POLL) * FAILED_POLL
    + SLACK
)
RECOVER_WITHIN = THRESHOLDS.successes_to_recover * SCAN_INTERVAL + FAILED_POLL + SLACK
UNAVAILABLE = "unavailable"


async def add_appliance(api: HassApi, washer: SimulatorProcess) -> str:
    """Add the appliance through the config flow with its key; return the entry id."""
    form = await api.request(
        "POST", "/api/config/config_entries/flow", {"handler": DOMAIN}
    )
    assert form["type"] == "form"
    assert form["step_id"] == "user"
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
    assert washer.credentials.group_key_hex not in str(result)
    entry_id: str = result["result"]["entry_id"]
    return entry_id


async def keep_push_off(api: HassApi, entry_id: str) -> None:
    """Submit the options flow as a user would (push stays off; the entry reloads)."""
    form = await api.request(
        "POST", "/api/config/config_entries/options/flow", {"handler": entry_id}
    )
    assert form["type"] == "form"
    assert [field["name"] for field in form["data_schema"]] == [
        CONF_PUSH,
        CONF_PUSH_PORT,
    ]
    result = await api.request(
        "POST",
        f"/api/config/config_entries/options/flow/{form['flow_id']}",
        {CONF_PUSH: False},
    )
    assert result["type"] == "create_entry", result


async def entity_ids(ws: HassWebsocket, entry_id: str) -> dict[str, str]:
    """The entry's entity ids by description key (`<FabNumber>-<key>` unique ids)."""
    entries = await ws.command("config/entity_registry/list")
    return {
        entry["unique_id"].removeprefix(f"{E2E_FAB_NUMBER}-"): entry["entity_id"]
        for entry in entries
        if entry["config_entry_id"] == entry_id
    }


async def wait_for_state(
    api: HassApi, entity_id: str, accept: set[str], *, within: float, what: str
) -> dict[str, Any]:
    """Wait until `entity_id` reports one of the `accept` states; return its state."""

    async def probe() -> dict[str, Any] | None:
        state = await api.state(entity_id)
        return state if state["state"] in accept else None

    return await wait_for(probe, within=within, what=f"{entity_id} {what}")


async def open_issues(ws: HassWebsocket) -> dict[str, dict[str, Any]]:
    """This integration's repair issues by id."""
    issues = (await ws.command("repairs/list_issues"))["issues"]
    return {issue["issue_id"]: issue for issue in issues if issue["domain"] == DOMAIN}


async def check_appliance_entities(
    api: HassApi, ws: HassWebsocket, entities: dict[str, str]
) -> None:
    """The washer's device and entities exist and report what it is doing."""
    devices = await ws.command("config/device_registry/list")
    (device,) = (d for d in devices if [DOMAIN, E2E_FAB_NUMBER] in d["identifiers"])
    assert device["manufacturer"] == "Miele"
    assert device["serial_number"] == E2E_FAB_NUMBER

    status = await wait_for_state(
        api, entities["status"], {"running"}, within=SLACK, what="running"
    )
    assert status["attributes"]["device_class"] == "enum"
    phase = await api.state(entities["program_phase"])
    assert phase["state"] in phase["attributes"]["options"]
    remaining = await api.state(entities["remaining_time"])
    assert 0 < float(remaining["state"]) <= 55
    assert remaining["attributes"]["unit_of_measurement"] == "min"
    assert (await api.state(entities["spin_speed"]))["state"] == "1600"
    target = await api.state(entities["target_temperature"])
    assert float(target["state"]) == pytest.approx(40.0)
    assert (await api.state(entities["remote_control"]))["state"] == "on"
    assert (await api.state(entities["start"]))["state"] == UNAVAILABLE  # running
    assert (await api.state(entities["pause"]))["state"] != UNAVAILABLE
    assert (await api.state(entities["connectivity"]))["state"] == "on"
    health = await api.state(entities["connection_state"])
    assert health["state"] == "healthy"
    assert "healthy" in health["attributes"]["options"]


async def press(api: HassApi, entity_id: str) -> None:
    """Press a button through the service API."""
    await api.request("POST", "/api/services/button/press", {"entity_id": entity_id})


async def check_actions(
    api: HassApi,
    session: aiohttp.ClientSession,
    washer: SimulatorProcess,
    entities: dict[str, str],
) -> None:
    """Pause and resume reach the washer exactly once each and show in its status."""
    await press(api, entities["pause"])
    await wait_for_state(
        api, entities["status"], {"pause"}, within=SLACK, what="paused"
    )
    status = await washer.status(session)
    assert status["counters"]["actions"] == 1
    assert status["state"]["Status"] == 6

    await press(api, entities["start"])
    await wait_for_state(
        api, entities["status"], {"running"}, within=SLACK, what="resumed"
    )
    assert (await washer.status(session))["counters"]["actions"] == 2


async def check_offline_and_recovery(
    api: HassApi,
    session: aiohttp.ClientSession,
    washer: SimulatorProcess,
    entities: dict[str, str],
) -> None:
    """Offline: health degrades within the thresholds and stays available; then recovers."""
    await washer.set_fault(session, "offline")
    degraded = await wait_for_state(
        api,
        entities["connection_state"],
        {"degraded", "unhealthy"},
        within=DEGRADE_WITHIN,
        what="leaving healthy",
    )
    assert degraded["state"] != UNAVAILABLE
    await wait_for_state(
        api, entities["connectivity"], {"off"}, within=UNHEALTHY_WITHIN, what="off"
    )
    # `unhealthy` means THRESHOLDS.failures_to_unhealthy failures in a row (the
    # consecutive-failures sensor itself is disabled by default).
    assert (await api.state(entities["connection_state"]))["state"] == "unhealthy"
    assert (await api.state(entities["status"]))["state"] == UNAVAILABLE

    await washer.set_fault(session, "none")
    await wait_for_state(
        api,
        entities["connection_state"],
        {"healthy"},
        within=RECOVER_WITHIN,
        what="healthy again",
    )
    assert (await api.state(entities["connectivity"]))["state"] == "on"
    await wait_for_state(
        api, entities["status"], {"running"}, within=SLACK, what="running again"
    )


async def check_reset_and_pair_again(
    api: HassApi,
    ws: HassWebsocket,
    session: aiohttp.ClientSession,
    washer: SimulatorProcess,
    entities: dict[str, str],
    entry_id: str,
) -> None:
    """
    A factory reset with no mDNS evidence asks for re-authentication, not the repair.

    The simulator process announces nothing over mDNS here, so the refused key cannot be told
    from a changed one: the entry needs attention (a reauth flow), whose "pair it again with
    the stored key" choice pairs the washer again after a confirmation.
    """
    await washer.set_fault(session, "reset")
    issue_id = f"pairing_lost_{entry_id}"

    async def reauth_flow() -> dict[str, Any] | None:
        flows = await ws.command("config_entries/flow/progress")
        return next(
            (
                flow
                for flow in flows
                if flow["handler"] == DOMAIN
                and flow["context"].get("source") == "reauth"
                and flow["context"].get("entry_id") == entry_id
            ),
            None,
        )

    flow = await wait_for(
        reauth_flow, within=FAILED_POLL + SLACK, what="the reauthentication flow"
    )
    assert issue_id not in await open_issues(ws)  # no evidence of a reset: no repair
    assert (await washer.status(session))["paired"] is False

    path = f"/api/config/config_entries/flow/{flow['flow_id']}"
    result = await api.request("POST", path, {"next_step_id": "reauth_pair_again"})
    assert result["step_id"] == "reauth_pair_again", result
    assert result["description_placeholders"]["host"] == washer.host
    assert (await washer.status(session))["paired"] is False  # nothing sent yet
    result = await api.request("POST", path, {})
    assert result["type"] == "abort", result
    assert result["reason"] == "reauth_successful"

    assert issue_id not in await open_issues(ws)
    status = await washer.status(session)
    assert status["paired"] is True
    assert status["fault"] == "none"
    assert status["group_id"] == washer.credentials.group_id
    await wait_for_state(
        api,
        entities["connection_state"],
        {"healthy"},
        within=RECOVER_WITHIN,
        what="healthy after the repair",
    )
    await wait_for_state(
        api,
        entities["status"],
        {"running"},
        within=SLACK,
        what="running after the repair",
    )


async def test_appliance_lifecycle_in_a_real_home_assistant(
    live_hass: HassApi,
    simulated_washer: SimulatorProcess,
    http_session: aiohttp.ClientSession,
) -> None:
    """Add, observe, lose and regain the connection, reset and pair again one washer."""
    entry_id = await add_appliance(live_hass, simulated_washer)
    entries = await live_hass.request("GET", "/api/config/config_entries/entry")
    (entry,) = (e for e in entries if e["entry_id"] == entry_id)
    assert entry["domain"] == DOMAIN
    assert entry["state"] == "loaded"
    await keep_push_off(live_hass, entry_id)

    async with live_hass.websocket() as ws:
        entities = await entity_ids(ws, entry_id)
        assert {"status", "connection_state", "connectivity"} <= set(entities)
        await check_appliance_entities(live_hass, ws, entities)
        await check_actions(live_hass, http_session, simulated_washer, entities)
        await check_offline_and_recovery(
            live_hass, http_session, simulated_washer, entities
        )
        await check_reset_and_pair_again(
            live_hass, ws, http_session, simulated_washer, entities, entry_id
        )
    simulated_washer.process.assert_running()


def _alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie waiting to be reaped counts as dead)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def test_supervisor_stops_whole_process_groups(
    socket_enabled: None, tmp_path: Path
) -> None:
    """A child that ignores SIGTERM, and its own child, are killed after the grace period."""
    supervisor = ProcessSupervisor(tmp_path, grace=0.5)
    script = (
        "import signal, subprocess, sys, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        "print(child.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    process = supervisor.start("stubborn", [sys.executable, "-c", script])
    deadline = time.monotonic() + 10
    while not (line := process.log_tail(1)) and time.monotonic() < deadline:
        time.sleep(0.05)
    grandchild = int(line)
    assert _alive(grandchild)

    supervisor.stop_all()

    assert process.popen.returncode == -signal.SIGKILL
    deadline = time.monotonic() + 5
    while _alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(grandchild)


HASS_LOG = """\
2026-11-05 10:00:00.001 WARNING (SyncWorker_0) [homeassistant.loader] We found a custom integration miele_local which has not been tested by Home Assistant. This component might cause stability problems
2026-11-05 10:00:01.002 WARNING (MainThread) [homeassistant.helpers.frame] Detected that custom integration 'miele_local' calls async_forward_entry_setup at custom_components/miele_local/__init__.py, line 80: await x. This will stop working in Home Assistant 2027.1, please create a bug report at https://github.com/miele-local/miele_local/issues
2026-11-05 10:00:02.003 WARNING (MainThread) [homeassistant.const] The deprecated constant ATTR_VIA_DEVICE was used from miele_local. It will be removed in HA Core 2027.3. Use ATTR_VIA_DEVICE_ID instead, please create a bug report at https://github.com/miele-local/miele_local/issues
2026-11-05 10:00:03.004 WARNING (MainThread) [py.warnings] /config/custom_components/miele_local/sensor.py:12: DeprecationWarning: datetime.datetime.utcnow() is deprecated
  now = datetime.utcnow()
2026-11-05 10:00:04.005 WARNING (MainThread) [py.warnings] /opt/venv/lib/python3.14/site-packages/zeroconf/x.py:1: DeprecationWarning: something else is deprecated
2026-11-05 10:00:05.006 WARNING (MainThread) [homeassistant.const] The deprecated constant X was used from met. Use Y instead
2026-11-05 10:00:06.007 DEBUG (MainThread) [custom_components.miele_local] a deprecated-looking word in our own debug record
2026-11-05 10:00:07.008 ERROR (MainThread) [custom_components.miele_local] Error fetching Miele washing machine data
2026-11-05 10:00:08.009+00:00 INFO (MainThread) [custom_components.miele_local] deprecated-looking, with a UTC offset
"""


def test_deprecated_usage_by_the_integration_is_found_in_a_hass_log(
    tmp_path: Path,
) -> None:
    """Home Assistant's reports and Python's warnings about miele_local; nothing else."""
    found = integration_warnings(HASS_LOG)

    assert [line.split("[")[1].split("]")[0] for line in found] == [
        "homeassistant.helpers.frame",
        "homeassistant.const",
        "py.warnings",
    ]
    log = tmp_path / "hass.log"
    log.write_text(HASS_LOG)
    with pytest.raises(AssertionError, match="deprecated usage by miele_local") as err:
        assert_no_integration_warnings(log)
    assert "    " + found[0] in str(err.value)
    log.write_text("\n".join(HASS_LOG.splitlines()[4:]))
    assert_no_integration_warnings(log)


def test_hass_config_holds_the_release_archive_and_not_the_repository(
    release_archive: Path, tmp_path: Path
) -> None:
    """The integration is unpacked from the archive, and `hass` cannot import the repository."""
    config_dir = tmp_path / "config"
    write_hass_config(config_dir, 8123, release_archive)  # nothing listens

    installed = config_dir / "custom_components" / "miele_local"
    assert not [
        path for path in (installed, *installed.rglob("*")) if path.is_symlink()
    ]
    assert (installed / "manifest.json").is_file()
    assert (installed / "mielelocal" / "client.py").is_file()
    assert any(
        "from .mielelocal" in path.read_text() for path in installed.glob("*.py")
    )
    assert_not_importable(hass_python(), "mielelocal", config_dir)
    with pytest.raises(AssertionError, match="imports mielelocal from outside"):
        assert_not_importable(sys.executable, "mielelocal", REPO)
