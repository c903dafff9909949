"""A simulated Miele Wi-Fi module: a real HTTP server on 127.0.0.1 speaking the protocol of shared/docs/protocol.md."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from enum import StrEnum
from http import HTTPStatus
import itertools
import json
import logging
import socket
import time
from typing import TYPE_CHECKING, Any, Self

from aiohttp import web

from custom_components.miele_local.miele.credentials import (
    GroupCredentials,
    validate_device_id,
)

from .appliances import JsonObject, get_template
from .control import ControlServer
from .history import HISTORY_LIMIT, History
from .model import ApplianceModel
from .protocol import is_signed, open_signed, plain_response, sealed_response
from .supervision import Answer, SuperVision

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine
    from types import TracebackType

_LOGGER = logging.getLogger(__name__)
_FAB_NUMBERS = itertools.count(1)
_PAIRING_HEADER = "MielePairing:Pairing"
type Pairing = GroupCredentials | bytes | None
"""A usable pairing, a malformed commissioning body stored verbatim, or none."""
GARBAGE = b"<html><body>\x8f\x01 Miele@home </body></html>"
"""The plaintext of every signed answer with a body under the ``garbage`` fault."""


class Fault(StrEnum):
    """Faults a simulated module can be switched into at any time."""

    NONE = "none"
    OFFLINE = "offline"  # port closed: connections refused
    TIMEOUT = "timeout"  # accepts, never answers
    SLEEP = "sleep"  # signed requests answer 500 until woken by DeviceAction 2
    ERROR500 = "error500"
    BAD_SIGNATURE = "bad_signature"
    GARBAGE = "garbage"  # validly signed plaintext that is not JSON
    RESET = "reset"  # pairing forgotten: signed requests 403, commissioning open


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """
    One request the module received; ``status`` is None when it was never answered.

    ``received_at`` is the event loop's clock when it arrived (not compared).
    """

    method: str
    path: str
    status: int | None
    received_at: float = field(default=0.0, compare=False)


class SimulatedAppliance:
    """
    One simulated appliance with its Wi-Fi module, served on its own port.

    It serves one request at a time: a request arriving while another is being served is
    counted in ``overlapping_requests`` and never answered (held until the client hangs
    up), so a client that does not serialise sees timeouts. ``requests`` and ``actions``
    keep the newest ``history_limit`` entries; their ``total`` counts every one.

    ``validate_commissioning=False`` stores any commissioning body verbatim, like a real
    module: a malformed one leaves it paired to a key nobody holds (signed requests 403,
    commissioning 403) until the ``reset`` fault.
    """

    def __init__(
        self,
        appliance: str = "washer",
        *,
        credentials: GroupCredentials | None = None,
        paired: bool = True,
        host: str = "127.0.0.1",
        port: int = 0,
        control_port: int | None = None,
        speed: float = 1.0,
        wake_delay: float = 3.0,
        latency: float = 0.0,
        fab_number: str | None = None,
        writes_allowed: bool | None = None,
        validate_commissioning: bool = True,
        history_limit: int = HISTORY_LIMIT,
        supervision: bool = True,
    ) -> None:
        for name, value in (("wake_delay", wake_delay), ("latency", latency)):
            if not value >= 0:
                raise ValueError(f"{name} must be zero or more seconds")
        self.appliance = appliance
        self.model = ApplianceModel(
            get_template(appliance), speed=speed, writes_allowed=writes_allowed
        )
        self.device_id = (
            f"0001{next(_FAB_NUMBERS):08d}"
            if fab_number is None
            else validate_device_id(fab_number)
        )
        self._pairing: Pairing = (
            (credentials or GroupCredentials.generate()) if paired else None
        )
        self.wake_delay = wake_delay
        self.latency = latency
        self.validate_commissioning = validate_commissioning
        self.requests: History[RequestRecord] = History(history_limit)
        self.actions: History[JsonObject] = History(history_limit)
        self.max_concurrent = 0
        self.overlapping_requests = 0
        self._bind_host = host
        self._port = port
        self._control = (
            None if control_port is None else ControlServer(self, host, control_port)
        )
        self.pairing_listeners: list[Callable[[], None]] = []
        self._fault = Fault.NONE
        self._forgotten: Pairing = None
        self._awake_at: float | None = None
        self._in_flight = 0
        self._serving = False
        self._server: web.Server | None = None
        self._listener: asyncio.Server | None = None
        self._opening = False
        self._tasks: set[asyncio.Task[None]] = set()
        self.supervision = SuperVision(
            self.device_id,
            lambda: self.host,
            lambda: self.model.state,
            lambda: self.credentials,
            supported=supervision,
        )

    def __repr__(self) -> str:
        return (
            f"SimulatedAppliance({self.appliance!r}, device_id={self.device_id!r}, "
            f"host={self.host!r}, fault={self._fault.value!r})"
        )

    # --- public state -------------------------------------------------------------

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
    def credentials(self) -> GroupCredentials | None:
        """The current pairing; None while unpaired, reset or paired to a malformed key."""
        pairing = self._pairing
        return pairing if isinstance(pairing, GroupCredentials) else None

    @property
    def paired(self) -> bool:
        """Whether the module holds a pairing (usable or not)."""
        return self._pairing is not None

    @property
    def fault(self) -> Fault:
        """The current fault (``sleep`` turns into ``none`` once the wake delay passed)."""
        if (
            self._fault is Fault.SLEEP
            and self._awake_at is not None
            and time.monotonic() >= self._awake_at
        ):
            self._fault = Fault.NONE
            self._awake_at = None
        return self._fault

    @property
    def state(self) -> JsonObject:
        """The current State document."""
        return self.model.state

    def update_state(self, **fields: Any) -> None:
        """Merge fields into the State (ValueError on values a device never sends)."""
        self.model.update(fields)

    def set_fault(self, mode: str) -> None:
        """Switch to a fault mode; ValueError on an unknown one."""
        try:
            new = Fault(mode)
        except ValueError:
            valid = ", ".join(fault.value for fault in Fault)
            raise ValueError(f"unknown fault {mode!r}; choose one of {valid}") from None
        old = self.fault
        if new is old:
            return
        pairing = self._pairing
        if old is Fault.RESET:
            self._pairing, self._forgotten = self._forgotten, None
        if new is Fault.RESET:
            self._forgotten, self._pairing = self._pairing, None
        self._fault = new
        if self._pairing is not pairing:
            self._pairing_changed()
        self._awake_at = None
        if new is Fault.OFFLINE:
            self._close_listener()
        elif old is Fault.OFFLINE:
            self._open_listener()

    def _pairing_changed(self) -> None:
        """Tell the listeners (the mDNS advertiser) that the pairing changed."""
        for listener in self.pairing_listeners:
            listener()

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
        if self._fault is Fault.OFFLINE:
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
        await self.supervision.close()
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
        if self._fault is Fault.OFFLINE or self._server is None:
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
            if self._serving:
                self.overlapping_requests += 1
                await _never_answer()
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

    async def _respond(self, request: web.BaseRequest) -> web.Response:
        fault = self.fault
        if fault is Fault.TIMEOUT:
            await _never_answer()
        if fault is Fault.ERROR500:
            return plain_response(HTTPStatus.INTERNAL_SERVER_ERROR)
        parts = tuple(part for part in request.path.split("/") if part)
        commissioning = parts == ("Security", "Commissioning")
        if commissioning and not is_signed(request):
            return await self._commission(request)
        if not is_signed(request):
            return plain_response(HTTPStatus.UNAUTHORIZED)
        credentials = self.credentials
        body = None if credentials is None else await open_signed(request, credentials)
        if credentials is None or body is None:
            return plain_response(HTTPStatus.FORBIDDEN)
        if request.method == "PUT" and parts == ("Devices", self.device_id, "State"):
            return self._write(credentials, _json_or_none(body), fault)
        if fault is Fault.SLEEP:
            return plain_response(HTTPStatus.INTERNAL_SERVER_ERROR)
        if commissioning:
            return self._confirm(
                request.method, credentials, _json_or_none(body), fault
            )
        if supervised := self.supervision.answer(
            request.method, parts, _json_or_none(body)
        ):
            return self._supervised(credentials, supervised, fault)
        document = self._document(parts) if request.method == "GET" else None
        if document is None:
            return plain_response(HTTPStatus.NOT_FOUND)
        return sealed_response(
            credentials,
            HTTPStatus.OK,
            GARBAGE if fault is Fault.GARBAGE else _encode(document),
            bad_signature=fault is Fault.BAD_SIGNATURE,
        )

    @staticmethod
    def _supervised(
        credentials: GroupCredentials, answer: Answer, fault: Fault
    ) -> web.Response:
        """Seal a SuperVision answer (errors unsigned, like every module error)."""
        if answer.status >= HTTPStatus.BAD_REQUEST:
            return plain_response(answer.status)
        response = sealed_response(
            credentials,
            answer.status,
            b"" if answer.document is None else json.dumps(answer.document).encode(),
            bad_signature=fault is Fault.BAD_SIGNATURE,
        )
        if answer.location is not None:
            response.headers["Location"] = answer.location
        return response

    def _write(
        self, credentials: GroupCredentials, payload: object, fault: Fault
    ) -> web.Response:
        """Apply an action; while asleep only a wake-up is heard."""
        if fault is Fault.SLEEP:
            if payload != {"DeviceAction": 2}:
                return plain_response(HTTPStatus.INTERNAL_SERVER_ERROR)
            if self._awake_at is None:
                self._awake_at = time.monotonic() + self.wake_delay
            self.actions.append({"DeviceAction": 2})
            return sealed_response(credentials, HTTPStatus.NO_CONTENT)
        status = self.model.apply(payload)
        if status is not HTTPStatus.NO_CONTENT or not isinstance(payload, dict):
            return plain_response(status)
        self.actions.append(payload)
        return sealed_response(
            credentials, status, bad_signature=fault is Fault.BAD_SIGNATURE
        )

    def _document(self, parts: tuple[str, ...]) -> JsonObject | None:
        """Return the JSON document a signed GET of ``parts`` reads, None if unknown."""
        device = self.device_id
        readers: dict[tuple[str, ...], Callable[[], JsonObject]] = {
            ("Devices",): self._summary,
            ("Devices", device, "Ident"): self._ident,
            ("Devices", device, "State"): lambda: self.model.state,
            ("Devices", device, "Settings"): _settings,
            ("Update",): _update,
            ("WLAN",): self._wlan,
            ("Security",): self._security,
        }
        reader = readers.get(parts)
        return None if reader is None else reader()

    def _ident(self) -> JsonObject:
        return self.model.template.ident(self.device_id)

    def _summary(self) -> JsonObject:
        return {
            self.device_id: {
                "href": f"{self.device_id}/",
                "Group": self._group_id(),
                "Ident": self._ident(),
            }
        }

    def _wlan(self) -> JsonObject:
        tail = self.device_id[-6:].rjust(6, "0")
        return {
            "SSID": "MieleLocalSim",
            "RSSI": -54,
            "Channel": 6,
            "IPAddress": self._bind_host,
            "MACAddress": "00:1D:63:" + ":".join(tail[i : i + 2] for i in (0, 2, 4)),
            "SecurityMode": "WPA2",
        }

    def _group_id(self) -> str:
        credentials = self.credentials
        return "" if credentials is None else credentials.group_id

    def _security(self) -> JsonObject:
        return {
            "Pairing": self.paired,
            "Group": self._group_id(),
            "Commissioning": {"href": "Commissioning/"},
        }

    async def _commission(self, request: web.BaseRequest) -> web.Response:
        """Unsigned, unencrypted pairing; only while unpaired or reset."""
        if request.method != "PUT":
            return plain_response(HTTPStatus.METHOD_NOT_ALLOWED)
        if request.headers.get("Authorization") != _PAIRING_HEADER:
            return plain_response(HTTPStatus.NOT_FOUND)
        if self._pairing is not None:
            return plain_response(HTTPStatus.FORBIDDEN)
        body = await request.read()
        pairing: Pairing = _credentials_or_none(_json_or_none(body))
        if pairing is None:
            if self.validate_commissioning:
                return plain_response(HTTPStatus.BAD_REQUEST)
            pairing = body
        self._pairing, self._forgotten = pairing, None
        if self._fault is Fault.RESET:
            self._fault = Fault.NONE
        self._pairing_changed()
        return plain_response(HTTPStatus.NO_CONTENT)

    def _confirm(
        self,
        method: str,
        credentials: GroupCredentials,
        document: object,
        fault: Fault,
    ) -> web.Response:
        """Signed commissioning confirmation: 204 when the body repeats the pairing."""
        if method != "PUT":
            return plain_response(HTTPStatus.METHOD_NOT_ALLOWED)
        if _credentials_or_none(document) != credentials:
            return plain_response(HTTPStatus.BAD_REQUEST)
        return sealed_response(
            credentials,
            HTTPStatus.NO_CONTENT,
            bad_signature=fault is Fault.BAD_SIGNATURE,
        )


async def _never_answer() -> None:
    """Hold a request forever; it is cancelled when the client hangs up."""
    await asyncio.get_running_loop().create_future()


def _credentials_or_none(document: object) -> GroupCredentials | None:
    """Return the pairing a ``{"GroupID": ..., "GroupKey": ...}`` document names, if valid."""
    if not isinstance(document, dict):
        return None
    try:
        return GroupCredentials.from_hex(
            document.get("GroupID"), document.get("GroupKey")
        )
    except ValueError:
        return None


def _json_or_none(body: bytes) -> object:
    try:
        return json.loads(body)
    except ValueError:
        return None


def _encode(document: JsonObject) -> bytes:
    return json.dumps(document, separators=(",", ":")).encode()


def _settings() -> JsonObject:
    return {"Language": "en_GB", "TemperatureUnit": 1, "Volume": 2, "Brightness": 4}


def _update() -> JsonObject:
    return {
        "NewerAvailable": False,
        "CurrentVersion": "08.32",
        "AvailableVersion": "",
        "Type": "",
        "ReleaseNotes": "",
        "UpdateInProgress": False,
    }
