"""Serve a fleet of simulated appliances: ``python -m bench.fleet --count N ...``.

Prints one JSON line, ``[[device_id, host], ...]``, once every appliance listens, then
serves until SIGTERM or SIGINT. Requests are not logged (logging stays at WARNING).
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
import signal
import sys

from mielelocal.credentials import GroupCredentials
from simulator.fleet import SimulatedFleet


async def serve(count: int, credentials: GroupCredentials) -> None:
    """Start the fleet, announce it on stdout and serve until told to stop."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)
    async with SimulatedFleet(count, credentials=credentials) as fleet:
        sys.stdout.write(
            json.dumps([[sim.device_id, sim.host] for sim in fleet]) + "\n"
        )
        sys.stdout.flush()
        await stopping.wait()


def main() -> None:
    """Parse the arguments and serve."""
    parser = argparse.ArgumentParser(prog="python -m bench.fleet")
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--group-id", required=True)
    parser.add_argument("--group-key-file", type=Path, required=True)
    args = parser.parse_args()
    key = args.group_key_file.read_text(encoding="ascii").strip()
    asyncio.run(serve(args.count, GroupCredentials.from_hex(args.group_id, key)))


if __name__ == "__main__":
    main()
