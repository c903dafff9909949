"""The example application runs against simulated appliances as documented."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
from pathlib import Path
import socket
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from argparse import Namespace
    from types import ModuleType

REPO = Path(__file__).resolve().parents[3]
SCRIPT = REPO / "scripts" / "optimized_connection_example.py"
WASHER = "000123456789"
FRIDGE = "000123456790"


@pytest.fixture(scope="module")
def example() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "optimized_connection_example", SCRIPT
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """The shipped config on free ports (the documented ports may be taken here)."""
    data = json.loads((REPO / "examples" / "connection_config.json").read_text())
    for device in data["devices"]:
        device["host"] = f"127.0.0.1:{_free_port()}"
    path = tmp_path / "config.json"
    path.write_text(json.dumps(data))
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def args(example: ModuleType, *argv: str) -> Namespace:
    namespace: Namespace = example.parse_args(list(argv))
    return namespace


async def test_monitor_runs_against_started_simulators(
    socket_enabled: None,
    example: ModuleType,
    config: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    code = await example.run(
        args(
            example, "--config", str(config), "--duration", "0.2", "--interval", "0.05"
        )
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "watching 2 appliance(s)" in out
    assert f"{WASHER}: connection healthy" in out
    assert f"{FRIDGE}: Status=" in out
    assert "pool: 2 open, 0 active, 2 idle" in out
    assert f"{WASHER}: healthy" in out


async def test_reset_example_detects_and_recovers(
    socket_enabled: None,
    example: ModuleType,
    config: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["--config", str(config), "--example", "reset", "--device-id", WASHER]
    code = await example.run(args(example, *argv, "--simulate-reset"))
    out = capsys.readouterr().out
    assert code == 0
    assert f"{WASHER}: simulated appliance factory-reset" in out
    assert "evidence: signed State read refused (HTTP 403)" in out
    assert "factory reset detected" in out
    assert "result: stored key commissioned and verified" in out
    assert f"{WASHER}: recovered=True, Ident read again ({WASHER})" in out
    code = await example.run(args(example, *argv))
    assert code == 0
    assert "no factory reset detected" in capsys.readouterr().out


async def test_reset_example_reports_a_failed_recovery(
    socket_enabled: None,
    example: ModuleType,
    config: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def refused(*_: object) -> tuple[bool, None]:
        return False, None

    monkeypatch.setattr(
        example.DeviceResetter, "recover_from_reset", refused, raising=True
    )
    argv = ["--config", str(config), "--example", "reset", "--device-id", WASHER]
    code = await example.run(args(example, *argv, "--simulate-reset"))
    assert code == 1
    assert f"{WASHER}: recovery failed" in capsys.readouterr().out


async def test_without_simulators_nothing_is_started(
    socket_enabled: None,
    example: ModuleType,
    config: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["--config", str(config), "--no-simulators", "--example", "monitor"]
    code = await example.run(args(example, *argv, "--duration", "0.01"))
    out = capsys.readouterr().out
    assert code == 0
    assert "simulated" not in out
    assert f"{WASHER}: read failed: ConnectionLostError" in out


async def test_bad_input_is_reported(
    example: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"devices": [{"id": "1", "host": "x", "group_id": "1"}]}')
    assert await example.run(args(example, "--config", str(bad))) == 2
    assert "devices[0].group_key: is required" in capsys.readouterr().err
    shipped = str(REPO / "examples" / "connection_config.json")
    assert (
        await example.run(
            args(example, "--config", shipped, "--example", "reset", "--device-id", "9")
        )
        == 2
    )
    assert "9 is not in" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        example.parse_args(["--example", "reset"])
    with pytest.raises(SystemExit):
        example.parse_args(["--simulate-reset", "--no-simulators"])


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("host", "127.0.0.1", "devices[0].host: a simulated appliance needs host:port"),
        (
            "simulator",
            {"appliance": "washr"},
            "cannot start the simulators: unknown appliance 'washr'",
        ),
    ],
)
async def test_unusable_simulated_appliance_is_reported(
    example: ModuleType,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    field: str,
    value: object,
    message: str,
) -> None:
    data = json.loads((REPO / "examples" / "connection_config.json").read_text())
    data["devices"][0][field] = value
    path = tmp_path / "config.json"
    path.write_text(json.dumps(data))
    assert await example.run(args(example, "--config", str(path))) == 2
    assert message in capsys.readouterr().err


async def test_reset_of_a_real_appliance_cannot_be_simulated(
    socket_enabled: None,
    example: ModuleType,
    config: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data = json.loads(await asyncio.to_thread(config.read_text))
    del data["devices"][0]["simulator"]
    await asyncio.to_thread(config.write_text, json.dumps(data))
    argv = ["--config", str(config), "--example", "reset", "--device-id", WASHER]
    assert await example.run(args(example, *argv, "--simulate-reset")) == 2
    assert f"{WASHER} is not simulated" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["--example", "monitor", "--duration", "0.3", "--interval", "0.1"],
        ["--example", "reset", "--device-id", WASHER],
    ],
)
def test_the_guides_commands_run(
    socket_enabled: None, config: Path, argv: list[str]
) -> None:
    result = subprocess.run(  # noqa: S603 (fixed argv, our own script)
        [sys.executable, str(SCRIPT), "--config", str(config), *argv],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert f"simulated washer {WASHER}" in result.stdout
    assert "failed" not in result.stdout
    assert result.stderr == ""


def test_an_installed_library_comes_before_the_repositorys(tmp_path: Path) -> None:
    """The script appends the repository to ``sys.path``: an installed mielelocal wins."""
    installed = tmp_path / "mielelocal"
    installed.mkdir()
    (installed / "__init__.py").write_text('raise SystemExit("installed mielelocal")')
    result = subprocess.run(  # noqa: S603 (fixed argv, our own script)
        [sys.executable, str(SCRIPT), "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
    )
    assert (result.returncode, result.stderr) == (1, "installed mielelocal\n")
