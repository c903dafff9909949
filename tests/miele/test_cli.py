"""
The command line, run in-process against the simulator on 127.0.0.1.

``main`` calls ``asyncio.run``, so it runs in a worker thread while the simulator serves
from the test's event loop.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import runpy
import stat
import subprocess
import sys
from typing import TYPE_CHECKING, Any, TextIO

import pytest

from mielelocal.cli import main
from mielelocal.credentials import GroupCredentials
from tests.miele.test_client import FakeAppliance, Reply

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from simulator import SimulatedAppliance

pytestmark = pytest.mark.usefixtures("socket_enabled")


async def run(*argv: str) -> int:
    """Run the CLI like ``python -m ...`` would, off the event loop."""
    return await asyncio.to_thread(main, list(argv))


@pytest.fixture
def key_file(tmp_path: Path, credentials: GroupCredentials) -> Path:
    path = tmp_path / "group.key"
    path.write_text(credentials.group_key_hex + "\n")
    return path


@pytest.fixture
def target(
    simulator: SimulatedAppliance, credentials: GroupCredentials, key_file: Path
) -> list[str]:
    """Connection options for the paired simulator."""
    return [
        "--host",
        simulator.host,
        "--group-id",
        credentials.group_id,
        "--group-key-file",
        str(key_file),
    ]


def output(
    capsys: pytest.CaptureFixture[str], credentials: GroupCredentials
) -> tuple[str, str]:
    """Captured stdout and stderr, checked to be free of the key."""
    captured = capsys.readouterr()
    for text in (captured.out, captured.err):
        assert credentials.group_key_hex not in text
        assert credentials.group_key_hex.lower() not in text
    return captured.out, captured.err


def error_line(
    capsys: pytest.CaptureFixture[str], credentials: GroupCredentials
) -> str:
    out, err = output(capsys, credentials)
    assert out == ""
    assert err.startswith("error: ")
    assert err.count("\n") == 1
    return err.strip()


async def test_devices(
    simulator: SimulatedAppliance,
    target: list[str],
    credentials: GroupCredentials,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert await run("devices", *target) == 0
    out, err = output(capsys, credentials)
    assert err == ""
    devices = json.loads(out)
    assert list(devices) == [simulator.device_id]
    assert devices[simulator.device_id]["device_type"] == "washing_machine"
    assert devices[simulator.device_id]["fab_number"] == simulator.device_id


async def test_ident_and_state(
    simulator: SimulatedAppliance,
    target: list[str],
    credentials: GroupCredentials,
    capsys: pytest.CaptureFixture[str],
) -> None:
    device = ["--device-id", simulator.device_id]
    assert await run("ident", *target, *device) == 0
    ident = json.loads(output(capsys, credentials)[0])
    assert ident["fab_number"] == simulator.device_id
    assert "raw" not in ident
    simulator.update_state(Status=5, RemainingTime=[1, 5])
    assert await run("state", *target, *device) == 0
    state = json.loads(output(capsys, credentials)[0])
    assert state["status"] == "running"
    assert state["remaining_time"] == 65
    assert state["target_temperatures"] == [40.0, None, None]


async def test_without_device_id_the_only_appliance_is_used(
    simulator: SimulatedAppliance,
    target: list[str],
    credentials: GroupCredentials,
    capsys: pytest.CaptureFixture[str],
) -> None:
    device = simulator.device_id
    simulator.update_state(Status=5)
    assert await run("state", *target) == 0
    assert json.loads(output(capsys, credentials)[0])["status"] == "running"
    assert [(seen.method, seen.path) for seen in simulator.requests] == [
        ("GET", "/Devices/"),
        ("GET", f"/Devices/{device}/State"),
    ]
    assert await run("ident", *target) == 0
    assert json.loads(output(capsys, credentials)[0])["fab_number"] == device
    simulator.update_state(Status=4, RemoteEnable=[15, 0, 0])
    assert await run("action", *target, "start") == 0
    assert json.loads(output(capsys, credentials)[0])["device_id"] == device
    assert simulator.actions == [{"ProcessAction": 1}]
    simulator.requests.clear()
    assert await run("state", *target, "--device-id", device) == 0
    assert [seen.path for seen in simulator.requests] == [f"/Devices/{device}/State"]


@pytest.mark.parametrize(
    ("listing", "message"),
    [
        ([], "lists no appliance"),
        (
            ["000177753917", "000177753918"],
            (
                "lists 2 appliances, choose one with --device-id: "
                "000177753917, 000177753918"
            ),
        ),
    ],
)
async def test_without_device_id_several_or_no_appliances_are_an_error(
    fake: FakeAppliance,
    credentials: GroupCredentials,
    key_file: Path,
    capsys: pytest.CaptureFixture[str],
    listing: list[str],
    message: str,
) -> None:
    fake.json(
        "GET",
        "/Devices/",
        {
            device: {"href": f"{device}/", "Group": credentials.group_id}
            for device in listing
        },
    )
    args = ["--host", fake.host, "--group-id", credentials.group_id]
    assert await run("state", *args, "--group-key-file", str(key_file)) == 1
    assert error_line(capsys, credentials) == f"error: {fake.host} {message}"
    assert [seen.path for seen in fake.seen] == ["/Devices/"]


async def test_action(
    simulator: SimulatedAppliance,
    target: list[str],
    credentials: GroupCredentials,
    capsys: pytest.CaptureFixture[str],
) -> None:
    simulator.update_state(Status=4, RemoteEnable=[15, 0, 0])
    code = await run("action", *target, "--device-id", simulator.device_id, "start")
    assert code == 0
    assert json.loads(output(capsys, credentials)[0]) == {
        "action": "start",
        "device_id": simulator.device_id,
        "sent": True,
    }
    assert simulator.actions == [{"ProcessAction": 1}]


async def test_refused_action(
    simulator: SimulatedAppliance,
    target: list[str],
    credentials: GroupCredentials,
    capsys: pytest.CaptureFixture[str],
) -> None:
    simulator.update_state(Status=4, RemoteEnable=[0, 0, 0])
    code = await run("action", *target, "--device-id", simulator.device_id, "start")
    assert code == 1
    assert error_line(capsys, credentials) == (
        "error: the appliance refused the action (HTTP 403): "
        "remote control disabled or wrong key"
    )
    assert simulator.actions == []


@pytest.mark.parametrize(
    ("action", "payload"),
    [
        ("stop", {"ProcessAction": 2}),
        ("pause", {"ProcessAction": 3}),
        ("superfreeze-on", {"ProcessAction": 4}),
        ("superfreeze-off", {"ProcessAction": 5}),
        ("supercool-on", {"ProcessAction": 6}),
        ("supercool-off", {"ProcessAction": 7}),
        ("light-on", {"Light": 1}),
        ("light-off", {"Light": 2}),
        ("wake", {"DeviceAction": 2}),
    ],
)
async def test_every_action_sends_its_payload(
    credentials: GroupCredentials,
    key_file: Path,
    capsys: pytest.CaptureFixture[str],
    fake: FakeAppliance,
    action: str,
    payload: dict[str, int],
) -> None:
    fake.routes["PUT", "/Devices/000177753917/State"] = Reply(status=204)
    args = ["--host", fake.host, "--group-id", credentials.group_id]
    args += ["--group-key-file", str(key_file), "--device-id", "000177753917"]
    assert await run("action", *args, action) == 0
    assert json.loads(output(capsys, credentials)[0])["action"] == action
    [seen] = fake.seen
    assert json.loads(seen.plaintext) == payload


async def test_key_from_environment(
    simulator: SimulatedAppliance,
    credentials: GroupCredentials,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MIELE_GROUP_KEY", credentials.group_key_hex)
    args = ["--host", simulator.host, "--group-id", credentials.group_id]
    assert await run("devices", *args) == 0
    assert simulator.device_id in json.loads(output(capsys, credentials)[0])


@pytest.mark.parametrize(
    ("fault", "line"),
    [
        ("bad_signature", "error: response signature is invalid (possible tampering)"),
        ("reset", "error: the appliance rejected the key (HTTP 403)"),
        ("error500", "unexpected HTTP 500"),
        ("garbage", "response is not valid JSON"),
        ("offline", "cannot connect"),
        ("timeout", "/State: no answer in time"),
    ],
)
async def test_failures_are_one_line(
    simulator: SimulatedAppliance,
    target: list[str],
    credentials: GroupCredentials,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    fault: str,
    line: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    simulator.set_fault(fault)
    assert (
        await run(
            "state", *target, "--device-id", simulator.device_id, "--timeout", "0.3"
        )
        == 1
    )
    assert line in error_line(capsys, credentials)
    assert credentials.group_key_hex not in caplog.text


async def test_wrong_key(
    simulator: SimulatedAppliance,
    credentials: GroupCredentials,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    other = GroupCredentials.generate()
    wrong = tmp_path / "wrong.key"
    wrong.write_text(other.group_key_hex)
    args = ["--host", simulator.host, "--group-id", credentials.group_id]
    assert await run("devices", *args, "--group-key-file", str(wrong)) == 1
    line = error_line(capsys, other)
    assert line == "error: the appliance rejected the key (HTTP 403)"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "the following arguments are required"),
        (["frobnicate"], "invalid choice"),
        (["devices"], "--host"),
        (["state", "--host", "127.0.0.1"], "--group-id is required"),
        (["devices", "--host", "127.0.0.1"], "--group-id is required"),
        (
            ["devices", "--host", "127.0.0.1", "--group-id", "0123456789ABCDEF"],
            "--group-key-file or $MIELE_GROUP_KEY",
        ),
        (
            ["action", "--host", "h", "--device-id", "1", "explode"],
            "invalid choice",
        ),
        (["pair", "--host", "127.0.0.1"], "pair needs --group-key-file"),
    ],
)
async def test_usage_errors(
    credentials: GroupCredentials,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    message: str,
) -> None:
    monkeypatch.delenv("MIELE_GROUP_KEY", raising=False)
    assert await run(*argv) == 1
    assert message in error_line(capsys, credentials)


async def test_bad_inputs_never_echo_the_key(
    tmp_path: Path,
    credentials: GroupCredentials,
    capsys: pytest.CaptureFixture[str],
) -> None:
    short = tmp_path / "short.key"
    short.write_text(credentials.group_key_hex[:-2])
    base = ["devices", "--group-id", credentials.group_id]
    assert await run(*base, "--host", "127.0.0.1", "--group-key-file", str(short)) == 1
    line = error_line(capsys, credentials)
    assert line == "error: group_key: must be 128 hex characters, got 126"
    assert credentials.group_key_hex[:-2] not in line
    missing = str(tmp_path / "missing.key")
    assert await run(*base, "--host", "127.0.0.1", "--group-key-file", missing) == 1
    assert "cannot read the group key file" in error_line(capsys, credentials)
    good = tmp_path / "good.key"
    good.write_text(credentials.group_key_hex)
    assert await run(*base, "--host", "http://x", "--group-key-file", str(good)) == 1
    assert error_line(capsys, credentials).startswith("error: host: ")
    binary = tmp_path / "binary.key"
    binary.write_bytes(b"\xff\xfe")
    assert await run(*base, "--host", "127.0.0.1", "--group-key-file", str(binary)) == 1
    assert "not text" in error_line(capsys, credentials)


async def test_pair_generates_and_stores_the_key(
    simulator_factory: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    simulator = await simulator_factory("dishwasher", paired=False)
    key_path = tmp_path / "new.key"
    assert (
        await run("pair", "--host", simulator.host, "--group-key-file", str(key_path))
        == 0
    )
    paired = simulator.credentials
    assert paired is not None
    result = json.loads(output(capsys, paired)[0])
    assert result == {
        "devices": [simulator.device_id],
        "group_id": paired.group_id,
        "group_key_file": str(key_path),
    }
    assert key_path.read_text().strip() == paired.group_key_hex
    assert stat.S_IMODE(key_path.stat().st_mode) == 0o600


async def test_pair_with_given_credentials(
    simulator_factory: Any,
    credentials: GroupCredentials,
    key_file: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    simulator = await simulator_factory("oven", paired=False)
    args = ["--host", simulator.host, "--group-id", credentials.group_id]
    assert await run("pair", *args, "--group-key-file", str(key_file)) == 0
    assert simulator.credentials == credentials
    assert (
        json.loads(output(capsys, credentials)[0])["group_id"] == credentials.group_id
    )


async def test_pair_refused_removes_the_fresh_key(
    simulator: SimulatedAppliance,
    credentials: GroupCredentials,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    key_path = tmp_path / "new.key"
    assert (
        await run("pair", "--host", simulator.host, "--group-key-file", str(key_path))
        == 1
    )
    assert "already paired" in error_line(capsys, credentials)
    assert not key_path.exists()
    assert simulator.credentials == credentials


async def test_pair_never_overwrites_a_key_file(
    simulator_factory: Any,
    credentials: GroupCredentials,
    key_file: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    simulator = await simulator_factory("washer", paired=False)
    assert (
        await run("pair", "--host", simulator.host, "--group-key-file", str(key_file))
        == 1
    )
    assert "cannot create the group key file" in error_line(capsys, credentials)
    kept = await asyncio.to_thread(key_file.read_text)
    assert kept.strip() == credentials.group_key_hex
    assert simulator.requests == []


async def test_pair_keeps_the_key_when_the_outcome_is_unknown(
    simulator_factory: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    simulator = await simulator_factory("washer", paired=False)
    simulator.set_fault("timeout")
    key_path = tmp_path / "new.key"
    args = ["--host", simulator.host, "--group-key-file", str(key_path)]
    assert await run("pair", *args, "--timeout", "0.2") == 1
    kept = key_path.read_text().strip()
    assert "no answer in time" in error_line(
        capsys, GroupCredentials.from_hex("0" * 16, kept)
    )


@pytest.fixture
async def fake() -> Any:
    """The scripted appliance of test_client, for answers the simulator cannot give."""
    from aiohttp import web  # noqa: PLC0415

    appliance = FakeAppliance()
    runner = web.ServerRunner(web.Server(appliance.handle))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    appliance.host = f"127.0.0.1:{runner.addresses[0][1]}"
    yield appliance
    await runner.cleanup()


async def test_pair_confirm_sends_the_signed_confirmation(
    fake: FakeAppliance,
    credentials: GroupCredentials,
    key_file: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake.routes["PUT", "/Security/Commissioning/"] = Reply(status=204)
    fake.json("GET", "/Devices/", {})
    args = ["--host", fake.host, "--group-id", credentials.group_id]
    assert await run("pair", *args, "--group-key-file", str(key_file), "--confirm") == 0
    assert json.loads(output(capsys, credentials)[0])["devices"] == []
    commission, confirm, _ = fake.seen
    assert commission.headers["Authorization"] == "MielePairing:Pairing"
    assert confirm.signed_ok
    assert json.loads(confirm.plaintext)["GroupID"] == credentials.group_id


@pytest.fixture
def closed_pipe() -> Iterator[TextIO]:
    """The writing end of a pipe whose reader has already gone."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    with open(write_end, "w", encoding="utf-8") as pipe:
        yield pipe


