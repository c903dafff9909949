"""
Connection-layer example: watch the health of appliances, or detect and recover a reset.

The config (default ``examples/connection_config.json``) points at two simulated appliances,
127.0.0.1:8701 (washer) and 127.0.0.1:8702 (fridge-freezer), paired with a known test key. Either let
this script start them in-process::

    scripts/run python scripts/optimized_connection_example.py --start-simulators --duration 20
    scripts/run python scripts/optimized_connection_example.py --start-simulators \
        --example reset --device-id 000177753917 --simulate-reset

or start them yourself in two shells (``key.txt`` holds the config's ``group_key``)::

    scripts/run python -m simulator --host 127.0.0.1 --port 8701 --group-id 0123456789ABCDEF \
        --group-key-file key.txt --appliance washer --fab-number 000177753917 --control-port 8711
    scripts/run python -m simulator --host 127.0.0.1 --port 8702 --group-id 0123456789ABCDEF \
        --group-key-file key.txt --appliance fridge_freezer --fab-number 000177753918 --control-port 8712

and run ``--example monitor`` (until Ctrl-C or ``--duration S``); inject faults with
``curl -X POST 127.0.0.1:8711/fault -d '{"mode": "offline"}'`` to watch health transitions.
"""

from __future__ import annotations

import argparse
import asyncio
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import datetime
import json
from pathlib import Path
import sys
from typing import TYPE_CHECKING, Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from custom_components.miele_local.miele.connection import (  # noqa: E402
    ConnectionConfig,
    ConnectionManager,
    ConnectionState,
    DeviceProfile,
    load_connection_config,
)
from custom_components.miele_local.miele.exceptions import MieleError  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Sequence

DEFAULT_CONFIG = REPO / "examples" / "connection_config.json"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].strip())
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    parser.add_argument("--example", choices=["monitor", "reset"], default="monitor")
    parser.add_argument("--device-id", help="appliance for --example reset")
    parser.add_argument(
        "--duration", type=float, help="stop monitoring after S seconds"
    )
    parser.add_argument("--poll-interval", type=float, default=2.0)
    parser.add_argument(
        "--start-simulators",
        action="store_true",
        help="start the config's simulated appliances in-process",
    )
    parser.add_argument(
        "--simulate-reset",
        action="store_true",
        help="with --start-simulators: factory-reset the simulated appliance first",
    )
    args = parser.parse_args(argv)
    if args.example == "reset" and not args.device_id:
        parser.error("--example reset needs --device-id")
    if args.simulate_reset and not args.start_simulators:
        parser.error("--simulate-reset needs --start-simulators")
    return args


def say(text: str) -> None:
    """Print one timestamped line."""
    print(f"{datetime.now().astimezone():%H:%M:%S} {text}", flush=True)


@asynccontextmanager
async def simulators(
    config_path: Path, config: ConnectionConfig
) -> AsyncIterator[dict[str, Any]]:
    """Start a simulated appliance per device with a ``simulator`` entry in the config."""
    from simulator import SimulatedAppliance  # noqa: PLC0415 (only with --start-simulators)

    text = await asyncio.to_thread(config_path.read_text, encoding="utf-8")
    raw = json.loads(text)
    extras = {entry["device_id"]: entry.get("simulator") for entry in raw["devices"]}
    async with AsyncExitStack() as stack:
        started: dict[str, Any] = {}
        for profile in config.devices:
            options = extras.get(profile.device_id)
            if not options:
                continue
            host, _, port = profile.host.rpartition(":")
            sim = SimulatedAppliance(
                options.get("appliance", "washer"),
                credentials=profile.credentials,
                host=host,
                port=int(port),
                fab_number=profile.device_id,
                wake_delay=float(options.get("wake_delay", 1.0)),
            )
            await stack.enter_async_context(sim)
            say(f"simulator {sim.appliance} {profile.device_id} on {sim.host}")
            started[profile.device_id] = sim
        yield started


async def on_state_change(device_id: str, new_state: ConnectionState) -> None:
    """Print every health transition."""
    say(f"{device_id}: connection {new_state}")


