"""
Try the integration: simulated appliances and a real Home Assistant, stopped by Ctrl-C.

Run through `scripts/develop`. The appliances run in this process (fixed ports and FabNumbers,
one household key kept in `.dev/config/miele_group_id.txt` and `miele_group_key.txt`, made on
the first run) and announce themselves over mDNS; Home Assistant runs as a child process with
the configuration in `.dev/config`, serves http://127.0.0.1:8123 and is started again when it
asks for a restart (exit code 100).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
import json
import logging
import os
from pathlib import Path
import signal
import sys
import time
from typing import TYPE_CHECKING

import aiohttp

REPO = Path(__file__).resolve().parent.parent
if (
    str(REPO) not in sys.path
):  # `python scripts/develop.py` puts only scripts/ on the path
    sys.path.insert(0, str(REPO))

from mielelocal.credentials import GroupCredentials  # noqa: E402
from simulator import SimulatedAppliance  # noqa: E402
from simulator.mdns import MdnsAdvertiser  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Sequence

HOST = "127.0.0.1"
START_TIMEOUT = 180.0
STOP_TIMEOUT = 30.0
RESTART_EXIT_CODE = 100  # Home Assistant asks to be started again


def configuration_yaml() -> str:
    """The starting `configuration.yaml` (where Home Assistant listens is in `.storage/http`)."""
    return """\
# Written by scripts/develop (only when missing): edit freely.
# Not `default_config:`: most of it needs packages this environment does not install (Home
# Assistant runs with --skip-pip). zeroconf is what finds the appliances; recorder is what
# every page of the frontend asks about (without it, its "recorder/info" fails on the console).
zeroconf:
recorder:
homeassistant:
  name: Miele Local development
  unit_system: metric
  time_zone: Europe/Berlin
  country: DE
  currency: EUR
  latitude: 51.9
  longitude: 8.4
  elevation: 60
automation: !include automations.yaml
logger:
  default: warning
  logs:
    custom_components.miele_local: debug
"""


@dataclass(frozen=True, slots=True)
class DevAppliance:
    """One simulated appliance of the development household."""

    kind: str
    label: str
    port: int
    control_port: int
    fab_number: str
    paired: bool = True

    @property
    def host(self) -> str:
        """What to enter as Host in the config flow."""
        return f"{HOST}:{self.port}"


APPLIANCES: tuple[DevAppliance, ...] = (
    DevAppliance(
        "washer", "Washing machine, mid-programme", 8701, 8801, "000100008701"
    ),
    DevAppliance("oven", "Oven", 8702, 8802, "000100008702"),
    DevAppliance("fridge_freezer", "Fridge-freezer", 8703, 8803, "000100008703"),
    DevAppliance(
        "dishwasher",
        "Dishwasher in setup mode (pair it from scratch)",
        8704,
        8804,
        "000100008704",
        paired=False,
    ),
)


@dataclass(frozen=True, slots=True)
class DevSetup:
    """Where the development run keeps its files, its Home Assistant port, its appliances."""

    dev_dir: Path = REPO / ".dev"
    hass_port: int = 8123
    appliances: tuple[DevAppliance, ...] = APPLIANCES

    @property
    def config_dir(self) -> Path:
        """Home Assistant's configuration folder."""
        return self.dev_dir / "config"

    @property
    def hass_url(self) -> str:
        """Where Home Assistant serves its UI."""
        return f"http://{HOST}:{self.hass_port}"

    @property
    def group_id_file(self) -> Path:
        """The household's GroupID."""
        return self.config_dir / "miele_group_id.txt"

    @property
    def group_key_file(self) -> Path:
        """The household's GroupKey (owner-only file)."""
        return self.config_dir / "miele_group_key.txt"

    @property
    def devices_file(self) -> Path:
        """The printed instructions."""
        return self.config_dir / "miele_devices.txt"

    @property
    def console_log(self) -> Path:
        """Home Assistant's console output."""
        return self.dev_dir / "hass-console.log"


