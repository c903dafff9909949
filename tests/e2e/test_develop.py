"""The pieces of `scripts/develop`: household key, configuration, instructions, simulators."""

from __future__ import annotations

import asyncio
from dataclasses import replace
import json
import stat
import sys
from typing import TYPE_CHECKING, Any

import aiohttp
import pytest

from mielelocal.client import MieleClient
from mielelocal.exceptions import MieleAuthError
from tests.e2e.conftest import (
    REPO,
    SHOW_DEPRECATIONS,
    START_TIMEOUT,
    assert_no_integration_warnings,
    free_port,
    hass_python,
    load_develop,
    wait_for_develop,
)

if TYPE_CHECKING:
    from pathlib import Path


develop = load_develop()


def test_household_key_is_created_once_and_kept(tmp_path: Path) -> None:
    group_id_file, key_file = tmp_path / "c" / "id.txt", tmp_path / "c" / "key.txt"

    created = develop.load_household(group_id_file, key_file)
    again = develop.load_household(group_id_file, key_file)

    assert again == created
    assert key_file.read_text().strip() == created.group_key_hex
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert group_id_file.read_text().strip() == created.group_id


def test_config_is_written_once_and_the_integration_linked(tmp_path: Path) -> None:
    develop.prepare_config(tmp_path, 8123)
    configuration = tmp_path / "configuration.yaml"
    assert "http:" not in configuration.read_text()  # deprecated YAML: HA stores it
    stored = json.loads((tmp_path / ".storage" / "http").read_text())
    assert stored["data"] == {"server_host": ["127.0.0.1"], "server_port": 8123}
    link = tmp_path / "custom_components" / "miele_local"
    assert link.resolve() == REPO / "custom_components" / "miele_local"

    configuration.write_text("# edited\n")
    link.unlink()
    link.symlink_to(tmp_path)
    develop.prepare_config(tmp_path, 8123)

    assert configuration.read_text() == "# edited\n"
    assert link.resolve() == REPO / "custom_components" / "miele_local"
    assert (tmp_path / "automations.yaml").read_text() == "[]\n"


def test_a_folder_in_place_of_the_link_is_refused(tmp_path: Path) -> None:
    (tmp_path / "custom_components" / "miele_local").mkdir(parents=True)
    with pytest.raises(SystemExit, match="is not a link"):
        develop.prepare_config(tmp_path, 8123)


def test_instructions_give_keys_for_paired_appliances_only() -> None:
    credentials = develop.GroupCredentials.generate()
    setup = develop.DevSetup()
    text = develop.instructions(credentials, setup)

    assert "http://127.0.0.1:8123" in text
    assert str(REPO / ".dev" / "config" / "miele_group_key.txt") in text
    for appliance in develop.APPLIANCES:
        assert appliance.host in text
        assert f"{develop.HOST}:{appliance.control_port}/fault" in text
    paired = [appliance for appliance in develop.APPLIANCES if appliance.paired]
    assert text.count(credentials.group_key_hex) == 1
    assert {"washer", "oven", "fridge_freezer"} <= {a.kind for a in paired}
    assert text.count("Leave GroupID and GroupKey empty") == len(
        develop.APPLIANCES
    ) - len(paired)


async def test_appliances_start_with_their_ports_and_fab_numbers(
    socket_enabled: None,
) -> None:
    credentials = develop.GroupCredentials.generate()
    appliances = (
        develop.DevAppliance("washer", "W", free_port(), free_port(), "000100000001"),
        develop.DevAppliance(
            "dishwasher", "D", free_port(), free_port(), "000100000002", paired=False
        ),
    )
    sims = await develop.start_appliances(credentials, appliances)
    try:
        async with aiohttp.ClientSession() as session:
            washer = MieleClient(appliances[0].host, credentials, session=session)
            assert list(await washer.get_devices()) == ["000100000001"]
            dishwasher = MieleClient(appliances[1].host, credentials, session=session)
            with pytest.raises(MieleAuthError):
                await dishwasher.get_devices()
            control = f"http://{develop.HOST}:{appliances[1].control_port}/status"
            async with session.get(control) as response:
                assert (await response.json())["paired"] is False
    finally:
        await develop.stop_appliances(sims)


async def test_a_busy_port_stops_with_a_clear_message(socket_enabled: None) -> None:
    credentials = develop.GroupCredentials.generate()
    port = free_port()
    appliances = (
        develop.DevAppliance("washer", "W", port, free_port(), "000100000001"),
        develop.DevAppliance("oven", "O", port, free_port(), "000100000002"),
    )
    with pytest.raises(SystemExit, match="cannot start the simulated appliances"):
        await develop.start_appliances(credentials, appliances)


def _free_appliances() -> tuple[Any, ...]:
    """The development appliances, moved to free ports."""
    return tuple(
        replace(appliance, port=free_port(), control_port=free_port())
        for appliance in develop.APPLIANCES
    )


@pytest.mark.e2e
async def test_develop_runs_home_assistant_and_stops_everything(
    socket_enabled: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """
    The whole `scripts/develop` run, on free ports in a throw-away folder.

    `scripts/develop` starts `hass` with `sys.executable`: here that is the harness's Home
    Assistant python (`hass_python`), with deprecation warnings shown, and its log must not
    report deprecated usage by the integration.
    """
    monkeypatch.setattr(sys, "executable", hass_python())
    monkeypatch.setenv("PYTHONWARNINGS", ",".join(SHOW_DEPRECATIONS))
    setup = develop.DevSetup(tmp_path, free_port(), _free_appliances())
    stop = asyncio.Event()
    run = asyncio.create_task(develop.run(stop, setup))
    try:
        async with aiohttp.ClientSession() as session:
            await wait_for_develop(run, setup, session, START_TIMEOUT)
            for appliance in setup.appliances:
                control = f"http://{develop.HOST}:{appliance.control_port}/status"
                async with session.get(control) as response:
                    status = await response.json()
                assert status["device_id"] == appliance.fab_number
                assert status["paired"] is appliance.paired
            text = setup.devices_file.read_text()
            assert setup.group_key_file.read_text().strip() in text
            assert (setup.config_dir / "custom_components" / "miele_local").is_symlink()
    finally:
        stop.set()
        code = await run

    assert code == 0
    for port in (setup.hass_port, *(a.port for a in setup.appliances)):
        with pytest.raises(ConnectionRefusedError):  # nothing listens any more
            await asyncio.open_connection(develop.HOST, port)
    assert_no_integration_warnings(setup.console_log)
