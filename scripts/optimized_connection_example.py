"""
Connection-layer example, as in the asyncmiele connection optimisation guide.

Watch the health of the configured appliances, or detect and recover a factory reset::

    scripts/run python scripts/optimized_connection_example.py \
        --config examples/connection_config.json --example monitor
    scripts/run python scripts/optimized_connection_example.py \
        --config examples/connection_config.json --example reset --device-id 000123456789

The config is in the guide's format (``devices[].id``, ``connection_settings``). Devices with a
``simulator`` block (both in ``examples/connection_config.json``: a washer on 127.0.0.1:8711 and
a fridge-freezer on 127.0.0.1:8712) are started as simulated appliances first, so both commands
run out of the box; ``--no-simulators`` leaves them to you (``python -m simulator ...``).
``monitor`` stops after ``--duration`` seconds (0: until Ctrl-C); ``reset --simulate-reset``
factory-resets the simulated appliance first, to show the recovery. The library comes from
the environment when installed (``pip install .``), else from this repository; the
simulator always comes from this repository.
"""

from __future__ import annotations

import argparse
import asyncio
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import datetime
import logging
from pathlib import Path
import sys
from typing import TYPE_CHECKING

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    # Last: an installed mielelocal wins; the simulator (and a checkout's library) from here.
    sys.path.append(str(REPO))

from mielelocal import (  # noqa: E402
    ConnectionManager,
    ConnectionState,
    DeviceProfile,
    DeviceResetter,
    MieleError,
    load_connection_config,
)
from mielelocal.exceptions import MieleConfigError  # noqa: E402
from simulator import SimulatedAppliance  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Sequence

    from mielelocal.connection import ConnectionConfig

DEFAULT_CONFIG = REPO / "examples" / "connection_config.json"


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].strip())
    parser.add_argument("--config", type=Path, default=DEFAULT_CONFIG)
    parser.add_argument("--example", choices=["monitor", "reset"], default="monitor")
    parser.add_argument("--device-id", help="appliance for --example reset")
    parser.add_argument(
        "--interval", type=float, default=2.0, help="seconds between State reads"
    )
    parser.add_argument(
        "--duration",
        type=float,
        default=10.0,
        help="stop monitoring after S seconds (0: run until Ctrl-C)",
    )
    parser.add_argument(
        "--no-simulators",
        action="store_true",
        help="do not start the config's simulated appliances",
    )
    parser.add_argument(
        "--simulate-reset",
        action="store_true",
        help="factory-reset the simulated appliance before --example reset",
    )
    parser.add_argument("--debug", action="store_true", help="log at debug level")
    args = parser.parse_args(argv)
    if args.example == "reset" and not args.device_id:
        parser.error("--example reset needs --device-id")
    if args.simulate_reset and args.no_simulators:
        parser.error("--simulate-reset needs the simulated appliances")
    return args


def say(text: str) -> None:
    """Print one timestamped line."""
    print(f"{datetime.now().astimezone():%H:%M:%S} {text}", flush=True)


@asynccontextmanager
async def simulators(
    config: ConnectionConfig,
) -> AsyncIterator[dict[str, SimulatedAppliance]]:
    """Serve a simulated appliance for every device with a ``simulator`` block."""
    async with AsyncExitStack() as stack:
        started: dict[str, SimulatedAppliance] = {}
        for index, profile in enumerate(config.devices):
            options = config.simulators.get(profile.device_id)
            if options is None:
                continue
            host, _, port = profile.host.rpartition(":")
            if not host or not port.isdigit():
                raise MieleConfigError(
                    f"devices[{index}].host", "a simulated appliance needs host:port"
                )
            sim = SimulatedAppliance(
                options.appliance,
                credentials=profile.credentials,
                host=host,
                port=int(port),
                fab_number=profile.device_id,
                wake_delay=options.wake_delay,
            )
            await stack.enter_async_context(sim)
            say(f"simulated {sim.appliance} {profile.device_id} on {sim.host}")
            started[profile.device_id] = sim
        yield started