def load_household(group_id_file: Path, group_key_file: Path) -> GroupCredentials:
    """The development household key: read it, or create it once (key file owner-only)."""
    if group_id_file.exists() and group_key_file.exists():
        return GroupCredentials.from_hex(
            group_id_file.read_text().strip(), group_key_file.read_text().strip()
        )
    credentials = GroupCredentials.generate()
    group_key_file.parent.mkdir(parents=True, exist_ok=True)
    group_key_file.touch(mode=0o600)
    group_key_file.write_text(credentials.group_key_hex + "\n")
    group_id_file.write_text(credentials.group_id + "\n")
    return credentials


def http_storage(port: int) -> dict[str, object]:
    """
    Home Assistant's stored HTTP settings: listen on 127.0.0.1:`port` only.

    Home Assistant keeps them in `.storage/http` (YAML `http:` is deprecated); this is the
    first version of that file, which Home Assistant migrates to its current one on start.
    """
    return {
        "version": 1,
        "minor_version": 1,
        "key": "http",
        "data": {"server_host": [HOST], "server_port": port},
    }


def prepare_config(config_dir: Path, hass_port: int) -> None:
    """Write a starting configuration (once) and link the integration into it."""
    config_dir.mkdir(parents=True, exist_ok=True)
    configuration = config_dir / "configuration.yaml"
    if not configuration.exists():
        configuration.write_text(configuration_yaml())
    http = config_dir / ".storage" / "http"
    if not http.exists():
        http.parent.mkdir(exist_ok=True)
        http.write_text(json.dumps(http_storage(hass_port), indent=2) + "\n")
    automations = config_dir / "automations.yaml"
    if not automations.exists():
        automations.write_text("[]\n")
    custom = config_dir / "custom_components"
    custom.mkdir(exist_ok=True)
    link = custom / "miele_local"
    target = REPO / "custom_components" / "miele_local"
    if link.is_symlink() and link.resolve() == target:
        return
    if link.is_symlink():
        link.unlink()
    elif link.exists():
        raise SystemExit(f"{link} exists and is not a link to {target}: move it away")
    link.symlink_to(target)


def instructions(credentials: GroupCredentials, setup: DevSetup) -> str:
    """What to open and what to enter in Home Assistant, and how to break the appliances."""
    lines = [
        f"Open {setup.hass_url} and create the owner account (first visit only).",
        "Then Settings > Devices & services: the appliances show under Discovered (Add),",
        "or Add integration > Miele Local with a Host below.",
        "",
        "Household key of the paired appliances (the Discovered card offers it once one",
        "appliance is added):",
        f"  GroupID:  {credentials.group_id}",
        f"  GroupKey: {credentials.group_key_hex}",
        "",
    ]
    for appliance in setup.appliances:
        lines.append(f"{appliance.label}  [FabNumber {appliance.fab_number}]")
        lines.append(f"  Host:   {appliance.host}")
        if not appliance.paired:
            lines.append("  Leave GroupID and GroupKey empty, then choose a new key.")
        lines.append(
            f"  Faults: curl -X POST {HOST}:{appliance.control_port}/fault "
            """-d '{"mode": "offline"}'  (none, sleep, timeout, reset, ...)"""
        )
    lines += [
        "",
        "The setup-mode dishwasher forgets its pairing on every restart of scripts/develop:",
        "Home Assistant then raises a repair issue that pairs it again.",
        f"Household key files (for the CLI): {setup.group_id_file}, {setup.group_key_file}",
    ]
    return "\n".join(lines)


async def start_appliances(
    credentials: GroupCredentials,
    appliances: Sequence[DevAppliance],
    advertiser: MdnsAdvertiser | None = None,
) -> list[SimulatedAppliance]:
    """Start every simulated appliance (and announce it); stop them all if one fails."""
    started: list[SimulatedAppliance] = []
    try:
        for appliance in appliances:
            sim = SimulatedAppliance(
                appliance.kind,
                credentials=credentials,
                paired=appliance.paired,
                host=HOST,
                port=appliance.port,
                control_port=appliance.control_port,
                fab_number=appliance.fab_number,
            )
            await sim.start()
            started.append(sim)
            if advertiser is not None:
                await advertiser.add(sim)
    except OSError as err:
        await stop_appliances(started)
        raise SystemExit(f"cannot start the simulated appliances: {err}") from None
    return started


