"""
Harness for end-to-end tests: simulator and Home Assistant as real processes on 127.0.0.1.

Every process runs in its own session (process group) and is stopped at teardown, also when
the test fails. Logs go to files under the test's `tmp_path`; their tails are logged at
teardown, so a failing test shows them. The Home Assistant test plugin blocks sockets: the
fixtures request `socket_enabled`, and its host allow-list keeps 127.0.0.1, where all runs.

`hass` runs what a user installs: the release archive (`scripts/build_release.py`, built once
per session) unpacked into its configuration's `custom_components/miele_local/`, started from
that configuration folder without PYTHONPATH, so the repository is not importable and an
import the archive failed to rewrite fails the run. It runs with the python named by the
environment variable MIELE_LOCAL_E2E_HASS_PYTHON (`scripts/test-ha-latest` names the newest
Home Assistant release's environment), by default with the test's own. A test fails at teardown when Home Assistant's log reports the integration's
use of anything deprecated (its own report, or a Python DeprecationWarning, which `hass` is
started to show).
"""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
import importlib.util
import json
import logging
import os
from pathlib import Path
import re
import signal
import socket
import subprocess
import sys
import time
from typing import TYPE_CHECKING, Any
import zipfile

import aiohttp
import pytest

from mielelocal.credentials import GroupCredentials

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
    from types import ModuleType


_LOGGER = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[2]
COMPONENT = REPO / "custom_components" / "miele_local"
HOST = "127.0.0.1"
STOP_TIMEOUT = 20.0
START_TIMEOUT = 60.0
POLL_PERIOD = 0.25
E2E_FAB_NUMBER = "000177753917"
HASS_PYTHON_VARIABLE = "MIELE_LOCAL_E2E_HASS_PYTHON"
# Python shows DeprecationWarnings only for code run as __main__; Home Assistant logs what it shows.
SHOW_DEPRECATIONS = (
    "default::DeprecationWarning",
    "default::PendingDeprecationWarning",
)
INTEGRATION_REPORT = "Detected that custom integration 'miele_local'"
_DEPRECATION = re.compile(r"deprecat", re.IGNORECASE)
# A record's start: "2026-11-05 10:00:00.001 DEBUG" (2026.11 adds the UTC offset: ".001+00:00").
_QUIET_RECORD = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:?\d\d|Z)? (DEBUG|INFO) "
)


def hass_python() -> str:
    """The python that runs `hass`: $MIELE_LOCAL_E2E_HASS_PYTHON, else the test's own."""
    python = os.environ.get(HASS_PYTHON_VARIABLE) or sys.executable
    if not os.access(python, os.X_OK):
        raise pytest.UsageError(f"{HASS_PYTHON_VARIABLE}={python} is no executable")
    return python


