"""Typed async client for one Miele appliance host over an injected ``aiohttp`` session.

Every request is signed and every response signature is verified before its body is
parsed; the one exception is an empty 204 without ``X-Signature`` to a write, accepted
unverified (there is nothing to decrypt, and no capture shows whether modules sign them),
and counted in :attr:`MieleClient.no_content_answers`. The client never retries, and stops
aiohttp's own re-send of a failed PUT: an action is sent at most once.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
import json
import logging
from typing import TYPE_CHECKING, NamedTuple, Self

import aiohttp
from yarl import URL

from . import crypto
from .credentials import GroupCredentials, validate_device_id, validate_host
from .exceptions import (
    MieleAuthError,
    MieleBusyError,
    MieleCommissioningError,
    MieleConfigError,
    MieleConnectionError,
    MieleError,
    MieleProtocolError,
    MieleResponseError,
    MieleSecurityError,
    MieleTimeoutError,
)
from .models import DeviceAction, Ident, LightAction, ProcessAction, State
from .wlan import WlanInfo

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from contextlib import AbstractAsyncContextManager
    from types import TracebackType

_LOGGER = logging.getLogger(__name__)

COMMISSIONING_PATH = "/Security/Commissioning/"
PAIRING_AUTHORIZATION = "MielePairing:Pairing"

# The Date header of every request: read from the clock each time, formatted once a second.
_http_date = crypto.HttpDate()


@lru_cache(maxsize=1024)
def _url(host: str, path: str) -> URL:
    """Return the request URL of ``path`` on ``host`` (both validated), built once."""
    return URL(f"http://{host}{path}", encoded=True)


class _Reply(NamedTuple):
    """What came back from one HTTP exchange (body bounded by ``max_response_bytes``)."""

    status: int
    content_type: str
    date: str
    signature: str | None
    body: bytes
    location: str | None = None


@dataclass(frozen=True, slots=True)
class SignedReply:
    """A verified answer to :meth:`MieleClient.send_signed`."""

    status: int
    location: str | None
    document: object


@dataclass(frozen=True, slots=True)
class NoContentCounts:
    """How many 204 answers to writes came signed and verified, and how many unsigned."""

    signed: int
    unsigned: int


class _NotResentError(aiohttp.ClientConnectionError):
    """A non-GET exchange broke after sending began; aiohttp must not re-send it."""


async def _single_shot(
    request: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType
) -> aiohttp.ClientResponse:
    """Request middleware that stops aiohttp's automatic second attempt.

    aiohttp re-sends an "idempotent" method (PUT included) once when the first attempt
    fails with ``ClientOSError`` or ``ServerDisconnectedError``; it never re-sends on
    other ``ClientError`` subclasses. A refused connection (nothing was sent) passes.
    """
    try:
        return await handler(request)
    except aiohttp.ClientConnectorError:
        raise
    except (aiohttp.ClientOSError, aiohttp.ServerDisconnectedError) as err:
        raise _NotResentError(str(err)) from err


class MieleClient:
    """Signed, verified access to the appliances behind one host (see docs/design.md)."""

    def __init__(
        self,
        host: str,
        credentials: GroupCredentials,
        *,
        session: aiohttp.ClientSession | None = None,
        timeout: float = 10.0,
        max_response_bytes: int = 262_144,
        limiter: Callable[[], AbstractAsyncContextManager[object]] | None = None,
    ) -> None:
        if not isinstance(credentials, GroupCredentials):
            raise MieleConfigError("credentials", "must be GroupCredentials")
        if not timeout > 0:
            raise MieleConfigError("timeout", "must be a positive number of seconds")
        if max_response_bytes < 1:
            raise MieleConfigError("max_response_bytes", "must be at least 1")
        self.host = validate_host(host)
        self._credentials = credentials
        self._key = crypto.PreparedKey(credentials.group_key)
        # How a response signed for this group begins (see _response_signature).
        self._signed_by_group = f"{crypto.AUTH_SCHEME} {credentials.group_id}:"
        self._last_state: tuple[str, bytes, State] | None = None
        self._session = session
        self._owns_session = session is None
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._max_response_bytes = max_response_bytes
        self._limiter = limiter
        self._signed_no_content = 0
        self._unsigned_no_content = 0

    @property
    def group_id(self) -> str:
        """The GroupID this client signs with (sent in clear, but kept out of logs)."""
        return self._credentials.group_id

    @property
    def no_content_answers(self) -> NoContentCounts:
        """Counts of the 204 answers to writes so far, signed (verified) and unsigned."""
        return NoContentCounts(self._signed_no_content, self._unsigned_no_content)

    def __repr__(self) -> str:
        return f"MieleClient(host={self.host!r}, group_id={self.group_id!r})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the HTTP session if this client created it; an injected one stays open."""
        if self._owns_session and self._session is not None:
            await self._session.close()
            self._session = None

    # Reads

    async def list_devices(self) -> list[str]:
        """Return the ids (FabNumbers) of the appliances behind this host, in listing order."""
        return list(await self._listing())

    async def get_devices(self) -> dict[str, Ident]:
        """Return the appliances behind this host, keyed by their id (FabNumber).

        Modules list each appliance as a link (``{"href": "<id>/", "Group": ...,
        "Pairing": false}``): its Ident is then read from ``/Devices/{id}/Ident``. An entry
        that carries the Ident under ``Ident``, or is the Ident itself, is used as it is.
        """
        devices: dict[str, Ident] = {}
        for device_id, entry in (await self._listing()).items():
            if isinstance(entry, dict) and "Ident" not in entry and "href" in entry:
                devices[device_id] = await self.get_ident(device_id)
                continue
            embedded = entry.get("Ident", entry) if isinstance(entry, dict) else entry
            try:
                devices[device_id] = Ident.from_json(embedded)
            except MieleError as err:
                raise MieleProtocolError(f"{self.host}/Devices/: {err}") from None
        return devices

    async def _listing(self) -> dict[str, object]:
        """Return the entries of ``/Devices/`` keyed by their validated id."""
        path = "/Devices/"
        data = self._json(path, await self._get_verified(path, True))
        if not isinstance(data, dict):
            raise MieleProtocolError(f"{self.host}{path}: not a JSON object")
        listing: dict[str, object] = {}
        for device_id, entry in data.items():
            try:
                listing[validate_device_id(device_id)] = entry
            except MieleError as err:
                raise MieleProtocolError(f"{self.host}{path}: {err}") from None
        return listing

    async def get_ident(self, device_id: str) -> Ident:
        """Return the identity of one appliance."""
        path = f"/Devices/{validate_device_id(device_id)}/Ident"
        data = self._json(path, await self._get_verified(path, True))
        return self._parse(Ident.from_json, data, path)

    async def get_state(self, device_id: str) -> State:
        """Return the live state of one appliance.

        When the verified plaintext is byte-identical to the last one read from the same
        path, the (immutable) State parsed from it is returned again.
        """
        path = f"/Devices/{validate_device_id(device_id)}/State"
        body = await self._get_verified(path, True)
        last = self._last_state
        if last is not None and last[0] == path and last[1] == body:
            return last[2]
        state = self._parse(State.from_json, self._json(path, body), path)
        self._last_state = (path, body, state)
        return state

    # The asyncmiele connection guide's names for the same two reads (one code path).
    get_device_ident = get_ident
    get_device_state = get_state

    async def get_json(self, path: str) -> object:
        """Send a signed GET of ``path`` (starting with ``/``) and return the verified JSON."""
        _validate_path(path)
        return self._json(path, await self._get_verified(path, False))

    async def get_wlan(self) -> WlanInfo:
        """Return the module's Wi-Fi connection (one signed GET of ``/WLAN/``).

        The Wi-Fi password (``Key``) is dropped while parsing; a 404 raises
        :class:`MieleResponseError`, as for :meth:`get_json`.
        """
        path = "/WLAN/"
        data = self._json(path, await self._get_verified(path, False))
        return self._parse(WlanInfo.from_json, data, path)

    async def _get_verified(self, path: str, document: bool) -> bytes:
        """Send a signed GET of a valid ``path``; return the verified, decrypted body.

        ``document``: ``path`` is one every paired module serves (``/Devices/``, Ident,
        State), so a 404 means the module does not know the household key.
        """
        date = _http_date()
        signature = self._key.sign(
            crypto.request_head("GET", self.host, path, "", crypto.ACCEPT, date)
        )
        reply = await self._exchange(
            "GET", path, self._signed_headers(signature, date), b""
        )
        return self._open(path, reply, "rejected the key", document)

    # Actions: each is one signed PUT, never retried.

    async def send_action(self, device_id: str, payload: Mapping[str, int]) -> None:
        """Send one action (``{"ProcessAction": 1}``...) to an appliance, exactly once."""
        if not payload or not all(
            isinstance(key, str)
            and isinstance(value, int)
            and not isinstance(value, bool)
            for key, value in payload.items()
        ):
            raise MieleConfigError("payload", "must map field names to integers")
        path = f"/Devices/{validate_device_id(device_id)}/State"
        body = {key: int(value) for key, value in payload.items()}
        await self._signed_put(path, json.dumps(body, separators=(",", ":")).encode())

    async def start(self, device_id: str) -> None:
        """Start (or resume) the selected programme."""
        await self.send_action(device_id, {"ProcessAction": ProcessAction.START})

    async def stop(self, device_id: str) -> None:
        """Stop the running programme."""
        await self.send_action(device_id, {"ProcessAction": ProcessAction.STOP})

    async def pause(self, device_id: str) -> None:
        """Pause the running programme."""
        await self.send_action(device_id, {"ProcessAction": ProcessAction.PAUSE})

    async def set_superfreeze(self, device_id: str, on: bool) -> None:
        """Switch superfreezing on or off."""
        action = ProcessAction.SUPERFREEZE_ON if on else ProcessAction.SUPERFREEZE_OFF
        await self.send_action(device_id, {"ProcessAction": action})

    async def set_supercool(self, device_id: str, on: bool) -> None:
        """Switch supercooling on or off."""
        action = ProcessAction.SUPERCOOL_ON if on else ProcessAction.SUPERCOOL_OFF
        await self.send_action(device_id, {"ProcessAction": action})

    async def set_light(self, device_id: str, on: bool) -> None:
        """Switch the appliance light on or off."""
        light = LightAction.ON if on else LightAction.OFF
        await self.send_action(device_id, {"Light": light})

    async def wake(self, device_id: str) -> None:
        """Wake a sleeping network module."""
        await self.send_action(device_id, {"DeviceAction": DeviceAction.WAKE})

    async def send_signed(
        self, method: str, path: str, document: object = None
    ) -> SignedReply:
        """Send one signed request (a JSON ``document`` encrypted as its body), never retried.

        For SuperVision and subscriptions (``PUT``, ``POST``, ``DELETE``); errors as for reads.
        """
        _validate_path(path)
        body = b"" if document is None else json.dumps(document).encode()
        content_type = crypto.CONTENT_TYPE if body else ""
        date = _http_date()
        signature, ciphertext = crypto.seal_request(
            self._key,
            method,
            self.host,
            path,
            content_type,
            crypto.ACCEPT,
            date,
            body,
        )
        headers = self._signed_headers(signature, date)
        if content_type:
            headers["Content-Type"] = content_type
        reply = await self._exchange(method, path, headers, ciphertext)
        result = self._open_write(path, reply, "rejected the key")
        return SignedReply(
            reply.status, reply.location, self._json(path, result) if result else None
        )

    # Pairing and reachability

    async def commission(self, credentials: GroupCredentials) -> None:
        """Pair an unpaired appliance with ``credentials`` (unsigned, unencrypted PUT).

        Raises :class:`MieleCommissioningError` when the appliance is already paired (403)
        or does not accept commissioning now (404).
        """
        if not isinstance(credentials, GroupCredentials):
            raise MieleConfigError("credentials", "must be GroupCredentials")
        headers = {
            "Accept": crypto.ACCEPT,
            "Content-Type": crypto.CONTENT_TYPE,
            "Date": _http_date(),
            "Authorization": PAIRING_AUTHORIZATION,
        }
        reply = await self._exchange(
            "PUT", COMMISSIONING_PATH, headers, _commissioning_body(credentials)
        )
        where = f"{self.host}{COMMISSIONING_PATH}"
        if reply.status == 403:
            raise MieleCommissioningError(
                f"{where}: the appliance is already paired", 403
            )
        if reply.status == 404:
            raise MieleCommissioningError(
                f"{where}: commissioning is not supported or the appliance is not in setup mode",
                404,
            )
        if reply.status == 503:
            raise MieleBusyError(f"{where}: the appliance is busy (HTTP 503)")
        if not 200 <= reply.status < 300:
            raise MieleResponseError(
                f"{where}: commissioning failed (HTTP {reply.status})", reply.status
            )

    async def confirm_commissioning(self) -> None:
        """Send this client's pairing body again as a signed PUT (some appliances need it)."""
        await self._signed_put(
            COMMISSIONING_PATH, _commissioning_body(self._credentials)
        )

    async def probe(self) -> int:
        """Send an unsigned ``GET /`` and return the HTTP status: any status means "host answers"."""
        reply = await self._exchange("GET", "/", {}, b"")
        return reply.status

    # Internals

    def _signed_headers(self, signature: bytes, date: str) -> dict[str, str]:
        return {
            "Host": self.host,
            "Accept": crypto.ACCEPT,
            "Date": date,
            "Authorization": crypto.format_authorization(
                self._credentials.group_id, signature
            ),
            "Accept-Encoding": "identity",
        }

    async def _signed_put(self, path: str, body: bytes) -> None:
        """Send one signed, encrypted JSON PUT and check its (possibly empty) result list."""
        date = _http_date()
        signature, ciphertext = crypto.seal_request(
            self._key,
            "PUT",
            self.host,
            path,
            crypto.CONTENT_TYPE,
            crypto.ACCEPT,
            date,
            body,
        )
        headers = self._signed_headers(signature, date)
        headers["Content-Type"] = crypto.CONTENT_TYPE
        reply = await self._exchange("PUT", path, headers, ciphertext)
        result = self._open_write(
            path, reply, "refused the write (remote control disabled or wrong key)"
        )
        if result:
            _check_write_result(
                f"{self.host}{path}", self._json(path, result), reply.status
            )

    async def _exchange(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> _Reply:
        """Do one HTTP exchange, inside the limiter when there is one."""
        if self._limiter is None:
            return await self._send(method, path, headers, body)
        async with self._limiter():
            return await self._send(method, path, headers, body)

    async def _send(
        self, method: str, path: str, headers: dict[str, str], body: bytes
    ) -> _Reply:
        """Do one HTTP exchange; map transport errors."""
        host = self.host
        try:
            async with self._http().request(
                method,
                _url(host, path),
                headers=headers,
                data=body or None,
                timeout=self._timeout,
                allow_redirects=False,
                middlewares=None if method == "GET" else (_single_shot,),
            ) as response:
                answer = response.headers
                if answer.get("Content-Encoding", "identity") != "identity":
                    raise MieleProtocolError(
                        f"{host}{path}: compressed response refused "
                        "(its size is known only once expanded)"
                    )
                length = response.content_length
                if length is not None and length <= self._max_response_bytes:
                    content = await response.read()  # aiohttp stops at Content-Length
                else:
                    content = await self._read_unsized(response, length, path)
                reply = _Reply(
                    response.status,
                    answer.get("Content-Type", ""),
                    answer.get("Date", ""),
                    answer.get("X-Signature"),
                    content,
                    answer.get("Location"),
                )
        except TimeoutError:
            raise MieleTimeoutError(f"{host}{path}: no answer in time") from None
        except _NotResentError as err:
            raise MieleConnectionError(
                f"{host}{path}: connection lost: outcome unknown, not resent"
            ) from err
        except (aiohttp.ClientError, OSError) as err:
            raise MieleConnectionError(
                f"{host}{path}: cannot connect ({type(err).__name__})"
            ) from err
        _LOGGER.debug("%s %s%s -> %s", method, host, path, reply.status)
        return reply

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self._session

    async def _read_unsized(
        self, response: aiohttp.ClientResponse, length: int | None, path: str
    ) -> bytes:
        """Read a body without a Content-Length (``length``) or with one over the limit.

        At most ``max_response_bytes`` are read; a larger body is refused, never read whole.
        """
        limit = self._max_response_bytes
        if length is None:
            body = bytearray()
            while len(body) <= limit and (
                chunk := await response.content.read(limit + 1 - len(body))
            ):
                body += chunk
            if len(body) <= limit:
                return bytes(body)
        raise MieleProtocolError(
            f"{self.host}{path}: response larger than {limit} bytes"
        )

    def _open(
        self, path: str, reply: _Reply, refusal: str, document: bool = False
    ) -> bytes:
        """Map the HTTP status, then verify and decrypt a 2xx body.

        With ``document`` (a signed read of ``/Devices/``, Ident or State) a 404 is a
        refused key: a module that was never given our household key answers so.
        """
        status = reply.status
        if not 200 <= status < 300:
            where = f"{self.host}{path}"
            if status in (401, 403):
                raise MieleAuthError(
                    f"{where}: the appliance {refusal} (HTTP {status})", status
                )
            if status == 404 and document:
                raise MieleAuthError(
                    f"{where}: the appliance does not know this household key "
                    "(HTTP 404)",
                    status,
                )
            if status == 503:
                raise MieleBusyError(f"{where}: the appliance is busy (HTTP 503)")
            raise MieleResponseError(f"{where}: unexpected HTTP {status}", status)
        try:
            signature = self._response_signature(reply.signature)
            return self._key.open_response(
                status, reply.content_type, reply.date, signature, reply.body
            )
        except MieleSecurityError as err:
            raise MieleSecurityError(f"{self.host}{path}: {err}") from None

    def _open_write(self, path: str, reply: _Reply, refusal: str) -> bytes:
        """Open the answer to a write as :meth:`_open` does, counting its 204s.

        An empty 204 without ``X-Signature`` is accepted unverified (every other open
        client accepts it, and it carries nothing to decrypt); a 204 whose signature is
        present but wrong is still refused.
        """
        if reply.status != 204:
            return self._open(path, reply, refusal)
        if reply.signature is None and not reply.body:
            self._unsigned_no_content += 1
            _LOGGER.debug("%s%s: unsigned 204 accepted", self.host, path)
            return b""
        body = self._open(path, reply, refusal)
        self._signed_no_content += 1
        return body

    def _response_signature(self, header: str | None) -> bytes:
        """Return the raw signature of a response signed for this client's group."""
        ours = self._signed_by_group
        if (
            header is not None
            and header.startswith(ours)
            and len(header) == len(ours) + 64
        ):
            return crypto.signature_from_hex(header[len(ours) :])
        group_id, signature = crypto.parse_authorization(header)
        if group_id != self._credentials.group_id:
            raise MieleSecurityError("response is signed for another household's group")
        return signature

    def _json(self, path: str, body: bytes) -> object:
        try:
            return json.loads(body.decode())
        except ValueError, RecursionError:
            raise MieleProtocolError(
                f"{self.host}{path}: response is not valid JSON"
            ) from None

    def _parse[T](self, parse: Callable[[object], T], data: object, path: str) -> T:
        try:
            return parse(data)
        except MieleProtocolError as err:
            raise MieleProtocolError(f"{self.host}{path}: {err}") from None


def _validate_path(path: object) -> None:
    if (
        not isinstance(path, str)
        or not path.startswith("/")
        or path.startswith("//")
        or not path.isascii()
        or not path.isprintable()
        or any(char in path for char in " #\\")
    ):
        raise MieleConfigError("path", "must be an absolute path such as /Devices/")


def _commissioning_body(credentials: GroupCredentials) -> bytes:
    return json.dumps(
        {"GroupID": credentials.group_id, "GroupKey": credentials.group_key_hex},
        separators=(",", ":"),
    ).encode()


def _check_write_result(where: str, result: object, status: int) -> None:
    """Raise for a write answer such as ``[{"Error": ...}]`` (``Success`` entries pass)."""
    entries = result if isinstance(result, list) else [result]
    for entry in entries:
        if isinstance(entry, dict) and "Error" in entry:
            detail = json.dumps(entry["Error"])[:200]
            raise MieleResponseError(
                f"{where}: the appliance refused the write ({detail})", status
            )
