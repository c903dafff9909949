"""A tiny signing client built from ``crypto`` only (independent of MieleClient)."""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import formatdate
import json
from typing import TYPE_CHECKING, Any

import aiohttp

from mielelocal import crypto

if TYPE_CHECKING:
    from mielelocal.credentials import GroupCredentials


@dataclass(frozen=True)
class RawResponse:
    """What came back, before any verification."""

    status: int
    headers: dict[str, str]
    ciphertext: bytes

    def plaintext(self, credentials: GroupCredentials) -> bytes:
        """Verify the signature and decrypt; raises MieleSecurityError on mismatch."""
        group_id, signature = crypto.parse_authorization(self.headers["X-Signature"])
        assert group_id == credentials.group_id
        return crypto.open_response(
            credentials.group_key,
            self.status,
            self.headers.get("Content-Type", ""),
            self.headers.get("Date", ""),
            signature,
            self.ciphertext,
        )

    def json(self, credentials: GroupCredentials) -> Any:
        return json.loads(self.plaintext(credentials))


async def send(
    session: aiohttp.ClientSession,
    host: str,
    credentials: GroupCredentials | None,
    method: str,
    path: str,
    payload: object = None,
    *,
    tamper: bool = False,
    headers: dict[str, str] | None = None,
    raw: bytes | None = None,
    limit: float = 5.0,
) -> RawResponse:
    """
    Send one request, signed and encrypted when credentials are given.

    ``raw`` replaces the JSON encoding of ``payload``; ``limit`` is the client timeout.
    """
    date = formatdate(usegmt=True)
    body = (
        raw
        if raw is not None
        else b""
        if payload is None
        else json.dumps(payload).encode()
    )
    sent = {"Host": host, "Accept": crypto.ACCEPT, "Date": date}
    if body:
        sent["Content-Type"] = crypto.CONTENT_TYPE
    if credentials is not None:
        signature, body = crypto.seal_request(
            credentials.group_key,
            method,
            host,
            path,
            sent.get("Content-Type", ""),
            crypto.ACCEPT,
            date,
            body,
        )
        sent["Authorization"] = crypto.format_authorization(
            credentials.group_id, signature
        )
    if tamper:
        body = bytes([body[0] ^ 1]) + body[1:]
    sent.update(headers or {})
    async with session.request(
        method,
        f"http://{host}{path}",
        data=body or None,
        headers=sent,
        timeout=aiohttp.ClientTimeout(total=limit),
    ) as response:
        return RawResponse(
            response.status, dict(response.headers), await response.read()
        )
