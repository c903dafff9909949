"""Command line access to one appliance host: read devices, ident and state, send actions, pair.

Run as ``mielelocal`` (the console script) or ``python -m mielelocal``. Without
``--device-id`` the only appliance behind the host is used (a module serves one).
Output is JSON on stdout; any failure is one ``error: ...`` line on stderr and exit status 1
(a reader that closes stdout early gives status 1 and no message).
The group key is read from a file or ``MIELE_GROUP_KEY`` and never printed.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import fields
from datetime import timedelta
from enum import IntEnum
import json
import os
from pathlib import Path
import sys
from typing import TYPE_CHECKING, NoReturn

from .client import MieleClient
from .credentials import GroupCredentials
from .exceptions import (
    MieleAuthError,
    MieleCommissioningError,
    MieleError,
    MieleSecurityError,
)

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from .models import Ident, State

KEY_ENV = "MIELE_GROUP_KEY"

ACTIONS: dict[str, Callable[[MieleClient, str], Awaitable[None]]] = {
    "start": MieleClient.start,
    "stop": MieleClient.stop,
    "pause": MieleClient.pause,
    "wake": MieleClient.wake,
    "light-on": lambda client, device: client.set_light(device, True),
    "light-off": lambda client, device: client.set_light(device, False),
    "superfreeze-on": lambda client, device: client.set_superfreeze(device, True),
    "superfreeze-off": lambda client, device: client.set_superfreeze(device, False),
    "supercool-on": lambda client, device: client.set_supercool(device, True),
    "supercool-off": lambda client, device: client.set_supercool(device, False),
}


class CliError(Exception):
    """A usage or local problem, reported as one ``error:`` line."""


class _Parser(argparse.ArgumentParser):
    """An argument parser that raises instead of printing usage and exiting."""

    def error(self, message: str) -> NoReturn:
        raise CliError(message)


def build_parser(prog: str = "mielelocal") -> argparse.ArgumentParser:
    """Return the parser of ``mielelocal`` (``prog`` names the command in help)."""
    parser = _Parser(
        prog=prog, description="Talk to a Miele appliance on the local network."
    )
    common = _Parser(add_help=False)
    common.add_argument("--host", required=True, help="host or host:port")
    common.add_argument("--group-id", help="GroupID, 16 hex characters")
    common.add_argument(
        "--group-key-file",
        type=Path,
        help=f"file holding the 128-hex GroupKey (default: ${KEY_ENV})",
    )
    common.add_argument("--timeout", type=float, default=10.0, help="seconds")
    device = _Parser(add_help=False)
    device.add_argument(
        "--device-id", help="FabNumber (default: the only appliance behind the host)"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("devices", parents=[common], help="list appliances")
    commands.add_parser("ident", parents=[common, device], help="show an Ident")
    commands.add_parser("state", parents=[common, device], help="show a State")
    action = commands.add_parser(
        "action", parents=[common, device], help="send one action"
    )
    action.add_argument("action", choices=sorted(ACTIONS))
    pair = commands.add_parser(
        "pair", parents=[common], help="commission an unpaired appliance"
    )
    pair.add_argument(
        "--confirm",
        action="store_true",
        help="also send the signed confirmation some appliances wait for",
    )
    return parser


def main(argv: list[str] | None = None, prog: str = "mielelocal") -> int:
    """Run one command; return the exit status (0 success, 1 failure)."""
    command = None
    try:
        args = build_parser(prog).parse_args(argv)
        command = args.command
        if args.command == "pair":
            result = _pair(args)
        else:
            credentials = _credentials(args.group_id, args.group_key_file)
            result = asyncio.run(_run(args, credentials))
    except (CliError, MieleError) as err:
        print(f"error: {_describe(err, command)}", file=sys.stderr)
        return 1
    try:
        print(json.dumps(result, indent=2, sort_keys=True), flush=True)
    except BrokenPipeError:  # the reader left early (``... | head -c 100``)
        _discard_stdout()
        return 1
    return 0


def _discard_stdout() -> None:
    """Point stdout at the null device so the interpreter's final flush cannot fail."""
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, sys.stdout.fileno())
    os.close(null)