async def stop_appliances(sims: Sequence[SimulatedAppliance]) -> None:
    """Stop the simulated appliances."""
    for sim in reversed(sims):
        await sim.stop()


async def start_hass(setup: DevSetup) -> asyncio.subprocess.Process:
    """Start Home Assistant in its own process group (console output in a log file)."""
    with setup.console_log.open("ab") as console:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "homeassistant",
            "--config",
            str(setup.config_dir),
            "--skip-pip",
            stdin=asyncio.subprocess.DEVNULL,
            stdout=console,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
        )


async def stop_hass(process: asyncio.subprocess.Process) -> None:
    """Ask Home Assistant to stop; kill it if it has not stopped after `STOP_TIMEOUT` s."""
    if process.returncode is None:
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
        except TimeoutError:
            print(
                f"Home Assistant did not stop within {STOP_TIMEOUT:.0f} s: killing it"
            )
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    await process.wait()


async def wait_for_hass(
    process: asyncio.subprocess.Process, stop: asyncio.Event, url: str
) -> bool:
    """Wait until the web server answers; False when Home Assistant exits or Ctrl-C first."""
    deadline = time.monotonic() + START_TIMEOUT
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
        while (
            time.monotonic() < deadline
            and process.returncode is None
            and not stop.is_set()
        ):
            try:
                async with session.get(f"{url}/manifest.json") as response:
                    if response.status == 200:
                        return True
            except aiohttp.ClientError, TimeoutError:
                pass
            await asyncio.sleep(0.5)
    return False


async def run(stop: asyncio.Event, setup: DevSetup) -> int:
    """Start everything, print the instructions, wait for `stop`, stop everything."""
    credentials = load_household(setup.group_id_file, setup.group_key_file)
    prepare_config(setup.config_dir, setup.hass_port)
    text = instructions(credentials, setup)
    setup.devices_file.write_text(text + "\n")
    async with MdnsAdvertiser(HOST) as advertiser:
        sims = await start_appliances(credentials, setup.appliances, advertiser)
        try:
            return await serve_hass(stop, setup, text)
        finally:
            await stop_appliances(sims)
            print("Stopped.")


async def serve_hass(stop: asyncio.Event, setup: DevSetup, text: str) -> int:
    """Run Home Assistant until `stop` (0), starting it again when it asks to restart."""
    first = True
    while True:
        hass = await start_hass(setup)
        try:
            print(f"Starting Home Assistant (log: {setup.console_log})")
            if await wait_for_hass(hass, stop, setup.hass_url) and first:
                first = False
                print(framed(text))
                print(
                    f"(also in {setup.devices_file}); press Ctrl-C to stop everything."
                )
            exited = asyncio.ensure_future(hass.wait())
            stopped = asyncio.ensure_future(stop.wait())
            await asyncio.wait({exited, stopped}, return_when=asyncio.FIRST_COMPLETED)
            stopped.cancel()
            if stop.is_set():
                print("Stopping ...")
                return 0
            if hass.returncode != RESTART_EXIT_CODE:
                print(
                    f"Home Assistant exited with {hass.returncode}; "
                    f"see {setup.console_log}"
                )
                return 1
            print("Home Assistant asked for a restart")
        finally:
            await stop_hass(hass)


def framed(text: str) -> str:
    """The instructions as one block, easy to spot among log lines."""
    rule = "=" * 78
    return f"{rule}\n{text}\n{rule}"


async def run_until_signalled(setup: DevSetup) -> int:
    """`run`, stopped by Ctrl-C (SIGINT) or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return await run(stop, setup)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `scripts/develop` (no arguments)."""
    if argv:
        print(__doc__)
        return 2
    logging.basicConfig(
        level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    return asyncio.run(run_until_signalled(DevSetup()))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
