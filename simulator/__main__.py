"""Run one simulated appliance: ``python -m simulator --port 8701 --group-id HEX ...``.

Logs one line per request (method, path, status) and stops on SIGINT or SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from pathlib import Path
import signal

from mielelocal.credentials import GroupCredentials
from mielelocal.exceptions import MieleConfigError

from .appliances import APPLIANCES
from .device import SimulatedAppliance
from .faults import Fault
from .variants import Variant

_LOGGER = logging.getLogger("simulator")


def build_parser() -> argparse.ArgumentParser:
    """Return the command line parser."""
    parser = argparse.ArgumentParser(
        prog="python -m simulator", description="Simulate a Miele Wi-Fi module."
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=0, help="appliance port (0: any)")
    parser.add_argument("--control-port", type=int, help="port of the control API")
    parser.add_argument("--group-id", help="GroupID, 16 hex characters")
    parser.add_argument(
        "--group-key-file", type=Path, help="file holding the 128 hex character key"
    )
    parser.add_argument("--appliance", choices=sorted(APPLIANCES), default="washer")
    parser.add_argument(
        "--unpaired", action="store_true", help="wait for commissioning"
    )
    parser.add_argument("--fab-number", help="device id (default: generated)")
    parser.add_argument(
        "--speed", type=float, default=1.0, help="simulated time factor"
    )
    parser.add_argument(
        "--wake-delay", type=float, default=3.0, help="seconds to wake from sleep"
    )
    parser.add_argument(
        "--latency", type=float, default=0.0, help="seconds added to every answer"
    )
    parser.add_argument(
        "--fault",
        choices=[fault.value for fault in Fault],
        default=Fault.NONE.value,
        help="fault mode to start in (switch later with POST /fault)",
    )
    parser.add_argument(
        "--variant",
        dest="variants",
        action="append",
        choices=[variant.value for variant in Variant],
        default=[],
        help="firmware variant to switch on (repeatable; POST /variant later)",
    )
    parser.add_argument(
        "--no-validate-commissioning",
        dest="validate_commissioning",
        action="store_false",
        help="store any commissioning body, like a real module (a bad key bricks it)",
    )
    parser.add_argument(
        "--no-supervision",
        dest="supervision",
        action="store_false",
        help="answer 404 to SuperVision and /Subscriptions and never push",
    )
    return parser


def load_credentials(args: argparse.Namespace) -> GroupCredentials | None:
    """Return the pairing from the arguments (None when ``--unpaired``)."""
    if args.unpaired:
        return None
    if args.group_id is None or args.group_key_file is None:
        raise MieleConfigError(
            "credentials",
            "--group-id and --group-key-file are required unless --unpaired",
        )
    try:
        key = args.group_key_file.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as err:
        raise MieleConfigError(
            "group_key", f"cannot read {args.group_key_file}: {type(err).__name__}"
        ) from None
    return GroupCredentials.from_hex(args.group_id, key.strip())


def build_appliance(args: argparse.Namespace) -> SimulatedAppliance:
    """Return the appliance the arguments describe (ValueError on a bad value)."""
    credentials = load_credentials(args)
    sim = SimulatedAppliance(
        args.appliance,
        credentials=credentials,
        paired=credentials is not None,
        host=args.host,
        port=args.port,
        control_port=args.control_port,
        speed=args.speed,
        wake_delay=args.wake_delay,
        latency=args.latency,
        fab_number=args.fab_number,
        validate_commissioning=args.validate_commissioning,
        supervision=args.supervision,
        variants=args.variants,
    )
    sim.set_fault(args.fault)
    return sim


async def serve(sim: SimulatedAppliance) -> None:
    """Serve until SIGINT or SIGTERM."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)
    try:
        async with sim:
            _LOGGER.info(
                "simulated %s %s on %s, control port %s",
                sim.appliance,
                sim.device_id,
                sim.host,
                sim.control_port,
            )
            await stopping.wait()
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
    _LOGGER.info("stopped")


def main(argv: list[str] | None = None) -> int:
    """Run the simulator; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    try:
        sim = build_appliance(args)
    except ValueError as err:
        parser.error(str(err))
    try:
        asyncio.run(serve(sim))
    except OSError as err:
        _LOGGER.error("cannot serve: %s", err)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
