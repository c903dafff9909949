"""``python -m simulator``: a real subprocess, plus the argument handling in-process."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
import signal
import socket
import sys
import threading
from typing import TYPE_CHECKING, Any

import aiohttp
import pytest

from simulator import SimulatedAppliance
from simulator.__main__ import build_appliance, build_parser, main, serve
from tests.simulator.rawclient import send

if TYPE_CHECKING:
    from mielelocal.credentials import GroupCredentials

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def key_file(tmp_path: Path, creds: GroupCredentials) -> Path:
    path = tmp_path / "key"
    path.write_text(creds.group_key_hex + "\n")
    return path


async def wait_for_status(session: aiohttp.ClientSession, port: int) -> dict[str, Any]:
    for _ in range(600):  # the package import pulls in Home Assistant: slow start
        try:
            async with session.get(f"http://127.0.0.1:{port}/status") as answer:
                status: dict[str, Any] = await answer.json()
                return status
        except aiohttp.ClientConnectionError:
            await asyncio.sleep(0.05)
    raise AssertionError("the simulator did not come up")


async def test_cli_serves_until_sigterm(session, creds, tmp_path):
    port, control = free_port(), free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "simulator",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--control-port",
        str(control),
        "--group-id",
        creds.group_id,
        "--group-key-file",
        str(key_file(tmp_path, creds)),
        "--appliance",
        "oven",
        "--speed",
        "10",
        "--wake-delay",
        "0.1",
        cwd=REPO,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        status = await wait_for_status(session, control)
        assert status["appliance"] == "oven"
        assert status["group_id"] == creds.group_id
        host = f"127.0.0.1:{port}"
        path = f"/Devices/{status['device_id']}/State"
        answer = await send(session, host, creds, "GET", path)
        assert answer.json(creds)["Light"] == 1
        async with session.post(
            f"http://127.0.0.1:{control}/fault", json={"mode": "offline"}
        ) as posted:
            assert (await posted.json())["fault"] == "offline"
        with pytest.raises(aiohttp.ClientConnectionError):
            await send(session, host, creds, "GET", path)
    finally:
        process.terminate()
        _, stderr = await process.communicate()
    assert process.returncode == 0
    log = stderr.decode()
    assert f"GET {path} -> 200" in log
    assert "stopped" in log
    assert creds.group_key_hex not in log.upper()


async def test_serve_stops_on_sigint(creds):
    sim = SimulatedAppliance(credentials=creds)
    task = asyncio.create_task(serve(sim))
    for _ in range(200):
        if sim.port:
            break
        await asyncio.sleep(0.01)
    os.kill(os.getpid(), signal.SIGINT)
    await asyncio.wait_for(task, 5)
    assert sim.port > 0
    assert sim.requests == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--group-id", "0123456789ABCDEF"], "--group-key-file"),
        (
            ["--group-key-file", "/nonexistent/key", "--group-id", "0123456789ABCDEF"],
            "cannot read",
        ),
        (["--appliance", "toaster", "--unpaired"], "invalid choice"),
        (["--unpaired", "--latency", "-1"], "latency"),
    ],
)
def test_bad_arguments_exit_with_a_clear_message(args, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_a_malformed_key_is_never_echoed(tmp_path, capsys):
    secret = "Z" * 127 + "0"
    path = tmp_path / "key"
    path.write_text(secret)
    with pytest.raises(SystemExit):
        main(["--group-id", "0123456789ABCDEF", "--group-key-file", str(path)])
    err = capsys.readouterr().err
    assert "group_key" in err
    assert secret not in err


def test_a_busy_port_exits_with_status_1(caplog):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["--unpaired", "--port", str(port)]) == 1
    assert "cannot serve" in caplog.text


def interrupt_once_listening(port: int) -> None:
    """Send SIGINT to this process once the simulator accepts connections."""
    for _ in range(500):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            threading.Event().wait(0.01)
        else:
            break
    os.kill(os.getpid(), signal.SIGINT)


def test_main_runs_until_interrupted(creds, tmp_path, caplog):
    port = free_port()
    interrupter = threading.Thread(target=interrupt_once_listening, args=(port,))
    interrupter.start()
    try:
        code = main(
            [
                "--port",
                str(port),
                "--group-id",
                creds.group_id,
                "--group-key-file",
                str(key_file(tmp_path, creds)),
                "--appliance",
                "tumble_dryer",
            ]
        )
    finally:
        interrupter.join()
    assert code == 0
    assert "simulated tumble_dryer" in caplog.text
    assert creds.group_key_hex not in caplog.text.upper()


@pytest.mark.parametrize(
    ("flags", "validates"), [([], True), (["--no-validate-commissioning"], False)]
)
def test_commissioning_validation_can_be_switched_off(
    flags: list[str], validates: bool
) -> None:
    args = build_parser().parse_args(["--unpaired", "--appliance", "hood", *flags])
    sim = build_appliance(args)
    assert sim.validate_commissioning is validates
    assert not sim.paired
    assert sim.appliance == "hood"


@pytest.mark.parametrize(
    ("flags", "supported"), [([], True), (["--no-supervision"], False)]
)
def test_supervision_can_be_switched_off(flags: list[str], supported: bool) -> None:
    sim = build_appliance(build_parser().parse_args(["--unpaired", *flags]))
    assert sim.supervision.supported is supported
