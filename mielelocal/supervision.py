"""SuperVision: an extra household member that appliances notify of changes (push).

See docs/protocol.md, "Push updates": the listener registers with
``PUT /Devices/{fab}/SuperVision/{listener}`` and one ``POST /Subscriptions`` per resource,
then receives signed, encrypted ``POST``s on its callback paths. How appliances sign their
pushes is not known; :func:`inspect_push` checks the documented hypothesis only as evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
import json
import re
from typing import TYPE_CHECKING

from . import crypto
from .credentials import validate_device_id
from .exceptions import MieleProtocolError, MieleResponseError, MieleSecurityError

if TYPE_CHECKING:
    from .client import MieleClient, SignedReply
    from .credentials import GroupCredentials

RESOURCES = ("/State/", "/State/Light/", "/State/Status/", "/Ident/")
LISTENER_DEVICE_TYPE = 2147483647
"""The sentinel devicetype the listener advertises (so discovery can ignore it)."""
DEFAULT_PORT = 18082
_SLOT = re.compile(r"/Subscriptions/(\d+)/?$")
_CALLBACK = re.compile(r"^/Devices/(\d{12})/SuperVision/(\d{12})(/.*)?$")


def listener_hostname(listener_fab: str) -> str:
    """``Miele-001D63FFFE<6 hex>.local.``: low 24 bits of the fab's last 8 digits."""
    low = int(validate_device_id(listener_fab)[-8:]) & 0xFFFFFF
    return f"Miele-001D63FFFE{low:06X}.local."


def callback_path(listener_fab: str, appliance_fab: str, resource: str = "/") -> str:
    """Return the path an appliance posts its changes of ``resource`` to."""
    return f"/Devices/{listener_fab}/SuperVision/{appliance_fab}{resource}"


def parse_callback_path(path: str) -> tuple[str, str] | None:
    """Return ``(listener_fab, appliance_fab)`` of a callback path, None for another path."""
    match = _CALLBACK.match(path)
    return None if match is None else (match[1], match[2])


def slot_number(location: str | None) -> int | None:
    """Return the slot of a ``Location: http://<appliance>/Subscriptions/<n>/`` header."""
    match = _SLOT.search(location or "")
    return None if match is None else int(match[1])


async def enrol(
    client: MieleClient,
    appliance_fab: str,
    listener_fab: str,
    callback_base: str,
    slots: list[int],
) -> bool:
    """Register as a peer and subscribe to every resource, appending each new slot to ``slots``.

    Returns False when the appliance has no SuperVision (404): such appliances never push.
    ``callback_base`` is ``http://<listener host>:<port>``. Slots created before a failure
    stay in ``slots``, so they can be withdrawn.
    """
    peer = _peer_path(appliance_fab, listener_fab)
    if (
        await _unless_missing(client, "PUT", peer, {"Show": True, "Signal": True})
        is None
    ):
        return False
    for resource in RESOURCES:
        reply = await client.send_signed(
            "POST",
            "/Subscriptions",
            {
                "Resource": f"/Devices/{appliance_fab}{resource}",
                "Callback": callback_base
                + callback_path(listener_fab, appliance_fab, resource),
            },
        )
        if (slot := slot_number(reply.location)) is None:
            raise MieleProtocolError("subscription created without a slot Location")
        slots.append(slot)
    return True


async def withdraw(
    client: MieleClient, appliance_fab: str, listener_fab: str, slots: list[int]
) -> None:
    """Delete our own subscription slots, then hide the peer entry.

    A slot is deleted only when the appliance shows our callback in it: never the ``Cloud``
    one or another member's. Slots already gone (404) are skipped.
    """
    own = callback_path(listener_fab, appliance_fab)
    for slot in slots:
        path = f"/Subscriptions/{slot}/"
        if (reply := await _unless_missing(client, "GET", path)) is None:
            continue
        document = reply.document
        callback = document.get("Callback") if isinstance(document, dict) else None
        if isinstance(callback, str) and own in callback:
            await client.send_signed("DELETE", path)
    peer = _peer_path(appliance_fab, listener_fab)
    await _unless_missing(client, "PUT", peer, {"Show": False, "Signal": False})


def _peer_path(appliance_fab: str, listener_fab: str) -> str:
    return f"/Devices/{appliance_fab}/SuperVision/{listener_fab}"


async def _unless_missing(
    client: MieleClient, method: str, path: str, document: object = None
) -> SignedReply | None:
    """Send one signed request; None when the appliance answers 404."""
    try:
        return await client.send_signed(method, path, document)
    except MieleResponseError as err:
        if err.status == 404:
            return None
        raise


@dataclass(frozen=True, slots=True)
class PushEvidence:
    """What a pushed body showed under the documented hypothesis (never used as data)."""

    decrypted: bool
    signature_verified: bool


def inspect_push(
    credentials: GroupCredentials,
    signature: bytes,
    text_fields: tuple[str, str, str, str, str],
    body: bytes,
) -> PushEvidence:
    """Try to decrypt a push (IV = the signature) and verify it as a signed request.

    ``text_fields`` are the request's ``(host, path, content type, accept, date)``.
    """
    try:
        padded = crypto.decrypt(credentials.group_key, signature, body)
        document = json.loads(crypto.unpad(padded))
    except MieleProtocolError, MieleSecurityError, ValueError, RecursionError:
        return PushEvidence(decrypted=False, signature_verified=False)
    host, path, content_type, accept, date = text_fields
    expected = crypto.hmac_sha256(
        credentials.group_key,
        crypto.request_text("POST", host, path, content_type, accept, date, padded),
    )
    return PushEvidence(
        decrypted=isinstance(document, dict),
        signature_verified=crypto.signatures_match(expected, signature),
    )
