"""
The library on its own: a fresh virtual environment with only ``mielelocal`` installed.

From outside the repository it runs the guide's example script, the library's tests (the
guide's snippets among them) and the ``mielelocal`` command, and nothing imports Home
Assistant. Slow: the environment is built once per session (``pip`` installs the library and
the test tools, downloading what it lacks), then the library's tests run in it.
"""

from __future__ import annotations

import ast
import asyncio
from dataclasses import dataclass
from importlib.metadata import version
import json
from pathlib import Path
import shutil
import socket
import subprocess
import sys

import pytest

from mielelocal.credentials import GroupCredentials
from simulator import SimulatedAppliance

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "scripts" / "optimized_connection_example.py"
LIBRARY_TESTS = REPO / "tests" / "miele"
TEST_TOOLS = ("pytest", "pytest-asyncio", "pytest-timeout", "hypothesis")
WASHER = "000123456789"
# What compares with Home Assistant core or reads the integration (tests/miele/conftest.py).
SKIPPED = {
    "tests/miele/test_codes_core.py",
    "tests/miele/test_capabilities.py::test_home_assistant_side_asks_the_library",
}
# Runs a script (or ``-m module``) as python would, then writes every loaded module's file.
WRAPPER = """
import atexit, json, runpy, sys

report, target, *argv = sys.argv[1:]


def write_report():
    with open(report, "w", encoding="utf-8") as file:
        json.dump({n: getattr(m, "__file__", None) for n, m in sys.modules.items()}, file)


atexit.register(write_report)
if target == "-m":
    sys.argv = argv
    runpy.run_module(argv[0], run_name="__main__", alter_sys=True)
else:
    sys.argv = [target, *argv]
    runpy.run_path(target, run_name="__main__")
"""

# A pytest plugin (``-p outcomes``) that writes each test's outcome next to itself.
PLUGIN = """
import json
from pathlib import Path

OUTCOMES = {}


def pytest_collectreport(report):
    if not report.passed:
        OUTCOMES[report.nodeid] = report.outcome


def pytest_runtest_logreport(report):
    if report.failed:
        OUTCOMES[report.nodeid] = "failed"
    elif report.skipped or report.when == "call":
        OUTCOMES.setdefault(report.nodeid, report.outcome)


def pytest_sessionfinish():
    Path(__file__).with_name("outcomes.json").write_text(json.dumps(OUTCOMES))
"""

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


@dataclass(frozen=True)
class Venv:
    """The environment, its site-packages and a working folder outside the repository."""

    root: Path
    python: Path
    site_packages: Path
    work: Path


@dataclass(frozen=True)
class Run:
    """One wrapped process: output, every module it loaded and its ``-X importtime`` list."""

    stdout: str
    modules: dict[str, str | None]
    imported: list[str]


def _run(
    argv: list[str], cwd: Path, timeout: float
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(  # noqa: S603 (our own argv)
        argv, cwd=cwd, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert result.returncode == 0, f"{argv}\n{result.stdout[-4000:]}{result.stderr}"
    return result


@pytest.fixture(scope="session")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Venv:
    """A venv without system site-packages, holding the library and the test tools only."""
    root = tmp_path_factory.mktemp("standalone")
    # pip builds in the source folder: a copy keeps build/ and *.egg-info out of the repo.
    source = root / "source"
    shutil.copytree(
        REPO,
        source,
        ignore=shutil.ignore_patterns(
            ".*", "__pycache__", "build", "dist", "*.egg-info"
        ),
    )
    _run([sys.executable, "-m", "venv", str(root / "venv")], root, 120)
    python = root / "venv" / "bin" / "python"
    tools = [f"{name}=={version(name)}" for name in TEST_TOOLS]
    _run([str(python), "-m", "pip", "install", "-q", str(source), *tools], root, 600)
    purelib = _run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        root,
        60,
    )
    work = root / "work"
    work.mkdir()
    (root / "wrapper.py").write_text(WRAPPER)
    (root / "outcomes.py").write_text(PLUGIN)
    return Venv(root, python, Path(purelib.stdout.strip()), work)


def _wrapped(venv: Venv, *argv: str, timeout: float = 120) -> Run:
    """Run ``argv`` with the venv's python under the wrapper and ``-X importtime``."""
    report = venv.root / "modules.json"
    wrapper = str(venv.root / "wrapper.py")
    python = [str(venv.python), "-X", "importtime", wrapper, str(report)]
    result = _run([*python, *argv], venv.work, timeout)
    lines = result.stderr.splitlines()
    imported = [
        line.rsplit("|", 1)[1].strip()
        for line in lines
        if line.startswith("import time:")
    ]
    other = [line for line in lines if not line.startswith("import time:")]
    assert other == [], "\n".join(other)
    modules = json.loads(report.read_text())
    report.unlink()
    return Run(result.stdout, modules, imported)


def _check_library_alone(venv: Venv, run: Run) -> None:
    """The installed library was used, the simulator came from the repo, no Home Assistant."""
    assert Path(run.modules["mielelocal"] or "").is_relative_to(venv.site_packages)
    assert Path(run.modules["mielelocal.client"] or "").is_relative_to(
        venv.site_packages
    )
    assert Path(run.modules["simulator"] or "").is_relative_to(REPO)
    assert "mielelocal.client" in run.imported
    for names in (run.imported, run.modules):
        assert [n for n in names if n.split(".")[0] == "homeassistant"] == []


def _config(venv: Venv) -> Path:
    """The shipped config on free ports (the documented ports may be taken here)."""
    data = json.loads((REPO / "examples" / "connection_config.json").read_text())
    for device in data["devices"]:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            device["host"] = f"127.0.0.1:{sock.getsockname()[1]}"
    path = venv.work / "connection_config.json"
    path.write_text(json.dumps(data))
    return path


def test_home_assistant_is_not_installed(venv: Venv) -> None:
    plugin = "pytest_homeassistant_custom_component"
    probe = f"from importlib.util import find_spec as f; print(f('homeassistant'), f({plugin!r}))"
    assert _run([str(venv.python), "-c", probe], venv.work, 60).stdout == "None None\n"


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["--example", "monitor", "--duration", "0.5", "--interval", "0.1"],
            [f"{WASHER}: connection healthy", "pool: 2 open, 0 active, 2 idle"],
        ),
        (
            ["--example", "reset", "--device-id", WASHER],
            [f"{WASHER}: no factory reset detected"],
        ),
    ],
    ids=["monitor", "reset"],
)
def test_the_guides_example_runs_with_only_the_library(
    socket_enabled: None, venv: Venv, argv: list[str], expected: list[str]
) -> None:
    run = _wrapped(venv, str(SCRIPT), "--config", str(_config(venv)), *argv)
    assert f"simulated washer {WASHER}" in run.stdout
    for line in expected:
        assert line in run.stdout
    assert "failed" not in run.stdout
    _check_library_alone(venv, run)


