"""Simulators in their own processes, so that the client process is measured alone."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager
import json
import os
from pathlib import Path
import socket
import sys
import tempfile
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from mielelocal.credentials import GroupCredentials

READY_TIMEOUT = 60.0


def free_port() -> int:
    """Return a loopback port that was free a moment ago."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def process_cpu_time(pid: int) -> float:
    """CPU seconds (user + system) used by process ``pid`` (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _key_file(directory: str, credentials: GroupCredentials) -> Path:
    path = Path(directory, "group.key")
    path.touch(mode=0o600)
    path.write_text(credentials.group_key_hex, encoding="ascii")
    return path


@asynccontextmanager
async def _process(
    *args: str, stdout: int | None = None
) -> AsyncIterator[asyncio.subprocess.Process]:
    """Run ``python ARGS...`` for the duration of the block, then SIGTERM (SIGKILL) it."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, *args, stdout=stdout, stderr=asyncio.subprocess.DEVNULL
    )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 10)
            except TimeoutError:
                process.kill()
                await process.wait()


async def _wait_for_port(port: int, process: asyncio.subprocess.Process) -> None:
    """Wait until ``port`` accepts connections; fail if ``process`` exits first."""
    async with asyncio.timeout(READY_TIMEOUT):
        while process.returncode is None:
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                await asyncio.sleep(0.05)
            else:
                writer.close()
                await writer.wait_closed()
                return
    raise RuntimeError(f"simulator exited with status {process.returncode}")


class SimulatorProcess:
    """One ``python -m simulator`` (the documented CLI) with its control API."""

    def __init__(self, credentials: GroupCredentials, device_id: str) -> None:
        self.credentials = credentials
        self.device_id = device_id
        self.port = free_port()
        self.control_port = free_port()
        self.host = f"127.0.0.1:{self.port}"
        self._pid: int | None = None

    def cpu_time(self) -> float:
        """CPU seconds (user + system) the simulator process has used so far."""
        if self._pid is None:
            raise RuntimeError("the simulator is not running")
        return process_cpu_time(self._pid)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[SimulatorProcess]:
        """Run the simulator for the duration of the block."""
        with tempfile.TemporaryDirectory() as directory:
            key_file = _key_file(directory, self.credentials)
            async with _process(
                "-m",
                "simulator",
                f"--port={self.port}",
                f"--control-port={self.control_port}",
                f"--group-id={self.credentials.group_id}",
                f"--group-key-file={key_file}",
                "--appliance=washer",
                f"--fab-number={self.device_id}",
            ) as process:
                await _wait_for_port(self.control_port, process)
                self._pid = process.pid
                try:
                    yield self
                finally:
                    self._pid = None


@asynccontextmanager
async def fleet_process(
    count: int, credentials: GroupCredentials
) -> AsyncIterator[list[tuple[str, str]]]:
    """Run ``count`` appliances in one ``python -m bench.fleet``; yield (device id, host)."""
    with tempfile.TemporaryDirectory() as directory:
        key_file = _key_file(directory, credentials)
        async with _process(
            "-m",
            "bench.fleet",
            f"--count={count}",
            f"--group-id={credentials.group_id}",
            f"--group-key-file={key_file}",
            stdout=asyncio.subprocess.PIPE,
        ) as process:
            if process.stdout is None:
                raise RuntimeError("fleet process has no stdout")
            async with asyncio.timeout(READY_TIMEOUT):
                line = await process.stdout.readline()
            if not line:
                raise RuntimeError(f"fleet exited with status {await process.wait()}")
            yield [(device_id, host) for device_id, host in json.loads(line)]