async def _run(args: argparse.Namespace, credentials: GroupCredentials) -> object:
    async with MieleClient(args.host, credentials, timeout=args.timeout) as client:
        if args.command == "devices":
            devices = await client.get_devices()
            return {device: _jsonable(ident) for device, ident in devices.items()}
        device_id = args.device_id or await _only_device(client)
        if args.command == "ident":
            return _jsonable(await client.get_ident(device_id))
        if args.command == "state":
            return _jsonable(await client.get_state(device_id))
        await ACTIONS[args.action](client, device_id)
        return {"device_id": device_id, "action": args.action, "sent": True}


async def _only_device(client: MieleClient) -> str:
    """Return the one appliance the host lists; several or none is an error."""
    devices = await client.list_devices()
    if len(devices) == 1:
        return devices[0]
    if not devices:
        raise CliError(f"{client.host} lists no appliance")
    raise CliError(
        f"{client.host} lists {len(devices)} appliances, "
        f"choose one with --device-id: {', '.join(devices)}"
    )


def _pair(args: argparse.Namespace) -> object:
    """Commission with given or fresh credentials; a fresh key goes to the key file first."""
    key_file: Path | None = args.group_key_file
    if args.group_id:
        credentials = _credentials(args.group_id, key_file)
        return asyncio.run(_commission(args, credentials))
    if key_file is None:
        raise CliError("pair needs --group-key-file to store the new key")
    credentials = GroupCredentials.generate()
    _write_key(key_file, credentials)
    try:
        return asyncio.run(_commission(args, credentials))
    except MieleCommissioningError:
        key_file.unlink()  # refused: the fresh key never took effect
        raise


async def _commission(
    args: argparse.Namespace, credentials: GroupCredentials
) -> object:
    """Pair, optionally confirm, then prove the key works with a signed read."""
    async with MieleClient(args.host, credentials, timeout=args.timeout) as client:
        await client.commission(credentials)
        if args.confirm:
            await client.confirm_commissioning()
        devices = await client.get_devices()
    key_file: Path | None = args.group_key_file
    return {
        "group_id": credentials.group_id,
        "group_key_file": None if key_file is None else str(key_file),
        "devices": sorted(devices),
    }


def _credentials(group_id: str | None, key_file: Path | None) -> GroupCredentials:
    if not group_id:
        raise CliError("--group-id is required")
    return GroupCredentials.from_hex(group_id, _read_key(key_file))


def _read_key(path: Path | None) -> str:
    if path is None:
        key = os.environ.get(KEY_ENV)
        if not key:
            raise CliError(f"give the key with --group-key-file or ${KEY_ENV}")
        return key
    try:
        return path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as err:
        raise CliError(
            f"cannot read the group key file {path}: {_reason(err)}"
        ) from None


def _write_key(path: Path, credentials: GroupCredentials) -> None:
    """Store the key in a new file readable by its owner only (never overwrite a key)."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as err:
        raise CliError(
            f"cannot create the group key file {path}: {_reason(err)}"
        ) from None
    with os.fdopen(descriptor, "w", encoding="ascii") as file:
        file.write(credentials.group_key_hex + "\n")


def _reason(err: Exception) -> str:
    return err.strerror if isinstance(err, OSError) and err.strerror else "not text"


def _describe(err: Exception, command: str | None) -> str:
    if isinstance(err, MieleAuthError) and command == "action":
        return f"the appliance refused the action (HTTP {err.status}): remote control disabled or wrong key"
    if isinstance(err, MieleAuthError):
        return f"the appliance rejected the key (HTTP {err.status})"
    if isinstance(err, MieleSecurityError):
        return "response signature is invalid (possible tampering)"
    return str(err)


def _jsonable(item: Ident | State) -> dict[str, object]:
    """Fields of an Ident or State as JSON values (enums by name, durations in minutes)."""
    return {
        spec.name: _value(getattr(item, spec.name))
        for spec in fields(item)
        if spec.name != "raw"
    }


def _value(value: object) -> object:
    if isinstance(value, IntEnum):
        return value.name.lower()
    if isinstance(value, timedelta):
        return int(value.total_seconds() // 60)
    if isinstance(value, tuple):
        return [_value(item) for item in value]
    return value
