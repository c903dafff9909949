"""Device side of the protocol: verify signed requests and seal signed responses."""

from __future__ import annotations

from email.utils import formatdate
from typing import TYPE_CHECKING

from aiohttp import web

from mielelocal import crypto
from mielelocal.exceptions import MieleProtocolError, MieleSecurityError

if TYPE_CHECKING:
    from http import HTTPStatus

    from mielelocal.credentials import GroupCredentials

_SIGNED_PREFIX = f"{crypto.AUTH_SCHEME} "


def is_signed(request: web.BaseRequest) -> bool:
    """Whether the request carries a ``MieleH256`` Authorization header."""
    return request.headers.get("Authorization", "").startswith(_SIGNED_PREFIX)


async def open_signed(
    request: web.BaseRequest, credentials: GroupCredentials
) -> bytes | None:
    """Verify a signed request and return its decrypted body without padding.

    Returns None when the header is malformed or the group, key or signature does not
    match (a real module answers 403).
    """
    try:
        group_id, signature = crypto.parse_authorization(
            request.headers.get("Authorization")
        )
        if group_id != credentials.group_id:
            return None
        return crypto.open_request(
            credentials.group_key,
            request.method,
            request.headers.get("Host", ""),
            request.raw_path,
            request.headers.get("Content-Type", ""),
            request.headers.get("Accept", ""),
            request.headers.get("Date", ""),
            signature,
            await request.read(),
        )
    except MieleSecurityError, MieleProtocolError:
        return None


def sealed_response(
    credentials: GroupCredentials,
    status: HTTPStatus,
    body: bytes = b"",
    *,
    bad_signature: bool = False,
) -> web.Response:
    """Return a response padded, signed and encrypted like a real module's."""
    date = formatdate(usegmt=True)
    signature, ciphertext = crypto.seal_response(
        credentials.group_key, int(status), crypto.CONTENT_TYPE, date, body
    )
    if bad_signature:
        signature = bytes(byte ^ 0xFF for byte in signature)
    return web.Response(
        status=status,
        body=ciphertext,
        headers={
            "X-Signature": crypto.format_authorization(credentials.group_id, signature),
            "Content-Type": crypto.CONTENT_TYPE,
            "Date": date,
        },
    )


def plain_response(status: HTTPStatus) -> web.Response:
    """Return an unsigned answer without a body (errors, commissioning)."""
    return web.Response(status=status)
