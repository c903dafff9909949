"""A simulated Miele Wi-Fi module: a real HTTP server speaking the local protocol."""

from __future__ import annotations

from http import HTTPStatus
import itertools
import json
import time
from typing import TYPE_CHECKING, Any

from mielelocal.credentials import GroupCredentials, validate_device_id

from . import documents
from .appliances import JsonObject, get_template
from .control import ControlServer
from .documents import module_json
from .faults import FORGETS_PAIRING, WAKES_UP, Fault, parse_fault
from .history import HISTORY_LIMIT, History
from .model import ApplianceModel
from .protocol import is_signed, open_signed, plain_response, sealed_response
from .server import ModuleServer, RequestRecord, check_seconds, never_answer
from .supervision import Answer, SuperVision
from .variants import (
    WAITING_FOR_APP_STATUS,
    Variant,
    parse_variant,
    plain_minutes,
    short_signature_hex,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from aiohttp import web

__all__ = ["GARBAGE", "Fault", "RequestRecord", "SimulatedAppliance", "Variant"]

_FAB_NUMBERS = itertools.count(1)
_PAIRING_HEADER = "MielePairing:Pairing"
type Pairing = GroupCredentials | bytes | None
"""A usable pairing, a malformed commissioning body stored verbatim, or none."""
GARBAGE = b"<html><body>\x8f\x01 Miele@home </body></html>"
"""The plaintext of every signed answer with a body under the ``garbage`` fault."""
WAKE = {"DeviceAction": 2}
START = {"ProcessAction": 1}


class SimulatedAppliance(ModuleServer):
    """One simulated appliance with its Wi-Fi module, served on its own port.

    It serves one request at a time (see ``ModuleServer``). ``requests``, ``actions``
    (writes answered 204) and ``held_actions`` (writes held unanswered under
    ``busy_silent``, never applied) keep the newest ``history_limit`` entries; their
    ``total`` counts every one. ``shortened_signatures`` counts the answers whose
    signature lost its leading ``0`` under ``short_signature_hex``.
    ``set_fault`` switches the exclusive fault modes (``Fault``), ``set_variant`` the
    combinable firmware variants (``Variant``).

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
        variants: Iterable[str] = (),
    ) -> None:
        super().__init__(
            host=host, port=port, latency=latency, history_limit=history_limit
        )
        self.wake_delay = check_seconds("wake_delay", wake_delay)
        self.appliance = appliance
        self.model = ApplianceModel(
            get_template(appliance), speed=speed, writes_allowed=writes_allowed
        )
        self.device_id = (
            f"0001{next(_FAB_NUMBERS):08d}"
            if fab_number is None
            else validate_device_id(fab_number)
        )
        self._variants = frozenset(parse_variant(name) for name in variants)
        self._pairing: Pairing = (
            (credentials or GroupCredentials.generate()) if paired else None
        )
        self.validate_commissioning = validate_commissioning
        self.actions: History[JsonObject] = History(history_limit)
        self.held_actions: History[JsonObject] = History(history_limit)
        self.shortened_signatures = 0
        if control_port is not None:
            self._control = ControlServer(self, host, control_port)
        self.pairing_listeners: list[Callable[[], None]] = []
        self._fault = Fault.NONE
        self._forgotten: Pairing = None
        self._awake_at: float | None = None
        self._awaiting_confirmation = False
        self.supervision = SuperVision(
            self.device_id,
            lambda: self.host,
            self._served_state,
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
        """The current fault (``sleep`` and ``deep_standby`` end once woken and the delay passed)."""
        if (
            self._fault in WAKES_UP
            and self._awake_at is not None
            and time.monotonic() >= self._awake_at
        ):
            self._fault = Fault.NONE
            self._awake_at = None
        return self._fault

    @property
    def variants(self) -> frozenset[Variant]:
        """The firmware variants switched on."""
        return self._variants

    @property
    def state(self) -> JsonObject:
        """The current State document (as the appliance holds it, before variants)."""
        return self.model.state

    def update_state(self, **fields: Any) -> None:
        """Merge fields into the State (ValueError on values a device never sends)."""
        self.model.update(fields)

    def set_fault(self, mode: str) -> None:
        """Switch to a fault mode; ValueError on an unknown one."""
        new = parse_fault(mode)
        old = self.fault
        if new is old:
            return
        pairing = self._pairing
        if old in FORGETS_PAIRING:
            self._pairing, self._forgotten = self._forgotten, None
        if new in FORGETS_PAIRING:
            self._forgotten, self._pairing = self._pairing, None
        self._fault = new
        if self._pairing is not pairing:
            self._pairing_changed()
        self._awake_at = None
        if new is Fault.OFFLINE:
            self._close_listener()
        elif old is Fault.OFFLINE:
            self._open_listener()

    def set_variant(self, name: str, on: bool = True) -> None:
        """Switch a firmware variant on or off; ValueError on an unknown one."""
        variant = parse_variant(name)
        self._variants = (
            self._variants | {variant} if on else self._variants - {variant}
        )
        if variant is Variant.WAITING_FOR_APP and not on:
            self._awaiting_confirmation = False

    def _pairing_changed(self) -> None:
        """Tell the listeners (the mDNS advertiser) that the pairing changed."""
        for listener in self.pairing_listeners:
            listener()

    def _served_state(self) -> JsonObject:
        """Return the State with the variants applied (what reads and pushes carry)."""
        state = self.model.state
        if self._awaiting_confirmation:
            state["Status"] = WAITING_FOR_APP_STATUS
        if Variant.PLAIN_MINUTES in self._variants:
            plain_minutes(state)
        return state

    # --- request handling -----------------------------------------------------------

    @property
    def _offline(self) -> bool:
        return self._fault is Fault.OFFLINE

    def _held_aside(self, request: web.BaseRequest) -> bool:
        """``busy_silent``: signed requests wait forever, unsigned ones are served."""
        return self.fault is Fault.BUSY_SILENT and is_signed(request)

    async def _on_held(self, request: web.BaseRequest) -> None:
        """Note the action of a verified write held aside in ``held_actions``."""
        parts = tuple(part for part in request.path.split("/") if part)
        credentials = self.credentials
        if (
            request.method != "PUT"
            or parts != ("Devices", self.device_id, "State")
            or credentials is None
        ):
            return
        body = await open_signed(request, credentials)
        payload = None if body is None else _json_or_none(body)
        if isinstance(payload, dict):
            self.held_actions.append(payload)

    async def _on_stop(self) -> None:
        await self.supervision.close()

    async def _respond(self, request: web.BaseRequest) -> web.Response:
        fault = self.fault
        if fault is Fault.TIMEOUT:
            await never_answer()
        if fault is Fault.ERROR500:
            return plain_response(HTTPStatus.INTERNAL_SERVER_ERROR)
        parts = tuple(part for part in request.path.split("/") if part)
        commissioning = parts == ("Security", "Commissioning")
        if commissioning and not is_signed(request):
            return await self._commission(request)
        if not is_signed(request):
            return plain_response(HTTPStatus.UNAUTHORIZED)
        if fault is Fault.BUSY_SILENT:
            await never_answer()
        if fault is Fault.BUSY:
            return plain_response(HTTPStatus.SERVICE_UNAVAILABLE)
        if fault is Fault.NO_KEY:
            return plain_response(HTTPStatus.NOT_FOUND)
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
        document = self._document(parts, fault) if request.method == "GET" else None
        if document is None:
            return plain_response(HTTPStatus.NOT_FOUND)
        return self._sealed(
            credentials,
            HTTPStatus.OK,
            fault,
            GARBAGE if fault is Fault.GARBAGE else module_json(document),
        )

    def _sealed(
        self,
        credentials: GroupCredentials,
        status: HTTPStatus,
        fault: Fault,
        body: bytes = b"",
    ) -> web.Response:
        """Sign and encrypt an answer (a 204 unsigned under ``unsigned_204``).

        Under ``short_signature_hex`` a signature hex beginning with ``0`` loses it.
        """
        if status is HTTPStatus.NO_CONTENT and Variant.UNSIGNED_204 in self._variants:
            return plain_response(status)
        response = sealed_response(
            credentials, status, body, bad_signature=fault is Fault.BAD_SIGNATURE
        )
        if Variant.SHORT_SIGNATURE_HEX in self._variants and (
            shortened := short_signature_hex(response.headers["X-Signature"])
        ):
            response.headers["X-Signature"] = shortened
            self.shortened_signatures += 1
        return response

    def _supervised(
        self, credentials: GroupCredentials, answer: Answer, fault: Fault
    ) -> web.Response:
        """Seal a SuperVision answer (errors unsigned, like every module error)."""
        if answer.status >= HTTPStatus.BAD_REQUEST:
            return plain_response(answer.status)
        document = answer.document
        body = b"" if document is None else module_json(document)
        response = self._sealed(credentials, answer.status, fault, body)
        if answer.location is not None:
            response.headers["Location"] = answer.location
        return response

    def _write(
        self, credentials: GroupCredentials, payload: object, fault: Fault
    ) -> web.Response:
        """Apply an action; asleep or in deep standby only a wake-up is heard.

        Under ``start_ignored`` a Start the module takes (writes allowed) is answered 204
        and changes nothing.
        """
        if fault in WAKES_UP:
            if payload != WAKE:
                return plain_response(HTTPStatus.INTERNAL_SERVER_ERROR)
            if self._awake_at is None:
                self._awake_at = time.monotonic() + self.wake_delay
            self.actions.append(dict(WAKE))
            return self._sealed(credentials, HTTPStatus.NO_CONTENT, fault)
        if (
            payload == START
            and Variant.START_IGNORED in self._variants
            and self.model.writes_allowed
        ):
            self.actions.append(dict(START))
            return self._sealed(credentials, HTTPStatus.NO_CONTENT, fault)
        status = self.model.apply(payload)
        if status is not HTTPStatus.NO_CONTENT or not isinstance(payload, dict):
            return plain_response(status)
        self.actions.append(payload)
        return self._sealed(credentials, status, fault)

    def _document(self, parts: tuple[str, ...], fault: Fault) -> object | None:
        """Return the JSON document a signed GET of ``parts`` reads, None if unknown."""
        device = self.device_id
        readers: dict[tuple[str, ...], Callable[[], object]] = {
            ("Devices",): self._listing,
            ("Devices", device): lambda: documents.links(
                supervision=self.supervision.supported
            ),
            ("Devices", device, "Ident"): lambda: (
                {} if Variant.EMPTY_IDENT in self._variants else self._ident()
            ),
            ("Devices", device, "State"): lambda: (
                documents.zeroed(self._served_state())
                if fault is Fault.DEEP_STANDBY
                else self._served_state()
            ),
            ("Devices", device, "Settings"): documents.settings,
            ("Update",): documents.update,
            ("WLAN",): lambda: documents.wlan(device, self._bind_host),
            ("Security",): lambda: documents.security(
                paired=self.paired, group_id=self._group_id()
            ),
        }
        reader = readers.get(parts)
        return None if reader is None else reader()

    def _ident(self) -> JsonObject:
        return self.model.template.ident(self.device_id)

    def _listing(self) -> JsonObject:
        if Variant.EMBEDDED_IDENT in self._variants:
            return documents.embedded_listing(
                self.device_id, self._group_id(), self._ident()
            )
        return documents.listing(
            self.device_id, self._group_id(), pairing=not self.paired
        )

    def _group_id(self) -> str:
        credentials = self.credentials
        return "" if credentials is None else credentials.group_id

    async def _commission(self, request: web.BaseRequest) -> web.Response:
        """Unsigned, unencrypted pairing; only while unpaired, reset or without a key."""
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
        if self._fault in FORGETS_PAIRING:
            self._fault = Fault.NONE
        self._awaiting_confirmation = Variant.WAITING_FOR_APP in self._variants
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
        self._awaiting_confirmation = False
        return self._sealed(credentials, HTTPStatus.NO_CONTENT, fault)


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
