"""The transport of a simulated Wi-Fi module: its own port, one request at a time, a log.

The module serves one request at a time (ioBroker.miele-local's WCR860 log: "two
simultaneous requests throw it off"): a request arriving while another is being served is
counted in ``overlapping_requests`` and never answered. ``latency`` delays every answer
(ha-miele-at-lan issue #16 and PR #32 saw 4.2 s and 4.9 s answers).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
import asyncio
from dataclasses import dataclass, field
import logging
import math
import socket
from typing import TYPE_CHECKING, Any, Self

from aiohttp import web

from .history import History

if TYPE_CHECKING:
    from collections.abc import Coroutine
    from types import TracebackType

    from .control import ControlServer

_LOGGER = logging.getLogger("simulator.device")


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request the module received; ``status`` is None when it was never answered.

    ``received_at`` is the event loop's clock when it arrived (not compared).
    """

    method: str
    path: str
    status: int | None
    received_at: float = field(default=0.0, compare=False)


def check_seconds(name: str, value: float) -> float:
    """Return ``value`` when it is a finite number of seconds >= 0, else ValueError."""
    number = value if type(value) in {int, float} else math.nan
    if not (number >= 0 and math.isfinite(number)):
        raise ValueError(f"{name} must be zero or more seconds")
    return float(number)


async def never_answer() -> None:
    """Hold a request forever; it is cancelled when the client hangs up."""
    await asyncio.get_running_loop().create_future()


class ModuleServer(ABC):
    """An HTTP server on its own port answering one request at a time.

    Subclasses answer in ``_respond``; ``_offline`` keeps the port closed and
    ``_held_aside`` names requests held unanswered without occupying the module
    (``_on_held`` sees each first).
    """

    device_id: str

    def __init__(
        self, *, host: str, port: int, latency: float, history_limit: int
    ) -> None:
        self.latency = latency
        self.requests: History[RequestRecord] = History(history_limit)
        self.max_concurrent = 0
        self.overlapping_requests = 0
        self._bind_host = host
        self._port = port
        self._control: ControlServer | None = None
        self._in_flight = 0
        self._serving = False
        self._server: web.Server | None = None
        self._listener: asyncio.Server | None = None
        self._opening = False
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def latency(self) -> float:
        """Seconds added to every answer; settable at any time."""
        return self._latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        self._latency = check_seconds("latency", seconds)

    @property
    def host(self) -> str:
        """``127.0.0.1:<port>``, the value a client puts in its Host header."""
        ip = f"[{self._bind_host}]" if ":" in self._bind_host else self._bind_host
        return f"{ip}:{self._port}"

    @property
    def port(self) -> int:
        """The appliance port (the real one once started with ``port=0``)."""
        return self._port

    @property
    def control_port(self) -> int | None:
        """The control API port once started, None without a control API."""
        return None if self._control is None else self._control.port

    @property
    @abstractmethod
    def _offline(self) -> bool:
        """Whether the port stays closed."""
        raise NotImplementedError

    @abstractmethod
    def _held_aside(self, request: web.BaseRequest) -> bool:
        """Whether ``request`` is held unanswered without occupying the module."""
        raise NotImplementedError

    @abstractmethod
    async def _on_held(self, request: web.BaseRequest) -> None:
        """Look at a request held aside before it waits forever."""
        raise NotImplementedError

    @abstractmethod
    async def _respond(self, request: web.BaseRequest) -> web.Response:
        """Answer one request (the module serves one at a time)."""
        raise NotImplementedError

    @abstractmethod
    async def _on_stop(self) -> None:
        """Release what the subclass holds (called once while stopping)."""
        raise NotImplementedError

    # --- lifecycle ----------------------------------------------------------------

    async def start(self) -> None:
        """Start serving (and the control API when a control port was given)."""
        if self._server is not None:
            raise RuntimeError("simulated appliance already started")
        sock = self._bind()
        self._server = web.Server(
            self._handle, handler_cancellation=True, access_log=None
        )
        self._port = sock.getsockname()[1]
        if self._offline:
            sock.close()
        else:
            self._listener = await asyncio.get_running_loop().create_server(
                self._server, sock=sock
            )
        if self._control is not None:
            try:
                await self._control.start()
            except OSError:
                await self.stop()
                raise

    async def stop(self) -> None:
        """Stop serving; requests in flight are cancelled."""
        server, self._server = self._server, None
        if server is None:
            return
        if self._control is not None:
            await self._control.stop()
        self._close_listener()
        await self._on_stop()
        await server.shutdown(0.1)
        while self._tasks:
            await asyncio.gather(*self._tasks)

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    def _bind(self) -> socket.socket:
        family = socket.AF_INET6 if ":" in self._bind_host else socket.AF_INET
        return socket.create_server((self._bind_host, self._port), family=family)

    def _close_listener(self) -> None:
        """Stop listening at once and drop open connections (refused from now on)."""
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
            listener.close_clients()
            self._track(listener.wait_closed())

    def _open_listener(self) -> None:
        """Listen again on the same port; the socket queues connections at once."""
        if self._server is None or self._listener is not None or self._opening:
            return
        self._opening = True
        self._track(self._serve(self._server, self._bind()))

    async def _serve(self, server: web.Server, sock: socket.socket) -> None:
        try:
            listener = await asyncio.get_running_loop().create_server(server, sock=sock)
        finally:
            self._opening = False
        self._listener = listener
        if self._offline or self._server is None:
            self._close_listener()

    def _track(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- request handling -----------------------------------------------------------

    async def _handle(self, request: web.BaseRequest) -> web.StreamResponse:
        """Serve one request at a time (one arriving meanwhile is never answered)."""
        received_at = asyncio.get_running_loop().time()
        self._in_flight += 1
        self.max_concurrent = max(self.max_concurrent, self._in_flight)
        status: int | None = None
        try:
            if self._held_aside(request):
                await self._on_held(request)
                await never_answer()
            if self._serving:
                self.overlapping_requests += 1
                await never_answer()
            self._serving = True
            try:
                if self.latency:
                    await asyncio.sleep(self.latency)
                response = await self._respond(request)
            finally:
                self._serving = False
            status = response.status
            return response
        finally:
            self._in_flight -= 1
            self.requests.append(
                RequestRecord(request.method, request.raw_path, status, received_at)
            )
            _LOGGER.info(
                "%s %s %s -> %s",
                self.device_id,
                request.method,
                request.raw_path,
                status or "no answer",
            )
