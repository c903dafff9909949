"""SuperVision of a simulated module: peers, subscription slots, probes and pushes.

Slot 1 is the ``Cloud`` subscription every connected appliance carries; new slots are
numbered on, never reused. When a State subscription exists, every change of the State is
posted to its callback, signed as a request (the documented hypothesis) and encrypted with
the signature as IV. Before its first push to a listener the module probes it with signed
GETs and verifies the answers. ``supported=False`` behaves like the appliances that answer
404 to all of it and never push. The simulator lives on loopback: callback hosts named
``*.local.`` are resolved through ``hosts`` (127.0.0.1 when not listed).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from email.utils import formatdate
from http import HTTPStatus
import itertools
import logging
from typing import TYPE_CHECKING, Any, TypeGuard

import aiohttp
from yarl import URL

from mielelocal import crypto
from mielelocal.exceptions import MieleSecurityError

from .documents import module_json
from .history import History

if TYPE_CHECKING:
    from collections.abc import Callable

    from mielelocal.credentials import GroupCredentials

    from .appliances import JsonObject

_LOGGER = logging.getLogger(__name__)
WATCH_INTERVAL = 0.05
"""Seconds between looks at the State while a State subscription exists."""
CLOUD_SLOT = {"Resource": "/Devices/", "Callback": "Cloud"}


@dataclass(frozen=True, slots=True)
class Delivery:
    """One push or probe the module sent; ``status`` is None when nobody answered."""

    method: str
    url: str
    status: int | None
    verified: bool = False


@dataclass(frozen=True, slots=True)
class Answer:
    """What a SuperVision request is answered with."""

    status: HTTPStatus
    document: JsonObject | list[JsonObject] | None = None
    location: str | None = None


class SuperVision:
    """The SuperVision side of one simulated module."""

    def __init__(
        self,
        device_id: str,
        host: Callable[[], str],
        state: Callable[[], JsonObject],
        credentials: Callable[[], GroupCredentials | None],
        *,
        supported: bool = True,
    ) -> None:
        self.device_id = device_id
        self.supported = supported
        self.peers: dict[str, JsonObject] = {}
        self.subscriptions: dict[int, JsonObject] = {1: dict(CLOUD_SLOT)}
        self.deliveries: History[Delivery] = History()
        self.hosts: dict[str, str] = {}
        self._host = host
        self._state = state
        self._credentials = credentials
        self._slots = itertools.count(2)
        self._probed: set[str] = set()
        self._last: JsonObject | None = None
        self._session: aiohttp.ClientSession | None = None
        self._watcher: asyncio.Task[None] | None = None

    def answer(
        self, method: str, parts: tuple[str, ...], body: object
    ) -> Answer | None:
        """Answer a verified SuperVision or Subscriptions request; None for other paths."""
        if parts[:1] == ("Subscriptions",):
            if not self.supported:
                return Answer(HTTPStatus.NOT_FOUND)
            return self._subscriptions(method, parts[1:], body)
        if parts[:3] != ("Devices", self.device_id, "SuperVision"):
            return None
        if not self.supported:
            return Answer(HTTPStatus.NOT_FOUND)
        if method == "GET" and len(parts) == 3:
            return Answer(HTTPStatus.OK, {"Enabled": True, "ErrorOnly": False})
        if len(parts) != 4:
            return Answer(HTTPStatus.NOT_FOUND)
        peer = parts[3]
        if method == "GET":
            known = self.peers.get(peer)
            return Answer(
                HTTPStatus.NOT_FOUND if known is None else HTTPStatus.OK, known
            )
        if method != "PUT" or not _flags(body):
            return Answer(HTTPStatus.BAD_REQUEST)
        self.peers[peer] = {"Show": body["Show"], "Signal": body["Signal"]}
        return Answer(HTTPStatus.NO_CONTENT)

    def _subscriptions(
        self, method: str, rest: tuple[str, ...], body: object
    ) -> Answer:
        if not rest:
            if method == "GET":
                return Answer(
                    HTTPStatus.OK,
                    [{"href": f"{slot}/"} for slot in sorted(self.subscriptions)],
                )
            if method != "POST" or not _subscription(body):
                return Answer(HTTPStatus.BAD_REQUEST)
            slot = next(self._slots)
            self.subscriptions[slot] = {
                "Resource": body["Resource"],
                "Callback": body["Callback"],
            }
            self._watch()
            return Answer(
                HTTPStatus.CREATED,
                location=f"http://{self._host()}/Subscriptions/{slot}/",
            )
        slot = int(rest[0]) if len(rest) == 1 and rest[0].isdigit() else 0
        if slot not in self.subscriptions:
            return Answer(HTTPStatus.NOT_FOUND)
        if method == "GET":
            return Answer(HTTPStatus.OK, self.subscriptions[slot])
        if method == "DELETE":
            del self.subscriptions[slot]
            return Answer(HTTPStatus.NO_CONTENT)
        return Answer(HTTPStatus.METHOD_NOT_ALLOWED)

    # --- pushing ---------------------------------------------------------------------

    def _watch(self) -> None:
        if self._watcher is None:
            self._last = self._state()
            self._watcher = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        """Post every State change to the State subscribers."""
        while True:
            await asyncio.sleep(WATCH_INTERVAL)
            state = self._state()
            if state != self._last:
                self._last = state
                await self.push(state)

    async def push(self, state: JsonObject) -> None:
        """Post ``state`` to every State subscriber, one after the other."""
        resource = f"/Devices/{self.device_id}/State/"
        for subscription in list(self.subscriptions.values()):
            callback = str(subscription["Callback"])
            if subscription["Resource"] != resource or not callback.startswith(
                "http://"
            ):
                continue
            authority, _, path = callback.removeprefix("http://").partition("/")
            await self._probe(authority, f"/{path}")
            document = {
                "Host": f"Miele-{self.device_id}.local.",
                "Resource": resource,
                "Content": state,
            }
            await self._send("POST", authority, f"/{path}", document)

    async def _probe(self, authority: str, path: str) -> None:
        """Probe a listener before the first push to it, as appliances do."""
        if authority in self._probed:
            return
        self._probed.add(authority)
        listener = path.split("/")[2]
        for probe in ("/Devices/", f"/Devices/{listener}/SuperVision/{self.device_id}"):
            await self._send("GET", authority, probe, None)

    async def _send(
        self, method: str, authority: str, path: str, document: JsonObject | None
    ) -> None:
        """Send one signed request with the callback's Host exactly as subscribed."""
        credentials = self._credentials()
        if credentials is None:
            return
        url = f"http://{authority}{path}"
        try:
            parsed = URL(url)
            target = parsed.with_host(self._resolve(parsed.host or ""))
        except ValueError:
            self.deliveries.append(Delivery(method, url, None))
            return
        body = b"" if document is None else module_json(document)
        content_type = crypto.CONTENT_TYPE if body else ""
        date = formatdate(usegmt=True)
        signature, ciphertext = crypto.seal_request(
            credentials.group_key,
            method,
            authority,
            path,
            content_type,
            crypto.ACCEPT,
            date,
            body,
        )
        headers = {
            "Host": authority,
            "Accept": crypto.ACCEPT,
            "Date": date,
            "Authorization": crypto.format_authorization(
                credentials.group_id, signature
            ),
        }
        if content_type:
            headers["Content-Type"] = content_type
        status: int | None = None
        verified = False
        try:
            async with self._http().request(
                method,
                target,
                headers=headers,
                data=ciphertext or None,
                timeout=aiohttp.ClientTimeout(total=5),
            ) as response:
                status = response.status
                verified = _verified(credentials, response, await response.read())
        except (aiohttp.ClientError, TimeoutError) as err:
            _LOGGER.info("%s %s %s failed: %r", self.device_id, method, url, err)
        self.deliveries.append(Delivery(method, url, status, verified))

    def _resolve(self, host: str) -> str:
        """Return the address of a callback host (``hosts`` is case-insensitive; else loopback)."""
        names = {name.lower(): address for name, address in self.hosts.items()}
        return names.get(host.lower(), "127.0.0.1")

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self._session

    async def close(self) -> None:
        """Stop watching and close the session."""
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.cancel()
            await asyncio.gather(watcher, return_exceptions=True)
        session, self._session = self._session, None
        if session is not None:
            await session.close()


def _verified(
    credentials: GroupCredentials, response: aiohttp.ClientResponse, body: bytes
) -> bool:
    """Whether a listener's answer carries a valid signature (a body or not)."""
    try:
        group_id, signature = crypto.parse_authorization(
            response.headers.get("X-Signature")
        )
        crypto.open_response(
            credentials.group_key,
            response.status,
            response.headers.get("Content-Type", ""),
            response.headers.get("Date", ""),
            signature,
            body,
        )
    except MieleSecurityError:
        return False
    return group_id == credentials.group_id


def _flags(body: object) -> TypeGuard[dict[str, Any]]:
    return (
        isinstance(body, dict)
        and isinstance(body.get("Show"), bool)
        and isinstance(body.get("Signal"), bool)
    )


def _subscription(body: object) -> TypeGuard[dict[str, Any]]:
    return (
        isinstance(body, dict)
        and isinstance(body.get("Resource"), str)
        and isinstance(body.get("Callback"), str)
    )