def test_the_library_tests_pass_with_only_the_library(venv: Venv) -> None:
    """tests/miele, the guide's snippets (test_guide.py) among them, without tests/conftest.py."""
    run = _wrapped(
        venv,
        "-m",
        "pytest",
        "-c",
        str(REPO / "pyproject.toml"),
        "--rootdir",
        str(REPO),
        "--confcutdir",
        str(LIBRARY_TESTS),
        "--import-mode=append",
        "-q",
        "--capture=sys",  # -X importtime writes to the stderr file descriptor
        "-p",
        "outcomes",
        str(LIBRARY_TESTS),
        timeout=600,
    )
    _check_library_alone(venv, run)
    assert "tests.miele.conftest" in run.modules
    assert "tests.conftest" not in run.modules
    outcomes = json.loads((venv.root / "outcomes.json").read_text())
    assert {name for name, outcome in outcomes.items() if outcome != "passed"} == (
        SKIPPED
    )
    assert {outcomes[name] for name in SKIPPED} == {"skipped"}
    for module in ("connection/test_guide.py", "connection/test_example.py"):
        tree = ast.parse((LIBRARY_TESTS / module).read_text())
        tests = [
            node.name
            for node in tree.body
            if isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef)
            and node.name.startswith("test_")
        ]
        for test in tests:
            ran = [
                outcome
                for name, outcome in outcomes.items()
                if name.partition("[")[0] == f"tests/miele/{module}::{test}"
            ]
            assert ran, test
            assert set(ran) == {"passed"}, test


async def test_the_command_finds_the_appliance_with_only_the_library(
    socket_enabled: None, venv: Venv
) -> None:
    """The console script, without ``--device-id``, against a simulated appliance."""
    credentials = GroupCredentials.generate()
    key_file = venv.work / "group.key"
    key_file.write_text(credentials.group_key_hex)
    command = venv.python.parent / "mielelocal"
    async with SimulatedAppliance("washer", credentials=credentials) as sim:
        process = await asyncio.create_subprocess_exec(
            *(str(command), "state", "--host", sim.host),
            *("--group-id", credentials.group_id, "--group-key-file", str(key_file)),
            cwd=venv.work,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        stdout, stderr = await process.communicate()
    assert (process.returncode, stderr) == (0, b"")
    assert json.loads(stdout)["status"] == "running"
    assert [seen.path for seen in sim.requests] == [
        "/Devices/",
        f"/Devices/{sim.device_id}/State",
    ]


def test_the_command_imports_no_home_assistant(venv: Venv) -> None:
    command = venv.python.parent / "mielelocal"
    assert _run([str(command), "--help"], venv.work, 60).stdout.startswith(
        "usage: mielelocal [-h]"
    )
    run = _wrapped(venv, "-m", "mielelocal", "state", "--help")
    assert run.stdout.startswith("usage: python -m mielelocal state [-h]")
    assert "FabNumber (default: the only appliance" in run.stdout
    assert Path(run.modules["mielelocal.cli"] or "").is_relative_to(venv.site_packages)
    assert [n for n in run.imported if n.split(".")[0] == "homeassistant"] == []