def hass_version(python: str) -> str:
    """The Home Assistant version that `python` imports."""
    return subprocess.run(  # noqa: S603  # our own python
        [
            python,
            "-c",
            "from homeassistant.const import __version__; print(__version__)",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()


def pytest_report_header() -> str:
    """Name the Home Assistant the end-to-end tests start (shown when they run alone)."""
    python = hass_python()
    return f"hass: Home Assistant {hass_version(python)} ({python})"


def integration_warnings(log: str) -> list[str]:
    """
    The lines of a Home Assistant log that report this integration's deprecated usage.

    Home Assistant's "Detected that custom integration 'miele_local' ..." reports, and any
    warning about something deprecated that names the integration (Home Assistant's deprecated
    constants and functions name `miele_local` or its issue tracker; a Python DeprecationWarning
    names the file under `custom_components/miele_local`). The integration's own debug and info
    records are no warnings.
    """
    return [
        line
        for line in log.splitlines()
        if INTEGRATION_REPORT in line
        or (
            _DEPRECATION.search(line)
            and "miele_local" in line
            and not _QUIET_RECORD.match(line)
        )
    ]


def assert_no_integration_warnings(log_path: Path) -> None:
    """Fail, quoting the lines, when the Home Assistant log at `log_path` has any."""
    log = log_path.read_text(errors="replace") if log_path.exists() else ""
    if found := integration_warnings(log):
        quoted = "\n".join(f"    {line}" for line in found)
        raise AssertionError(
            f"Home Assistant reported deprecated usage by miele_local ({log_path}):\n"
            f"{quoted}"
        )


def load_script(name: str) -> ModuleType:
    """`scripts/<name>.py` as the module `name` (scripts/ is no package)."""
    if (loaded := sys.modules.get(name)) is not None:
        return loaded
    spec = importlib.util.spec_from_file_location(name, REPO / "scripts" / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def load_develop() -> ModuleType:
    """`scripts/develop.py` as a module."""
    return load_script("develop")


def without_repository(environ: Mapping[str, str]) -> dict[str, str]:
    """`environ` without PYTHONPATH, which could make the repository importable."""
    return {name: value for name, value in environ.items() if name != "PYTHONPATH"}


def assert_not_importable(python: str, module: str, cwd: Path) -> None:
    """Fail when `python`, started in `cwd` as `hass` is, finds `module`."""
    found = subprocess.run(  # noqa: S603  # our own python
        [
            python,
            "-c",
            f"import importlib.util; print(importlib.util.find_spec({module!r}))",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=cwd,
        env=without_repository(os.environ),
        timeout=60,
    ).stdout.strip()
    assert found == "None", (
        f"{python} imports {module} from outside the archive: {found}"
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


async def wait_for[T](
    probe: Callable[[], Awaitable[T | None]], *, within: float, what: str
) -> T:
    """Poll `probe` until it returns something other than None; fail after `within` s."""
    deadline = time.monotonic() + within
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            if (result := await probe()) is not None:
                return result
        except (aiohttp.ClientError, OSError) as err:
            last_error = err
        await asyncio.sleep(POLL_PERIOD)
    detail = f" (last error: {last_error!r})" if last_error else ""
    raise AssertionError(f"timed out after {within:.0f} s waiting for {what}{detail}")


async def wait_for_develop(
    run: asyncio.Task[int], setup: Any, session: aiohttp.ClientSession, within: float
) -> None:
    """Wait until `scripts/develop`'s Home Assistant serves; fail at once if the run ended."""

    async def serving() -> bool | None:
        assert not run.done(), setup.console_log.read_text()
        async with session.get(f"{setup.hass_url}/manifest.json") as response:
            return True if response.status == 200 else None

    await wait_for(serving, within=within, what="scripts/develop's Home Assistant")


@dataclass(slots=True)
class ManagedProcess:
    """A child process in its own process group, with its output in a log file."""

    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path

    def log_tail(self, lines: int = 60) -> str:
        """The last `lines` lines the process wrote."""
        text = (
            self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        )
        return "\n".join(text.splitlines()[-lines:])

    def assert_running(self) -> None:
        """Fail with the log tail when the process has exited."""
        if (code := self.popen.poll()) is not None:
            raise AssertionError(f"{self.name} exited with {code}:\n{self.log_tail()}")

    def stop(self, grace: float) -> None:
        """SIGTERM the process group, then SIGKILL whatever is left after `grace` s."""
        if self.popen.poll() is None:
            self._signal_group(signal.SIGTERM)
            with suppress(subprocess.TimeoutExpired):
                self.popen.wait(grace)
        self._signal_group(signal.SIGKILL)
        self.popen.wait()

    def _signal_group(self, sig: signal.Signals) -> None:
        with suppress(ProcessLookupError):
            os.killpg(self.popen.pid, sig)


class ProcessSupervisor:
    """Starts processes and stops all of them, last started first."""

    def __init__(self, log_dir: Path, *, grace: float = STOP_TIMEOUT) -> None:
        self._log_dir = log_dir
        self._grace = grace
        self._processes: list[ManagedProcess] = []

    def start(
        self,
        name: str,
        argv: list[str],
        *,
        cwd: Path = REPO,
        env: Mapping[str, str] | None = None,
    ) -> ManagedProcess:
        """Start `argv` in `cwd` (the repository); output goes to `<log_dir>/<name>.log`."""
        self._log_dir.mkdir(parents=True, exist_ok=True)
        log_path = self._log_dir / f"{name}.log"
        with log_path.open("wb") as log:
            popen = subprocess.Popen(  # noqa: S603  # argv built by the harness
                argv,
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        process = ManagedProcess(name, popen, log_path)
        self._processes.append(process)
        return process

    def stop(self, process: ManagedProcess) -> None:
        """Stop one started process now; log its log tail for the test report."""
        self._processes.remove(process)
        process.stop(self._grace)
        _LOGGER.info(
            "%s exited with %s; log tail:\n%s",
            process.name,
            process.popen.returncode,
            process.log_tail(),
        )

    def stop_all(self) -> None:
        """Stop every started process, last started first."""
        while self._processes:
            self.stop(self._processes[-1])


@dataclass(frozen=True, slots=True)
class SimulatorProcess:
    """A `python -m simulator` process and its control API."""

    process: ManagedProcess
    host: str
    control_url: str
    credentials: GroupCredentials

    async def status(self, session: aiohttp.ClientSession) -> dict[str, Any]:
        """`GET /status` of the control API."""
        async with session.get(f"{self.control_url}/status") as response:
            response.raise_for_status()
            result: dict[str, Any] = await response.json()
            return result

    async def set_fault(self, session: aiohttp.ClientSession, mode: str) -> None:
        """`POST /fault`: none, offline, timeout, sleep, error500, ..., reset."""
        async with session.post(
            f"{self.control_url}/fault", json={"mode": mode}
        ) as response:
            response.raise_for_status()


def start_simulator(
    supervisor: ProcessSupervisor,
    key_file: Path,
    credentials: GroupCredentials,
    appliance: str,
    fab_number: str,
) -> SimulatorProcess:
    """Start a paired simulated appliance on free ports (its key written to `key_file`)."""
    key_file.write_text(credentials.group_key_hex)
    key_file.chmod(0o600)
    port, control_port = free_port(), free_port()
    process = supervisor.start(
        f"simulator-{appliance}",
        [
            sys.executable, "-m", "simulator", "--host", HOST, "--port", str(port),
            "--control-port", str(control_port), "--group-id", credentials.group_id,
            "--group-key-file", str(key_file), "--appliance", appliance,
            "--fab-number", fab_number,
        ],
    )  # fmt: skip
    return SimulatorProcess(
        process, f"{HOST}:{port}", f"http://{HOST}:{control_port}", credentials
    )


def write_hass_config(config_dir: Path, port: int, archive: Path) -> None:
    """
    A minimal Home Assistant configuration with the release `archive` installed.

    The archive is unpacked into `custom_components/miele_local/`, as HACS does. Where Home
    Assistant listens goes to `.storage/http`, as `scripts/develop` writes it (YAML `http:`
    is deprecated and raises repairs).
    """
    (config_dir / "custom_components").mkdir(parents=True)
    (config_dir / ".storage").mkdir()
    (config_dir / ".storage" / "http").write_text(
        json.dumps(load_develop().http_storage(port))
    )
    with zipfile.ZipFile(archive) as release:
        release.extractall(config_dir / "custom_components" / "miele_local")
    (config_dir / "configuration.yaml").write_text(
        """\
homeassistant:
  name: Miele e2e
  time_zone: UTC
  unit_system: metric
  country: DE
  latitude: 0
  longitude: 0
  elevation: 0
api:
config:
onboarding:
repairs:
websocket_api:
logger:
  default: warning
  logs:
    custom_components.miele_local: debug
"""
    )


class HassWebsocket:
    """An authenticated websocket connection to Home Assistant."""

    def __init__(self, connection: aiohttp.ClientWebSocketResponse) -> None:
        self._connection = connection
        self._next_id = 1

    async def command(self, command_type: str, **fields: Any) -> Any:
        """Send one command and return its result; fail on an error answer."""
        message_id = self._next_id
        self._next_id += 1
        await self._connection.send_json(
            {"id": message_id, "type": command_type, **fields}
        )
        while True:
            answer: dict[str, Any] = await self._connection.receive_json(timeout=30)
            if answer.get("id") == message_id and answer.get("type") == "result":
                assert answer["success"], (
                    f"{command_type} failed: {answer.get('error')}"
                )
                return answer["result"]


class HassApi:
    """Home Assistant's REST and websocket APIs, as the first (admin) user."""

    def __init__(self, session: aiohttp.ClientSession, port: int) -> None:
        self.session = session
        self.base_url = f"http://{HOST}:{port}"
        self.client_id = f"{self.base_url}/"
        self._token = ""

    @property
    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}"} if self._token else {}

    async def request(self, method: str, path: str, payload: object = None) -> Any:
        """One REST call; fail unless the answer is 200 OK; return its JSON."""
        async with self.session.request(
            method, f"{self.base_url}{path}", json=payload, headers=self._headers
        ) as response:
            body = await response.text()
            assert response.status == 200, f"{method} {path}: {response.status} {body}"
            return await response.json() if body else None

    async def onboard(self) -> None:
        """Create the owner, log in and finish every onboarding step."""
        result = await self.request(
            "POST",
            "/api/onboarding/users",
            {
                "client_id": self.client_id,
                "name": "Owner",
                "username": "owner",
                "password": "e2e-password",
                "language": "en",
            },
        )
        async with self.session.post(
            f"{self.base_url}/auth/token",
            data={
                "grant_type": "authorization_code",
                "code": result["auth_code"],
                "client_id": self.client_id,
            },
        ) as response:
            assert response.status == 200, await response.text()
            self._token = (await response.json())["access_token"]
        await self.request("POST", "/api/onboarding/core_config")
        await self.request("POST", "/api/onboarding/analytics")
        await self.request(
            "POST",
            "/api/onboarding/integration",
            {
                "client_id": self.client_id,
                "redirect_uri": f"{self.client_id}?auth_callback=1",
            },
        )
        steps = await self.request("GET", "/api/onboarding")
        assert all(step["done"] for step in steps), steps

    async def wait_running(self) -> None:
        """Wait until Home Assistant has finished starting."""

        async def running() -> bool | None:
            config = await self.request("GET", "/api/config")
            return True if config["state"] == "RUNNING" else None

        await wait_for(running, within=START_TIMEOUT, what="Home Assistant to run")

    async def state(self, entity_id: str) -> dict[str, Any]:
        """The state object of one entity."""
        result: dict[str, Any] = await self.request("GET", f"/api/states/{entity_id}")
        return result

    @asynccontextmanager
    async def websocket(self) -> AsyncIterator[HassWebsocket]:
        """An authenticated websocket connection, closed afterwards."""
        async with self.session.ws_connect(
            f"{self.base_url}/api/websocket"
        ) as connection:
            assert (await connection.receive_json(timeout=10))[
                "type"
            ] == "auth_required"
            await connection.send_json({"type": "auth", "access_token": self._token})
            answer = await connection.receive_json(timeout=10)
            assert answer["type"] == "auth_ok", answer
            yield HassWebsocket(connection)


@pytest.fixture(scope="session")
def release_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The release archive built from the working tree, once per session."""
    build_release = load_script("build_release")
    output = tmp_path_factory.mktemp("release") / build_release.ARCHIVE_NAME
    built: Path = build_release.build_archive(output)
    return built


@pytest.fixture
def supervisor(socket_enabled: None, tmp_path: Path) -> Iterator[ProcessSupervisor]:
    """Starts the test's processes and always stops them, even when the test fails."""
    processes = ProcessSupervisor(tmp_path / "logs")
    try:
        yield processes
    finally:
        processes.stop_all()


@pytest.fixture
async def http_session(
    supervisor: ProcessSupervisor,
) -> AsyncIterator[aiohttp.ClientSession]:
    """A client session, closed before the processes are stopped."""
    async with aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=30)
    ) as session:
        yield session


@pytest.fixture
async def live_hass(
    supervisor: ProcessSupervisor,
    http_session: aiohttp.ClientSession,
    release_archive: Path,
    tmp_path: Path,
) -> AsyncIterator[HassApi]:
    """
    A real `hass` process with a throw-away config, running and onboarded.

    The integration is the release archive's, and `hass` cannot import the repository (see
    the module's docstring). At teardown Home Assistant is stopped, and the test fails when
    its log reports deprecated usage by the integration (`integration_warnings`).
    """
    hass_port = free_port()
    config_dir = tmp_path / "config"
    write_hass_config(config_dir, hass_port, release_archive)
    python = hass_python()
    assert_not_importable(python, "mielelocal", config_dir)
    process = supervisor.start(
        "hass",
        [
            python,
            *(f"-W{warning_filter}" for warning_filter in SHOW_DEPRECATIONS),
            "-m",
            "homeassistant",
            "--config",
            str(config_dir),
            "--skip-pip",
        ],
        cwd=config_dir,
        env=without_repository(os.environ),
    )
    try:
        yield await _onboarded(process, http_session, hass_port)
    finally:
        supervisor.stop(process)
    assert_no_integration_warnings(process.log_path)


async def _onboarded(
    process: ManagedProcess, http_session: aiohttp.ClientSession, hass_port: int
) -> HassApi:
    """Wait for the `hass` process to serve, onboard it and wait until it runs."""
    api = HassApi(http_session, hass_port)

    async def running() -> bool | None:
        process.assert_running()
        async with http_session.get(f"{api.base_url}/api/onboarding") as response:
            return True if response.status == 200 else None

    await wait_for(running, within=START_TIMEOUT, what="Home Assistant's HTTP server")
    await api.onboard()
    await api.wait_running()
    return api


@pytest.fixture
async def simulated_washer(
    supervisor: ProcessSupervisor, http_session: aiohttp.ClientSession, tmp_path: Path
) -> SimulatorProcess:
    """A `python -m simulator` washer, mid-programme and paired with a fresh key."""
    washer = start_simulator(
        supervisor,
        tmp_path / "group_key.txt",
        GroupCredentials.generate(),
        "washer",
        E2E_FAB_NUMBER,
    )

    async def answering() -> dict[str, Any] | None:
        washer.process.assert_running()
        return await washer.status(http_session)

    await wait_for(answering, within=START_TIMEOUT, what="the simulator")
    return washer
