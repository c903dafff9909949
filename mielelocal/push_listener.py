"""The push listener: an HTTP server that answers appliances like one more household member.

Appliances probe it with signed GETs (answered signed and encrypted, as a module would) and
post their changes to the callback paths of their subscriptions. A post is only a doorbell:
``on_push`` learns which appliance rang and what the body showed under the documented
signature hypothesis; its content is never used.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from email.utils import formatdate
from http import HTTPStatus
import json
import logging
import socket
from typing import TYPE_CHECKING

from aiohttp import web

from . import crypto
from .exceptions import MieleProtocolError, MieleSecurityError
from .supervision import PushEvidence, inspect_push, parse_callback_path

if TYPE_CHECKING:
    from collections.abc import Callable

    from .credentials import GroupCredentials

_LOGGER = logging.getLogger(__name__)
MAX_BODY = 16_384


@dataclass(frozen=True, slots=True)
class Push:
    """One post an appliance (or anyone claiming its group) made to a callback path."""

    appliance_fab: str
    group_id: str
    evidence: PushEvidence


class PushListener:
    """Serve probes and receive pushes for ``listener_fab`` on ``host:port`` (0 = any free)."""

    def __init__(
        self,
        listener_fab: str,
        credentials_for: Callable[[str], GroupCredentials | None],
        on_push: Callable[[Push], None],
        *,
        host: str = "0.0.0.0",  # noqa: S104  (appliances on the LAN must reach it)
        port: int = 0,
    ) -> None:
        self.listener_fab = listener_fab
        self._credentials_for = credentials_for
        self._on_push = on_push
        self._host = host
        self._port = port
        self._server: web.Server | None = None
        self._listener: asyncio.Server | None = None

    @property
    def port(self) -> int:
        """The bound port (the real one once started with ``port=0``)."""
        return self._port

    async def start(self) -> None:
        """Bind and serve (OSError when the port is taken)."""
        family = socket.AF_INET6 if ":" in self._host else socket.AF_INET
        sock = socket.create_server((self._host, self._port), family=family)
        self._port = sock.getsockname()[1]
        self._server = web.Server(self._handle, access_log=None)
        self._listener = await asyncio.get_running_loop().create_server(
            self._server, sock=sock
        )

    async def stop(self) -> None:
        """Stop serving; safe to call twice."""
        listener, self._listener = self._listener, None
        server, self._server = self._server, None
        if listener is not None:
            listener.close()
            listener.close_clients()
            await listener.wait_closed()
        if server is not None:
            await server.shutdown(0.1)

    async def _handle(self, request: web.BaseRequest) -> web.Response:
        try:
            group_id, signature = crypto.parse_authorization(
                request.headers.get("Authorization")
            )
        except MieleSecurityError:
            return web.Response(status=HTTPStatus.UNAUTHORIZED)
        credentials = self._credentials_for(group_id)
        if credentials is None:
            return web.Response(status=HTTPStatus.FORBIDDEN)
        if (request.content_length or 0) > MAX_BODY:
            return web.Response(status=HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        body = await request.read()  # aiohttp refuses chunked bodies over 1 MiB
        fields = (
            request.headers.get("Host", ""),
            request.raw_path,
            request.headers.get("Content-Type", ""),
            request.headers.get("Accept", ""),
            request.headers.get("Date", ""),
        )
        if request.method == "POST" and (target := parse_callback_path(request.path)):
            if target[0] == self.listener_fab:
                evidence = inspect_push(credentials, signature, fields, body)
                self._on_push(Push(target[1], group_id, evidence))
            return web.Response(status=HTTPStatus.NO_CONTENT)
        try:
            crypto.open_request(
                credentials.group_key, request.method, *fields, signature, body
            )
        except MieleSecurityError, MieleProtocolError:
            return web.Response(status=HTTPStatus.FORBIDDEN)
        return self._answer(request, credentials)

    def _answer(
        self, request: web.BaseRequest, credentials: GroupCredentials
    ) -> web.Response:
        """Answer a verified probe like a module; anything unexpected gets 204."""
        if request.method == "POST" and request.path.rstrip("/") == "/Subscriptions":
            return web.Response(
                status=HTTPStatus.CREATED,
                headers={"Location": f"http://{request.host}/Subscriptions/1/"},
            )
        document = (
            self._document(request.path, credentials.group_id)
            if request.method == "GET"
            else None
        )
        if document is None:
            return web.Response(status=HTTPStatus.NO_CONTENT)
        date = formatdate(usegmt=True)
        signature, ciphertext = crypto.seal_response(
            credentials.group_key,
            HTTPStatus.OK,
            crypto.CONTENT_TYPE,
            date,
            json.dumps(document, separators=(",", ":")).encode(),
        )
        return web.Response(
            status=HTTPStatus.OK,
            body=ciphertext,
            headers={
                "X-Signature": crypto.format_authorization(
                    credentials.group_id, signature
                ),
                "Content-Type": crypto.CONTENT_TYPE,
                "Date": date,
            },
        )

    def _document(self, path: str, group_id: str) -> dict[str, object] | None:
        """Return the known-good body of docs/protocol.md, None for other paths."""
        parts = tuple(part for part in path.split("/") if part)
        fab = self.listener_fab
        if parts == ("Devices",):
            return {fab: {"href": f"{fab}/", "Group": group_id, "Pairing": False}}
        if parts[:2] != ("Devices", fab):
            return None
        rest = parts[2:]
        if rest == ():
            return {"Ident": {"href": "Ident/"}, "State": {"href": "State/"}}
        if rest == ("Ident",):
            return {
                "DeviceType": 0,
                "DeviceName": "Home Assistant",
                "DeviceIdentLabel": {"FabNumber": fab},
            }
        if rest == ("State",):
            return {"Status": 1}
        if rest == ("SuperVision",):
            return {"Enabled": True, "ErrorOnly": False}
        if len(rest) == 2 and rest[0] == "SuperVision":
            return {"Show": True, "Signal": True}
        return None