async def monitor(
    manager: ConnectionManager, config: ConnectionConfig, args: argparse.Namespace
) -> int:
    """Poll every appliance's State through the manager and report health transitions."""
    health = manager.get_health_monitor()
    clients = {}
    for profile in config.devices:
        clients[profile.device_id] = await manager.get_client(
            profile.device_id, profile
        )
        health.register_state_callback(profile.device_id, on_state_change)
    say(f"watching {len(clients)} appliance(s); Ctrl-C to stop")

    async def poll(device_id: str) -> None:
        client = clients[device_id]
        try:
            state = await manager.execute_with_retry(
                device_id, lambda: client.get_state(device_id)
            )
        except MieleError as err:
            say(f"{device_id}: poll failed: {type(err).__name__}: {err}")
        else:
            say(
                f"{device_id}: Status={state.status} StandbyState={state.standby_state}"
            )

    loop = asyncio.get_running_loop()
    deadline = None if args.duration is None else loop.time() + args.duration
    while deadline is None or loop.time() < deadline:
        await asyncio.gather(*(poll(device_id) for device_id in clients))
        await asyncio.sleep(args.poll_interval)
    pool = manager.get_connection_pool()
    say(
        f"pool: {len(pool)} open, {pool.active_connections} active, "
        f"{pool.idle_connections} idle, {pool.statistics().acquired} requests"
    )
    for device_id in clients:
        snapshot = health.get_health(device_id)
        ratio = (
            "-" if snapshot.success_ratio is None else f"{snapshot.success_ratio:.0%}"
        )
        say(
            f"{device_id}: {snapshot.state}, {snapshot.requests_total} requests, "
            f"success {ratio}, last error {snapshot.last_error_kind or '-'}"
        )
    return 0


async def reset_example(
    manager: ConnectionManager, profile: DeviceProfile, sims: dict[str, Any]
) -> int:
    """Detect a factory reset of one appliance and, if found, recover with the stored key."""
    if (sim := sims.get(profile.device_id)) is not None and sim.fault == "reset":
        say(f"{profile.device_id}: simulated appliance was reset")
    client = await manager.get_client(profile.device_id, profile)
    resetter = manager.get_device_resetter()
    detected = await resetter.detect_factory_reset(client, profile.device_id)
    evidence = resetter.last_evidence(profile.device_id)
    for reason in evidence.reasons if evidence else ():
        say(f"  evidence: {reason}")
    if not detected:
        say(f"{profile.device_id}: no factory reset detected")
        return 0
    say(f"{profile.device_id}: factory reset detected, recovering with the stored key")
    recovered, _ = await resetter.recover_from_reset(profile.device_id, profile)
    evidence = resetter.last_evidence(profile.device_id)
    say(f"  result: {evidence.reasons[-1] if evidence else '-'}")
    health = manager.get_health_monitor().get_health(profile.device_id)
    say(f"{profile.device_id}: recovered={recovered}, connection {health.state}")
    return 0 if recovered else 1


async def run(args: argparse.Namespace) -> int:
    """Run the chosen example; returns the exit code."""
    try:
        config = await asyncio.to_thread(load_connection_config, args.config)
    except MieleError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    profiles = {profile.device_id: profile for profile in config.devices}
    if args.example == "reset" and args.device_id not in profiles:
        print(f"error: {args.device_id} is not in {args.config}", file=sys.stderr)
        return 2
    async with AsyncExitStack() as stack:
        sims: dict[str, Any] = {}
        if args.start_simulators:
            sims = await stack.enter_async_context(simulators(args.config, config))
        manager = await stack.enter_async_context(
            ConnectionManager.from_settings(config.settings)
        )
        if args.example == "monitor":
            return await monitor(manager, config, args)
        if args.simulate_reset:
            sims[args.device_id].set_fault("reset")
        return await reset_example(manager, profiles[args.device_id], sims)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: parse arguments and run until done or Ctrl-C."""
    args = parse_args(argv)
    try:
        return asyncio.run(run(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