async def on_state_change(device_id: str, new_state: ConnectionState) -> None:
    """Print every health transition (the guide's state callback)."""
    say(f"{device_id}: connection {new_state}")


async def monitor(
    manager: ConnectionManager, config: ConnectionConfig, args: argparse.Namespace
) -> int:
    """Read every appliance's State through the manager and report health transitions."""
    health_monitor = manager.get_health_monitor()
    clients = {}
    for profile in config.devices:
        device_id = profile.device_id
        clients[device_id] = await manager.get_client(device_id, profile)
        health_monitor.register_state_callback(device_id, on_state_change)
        manager.set_poll_interval(device_id, args.interval)  # no extra health checks
    say(f"watching {len(clients)} appliance(s); Ctrl-C to stop")

    async def poll(device_id: str) -> None:
        client = clients[device_id]
        try:
            state = await manager.execute_with_retry(
                device_id, lambda: client.get_device_state(device_id)
            )
        except MieleError as err:
            say(f"{device_id}: read failed: {type(err).__name__}: {err}")
        else:
            say(
                f"{device_id}: Status={state.status} StandbyState={state.standby_state}"
            )

    loop = asyncio.get_running_loop()
    deadline = loop.time() + args.duration if args.duration > 0 else None
    while True:
        await asyncio.gather(*(poll(device_id) for device_id in clients))
        if deadline is not None and loop.time() + args.interval > deadline:
            break
        await asyncio.sleep(args.interval)
    pool = manager.get_connection_pool()
    say(
        f"pool: {len(pool)} open, {pool.active_connections} active, "
        f"{pool.idle_connections} idle"
    )
    for device_id in clients:
        snapshot = health_monitor.get_health(device_id)
        ratio = (
            "-" if snapshot.success_ratio is None else f"{snapshot.success_ratio:.0%}"
        )
        say(
            f"{device_id}: {snapshot.state}, {snapshot.requests_total} requests, "
            f"success {ratio}, last error {snapshot.last_error_kind or '-'}"
        )
    return 0


async def reset_example(manager: ConnectionManager, profile: DeviceProfile) -> int:
    """The guide's reset snippet: detect a factory reset and recover with the stored key."""
    device_id = profile.device_id
    client = await manager.get_client(device_id, profile)
    resetter = DeviceResetter()
    is_reset = await resetter.detect_factory_reset(client, device_id)
    evidence = resetter.last_evidence(device_id)
    for reason in evidence.reasons if evidence else ():
        say(f"  evidence: {reason}")
    if not is_reset:
        say(f"{device_id}: no factory reset detected")
        return 0
    say(f"{device_id}: factory reset detected, recovering with the stored key")
    success, new_client = await resetter.recover_from_reset(device_id, profile)
    evidence = resetter.last_evidence(device_id)
    say(f"  result: {evidence.reasons[-1] if evidence else '-'}")
    if new_client is None:
        say(f"{device_id}: recovery failed")
        return 1
    async with new_client:
        ident = await new_client.get_device_ident(device_id)
    say(f"{device_id}: recovered={success}, Ident read again ({ident.fab_number})")
    return 0


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
        sims: dict[str, SimulatedAppliance] = {}
        if not args.no_simulators:
            try:
                sims = await stack.enter_async_context(simulators(config))
            except (MieleError, OSError, ValueError) as err:
                print(f"error: cannot start the simulators: {err}", file=sys.stderr)
                return 2
        manager = await stack.enter_async_context(
            ConnectionManager.from_settings(config.settings)
        )
        if args.example == "monitor":
            return await monitor(manager, config, args)
        if args.simulate_reset:
            if (sim := sims.get(args.device_id)) is None:
                print(f"error: {args.device_id} is not simulated", file=sys.stderr)
                return 2
            sim.set_fault("reset")
            say(f"{args.device_id}: simulated appliance factory-reset")
        return await reset_example(manager, profiles[args.device_id])


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: parse arguments and run until done or Ctrl-C."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING)
    try:
        return asyncio.run(run(args))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