async def test_closed_stdout_exits_quietly(
    target: list[str], monkeypatch: pytest.MonkeyPatch, closed_pipe: TextIO
) -> None:
    """``... | head -c 0``: the reader is gone before the JSON is written."""
    monkeypatch.setattr(sys, "stdout", closed_pipe)
    assert await run("devices", *target) == 1
    closed_pipe.write("the interpreter's last flush must not fail again")
    closed_pipe.flush()


async def test_closed_stdout_in_a_real_process(target: list[str]) -> None:
    """The same through ``python -m``: exit status 1 and no traceback on stderr."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "mielelocal",
            "devices",
            *target,
            stdout=write_end,
            stderr=asyncio.subprocess.PIPE,
        )
    finally:
        os.close(write_end)
    _, stderr = await process.communicate()
    assert process.returncode == 1
    assert stderr == b""


def test_help_names_the_console_script(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("usage: mielelocal [-h]")


def test_start_up_imports_no_home_assistant() -> None:
    """``python -X importtime -m mielelocal --help`` lists every module it imported."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "mielelocal", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.startswith("usage: python -m mielelocal [-h]")
    imported = [
        line.rsplit("|", 1)[1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:")
    ]
    assert "mielelocal.cli" in imported
    assert [name for name in imported if name.split(".")[0] == "homeassistant"] == []


def test_python_dash_m_entry_point(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    credentials: GroupCredentials,
) -> None:
    monkeypatch.setattr(sys, "argv", ["miele", "devices", "--host", "a/b"])
    with pytest.raises(SystemExit) as exit_info:
        runpy.run_module("mielelocal", run_name="__main__")
    assert exit_info.value.code == 1
    assert "--group-id is required" in error_line(capsys, credentials)


async def test_pair_refused_keeps_a_given_key_file(
    simulator: SimulatedAppliance,
    target: list[str],
    key_file: Path,
    credentials: GroupCredentials,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert await run("pair", *target) == 1
    assert "already paired" in error_line(capsys, credentials)
    kept = await asyncio.to_thread(key_file.read_text)
    assert kept.strip() == credentials.group_key_hex
