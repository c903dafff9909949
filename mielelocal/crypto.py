"""Signing, padding and AES encryption of the Miele@home local protocol.

See docs/protocol.md: requests are signed with HMAC-SHA256 over a text built from the
method, host, path, headers and the *padded* body; bodies are AES-256-CBC encrypted with the
first 32 bytes of the group key and the first 16 bytes of the signature as IV.
"""

from __future__ import annotations

from email.utils import formatdate
import hashlib
import hmac
import time
from typing import TYPE_CHECKING, Protocol

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from .credentials import GROUP_ID_LENGTH
from .exceptions import MieleProtocolError, MieleSecurityError

if TYPE_CHECKING:
    from collections.abc import Callable

    from cryptography.hazmat.primitives.ciphers import CipherContext

AUTH_SCHEME = "MieleH256"
ACCEPT = "application/vnd.miele.v1+json"
CONTENT_TYPE = "application/vnd.miele.v1+json; charset=utf-8"
BLOCK = 16
MIN_JSON_BODY = 64
_SIGNATURE_HEX = 64
"""Hex characters of a signature in an Authorization or X-Signature header."""
_HEX = frozenset("0123456789abcdefABCDEF")


class _Mac(Protocol):
    """A keyed HMAC: ``hmac.HMAC`` or the C object inside it."""

    def copy(self) -> _Mac: ...
    def update(self, data: bytes, /) -> None: ...
    def digest(self) -> bytes: ...


def hmac_sha256(key: bytes, text: bytes) -> bytes:
    """Return the raw HMAC-SHA256 of ``text`` under the whole 64-byte group key."""
    return hmac.new(key, text, hashlib.sha256).digest()


class PreparedKey:
    """A group key set up once for many messages (not for sharing between threads).

    It holds the keyed HMAC, the AES-256 key and one long-lived CBC decryption context.
    Each message signs with a copy of the keyed HMAC. A CBC decryptor's only state is the
    last ciphertext block it was given, so :meth:`decrypt` feeds the message's IV as one
    block ahead of its ciphertext and drops the first plaintext block: the result is
    exactly the CBC decryption under that IV, whatever came before.
    """

    __slots__ = ("_aes", "_decryptor", "_hmac")

    def __init__(self, key: bytes) -> None:
        mac = hmac.new(key, digestmod=hashlib.sha256)
        # CPython's hmac.HMAC wraps an OpenSSL HMAC object with the same copy, update
        # and digest methods: using it directly saves four Python calls per message.
        self._hmac: _Mac = getattr(mac, "_hmac", None) or mac
        self._aes = algorithms.AES(key[:32])
        self._decryptor: CipherContext | None = None  # created on first use

    def __repr__(self) -> str:
        return "PreparedKey(<redacted>)"

    def sign(self, head: bytes, padded_body: bytes = b"") -> bytes:
        """Return the HMAC-SHA256 of ``head`` followed by ``padded_body``."""
        mac = self._hmac.copy()
        mac.update(head)
        if padded_body:
            mac.update(padded_body)
        return mac.digest()

    def cipher(self, iv: bytes) -> Cipher[modes.CBC]:
        """Return a fresh AES-256-CBC cipher with the first 16 bytes of ``iv``."""
        if len(iv) < BLOCK:
            raise MieleSecurityError("signature is too short to serve as the AES IV")
        return Cipher(self._aes, modes.CBC(iv[:BLOCK]))

    def decrypt(self, iv: bytes, ciphertext: bytes) -> bytes:
        """AES-256-CBC decrypt whole blocks under the first 16 bytes of ``iv``."""
        if len(iv) < BLOCK:
            raise MieleSecurityError("signature is too short to serve as the AES IV")
        if len(ciphertext) % BLOCK:
            raise MieleProtocolError(
                "encrypted body is not a whole number of AES blocks"
            )
        decryptor = self._decryptor
        if decryptor is None:
            decryptor = Cipher(self._aes, modes.CBC(bytes(BLOCK))).decryptor()
            self._decryptor = decryptor
        return decryptor.update(iv[:BLOCK] + ciphertext)[BLOCK:]

    def open_response(
        self,
        status: int,
        content_type: str,
        date: str,
        signature: bytes,
        ciphertext: bytes,
    ) -> bytes:
        """Decrypt and verify a response (see :func:`open_response`)."""
        if len(ciphertext) % BLOCK:
            raise MieleSecurityError(
                "response body is not a whole number of AES blocks (not validly signed)"
            )
        padded = self.decrypt(signature, ciphertext) if ciphertext else b""
        expected = self.sign(response_head(status, content_type, date), padded)
        if not signatures_match(expected, signature):
            raise MieleSecurityError("response signature does not match")
        return unpad(padded)


def prepare(key: bytes | PreparedKey) -> PreparedKey:
    """Return ``key`` set up for signing and AES (a :class:`PreparedKey` passes as is)."""
    return key if isinstance(key, PreparedKey) else PreparedKey(key)


class HttpDate:
    """The HTTP ``Date`` header text for now, formatted at most once per second.

    The clock is read on every call, so the text is never stale: a new second formats anew.
    """

    __slots__ = ("_clock", "_second", "_text")

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._second = -1
        self._text = ""

    def __call__(self) -> str:
        """Return the header text for the current second."""
        second = int(self._clock())
        if second != self._second:
            self._text = formatdate(second, usegmt=True)
            self._second = second
        return self._text


def request_head(
    method: str,
    host: str,
    path_and_query: str,
    content_type: str,
    accept: str,
    date: str,
) -> bytes:
    """Build the header lines a request signature covers, before the padded body."""
    return (
        f"{method}\n{host}{path_and_query}\n{content_type}\n{accept}\n{date}\n".encode()
    )


def request_text(
    method: str,
    host: str,
    path_and_query: str,
    content_type: str,
    accept: str,
    date: str,
    padded_body: bytes,
) -> bytes:
    """Build the text a request signature covers (headers not sent are empty strings)."""
    return (
        request_head(method, host, path_and_query, content_type, accept, date)
        + padded_body
    )


def response_head(status: int, content_type: str, date: str) -> bytes:
    """Build the header lines a response signature covers, before the padded body."""
    return f"{status}\n{content_type}\n{date}\n".encode()


def response_text(
    status: int, content_type: str, date: str, padded_body: bytes
) -> bytes:
    """Build the text a response signature covers (the body keeps its padding)."""
    return response_head(status, content_type, date) + padded_body


def pad_json(body: bytes) -> bytes:
    """Pad a JSON object with spaces before its final ``}``: at least 64 bytes, multiple of 16."""
    if not body:
        return body
    target = max(MIN_JSON_BODY, -(-len(body) // BLOCK) * BLOCK)
    fill = b" " * (target - len(body))
    end = body.rfind(b"}")
    if end == -1 or body[end + 1 :].strip():
        return body + fill
    return body[:end] + fill + body[end:]


def pad_binary(body: bytes) -> bytes:
    """Pad a body with spaces appended at the end to a multiple of 16."""
    return body + b" " * (-len(body) % BLOCK)


def unpad(plaintext: bytes) -> bytes:
    """Strip the trailing spaces and NULs a decrypted body carries."""
    return plaintext.rstrip(b" \x00")


def encrypt(key: bytes | PreparedKey, iv: bytes, padded: bytes) -> bytes:
    """AES-256-CBC encrypt an already padded body (no PKCS#7)."""
    if len(padded) % BLOCK:
        raise ValueError("body must be padded to a multiple of 16 bytes")
    encryptor = prepare(key).cipher(iv).encryptor()
    return encryptor.update(padded) + encryptor.finalize()


def decrypt(key: bytes | PreparedKey, iv: bytes, ciphertext: bytes) -> bytes:
    """AES-256-CBC decrypt; the result keeps its padding."""
    return prepare(key).decrypt(iv, ciphertext)


def format_authorization(group_id: str, signature: bytes) -> str:
    """Return ``MieleH256 <GROUPID>:<SIG>`` with upper-case hex."""
    return f"{AUTH_SCHEME} {group_id.upper()}:{signature.hex().upper()}"


def parse_authorization(value: str | None) -> tuple[str, bytes]:
    """Split a ``MieleH256 <GROUPID>:<SIG>`` header into the 16-hex group id and raw signature.

    ``SIG`` is 64 hex characters, or 63 ending the header: a signature whose hex begins
    with ``0`` written without it gets it back (asyncmiele left-pads an odd-length
    signature hex, and ha-miele-at-lan and ioBroker.miele-unbound copied it; no module
    was seen sending one). Followed by whitespace, 63 are refused, as the client's
    shortcut for its own group refuses them.
    """
    if not value:
        raise MieleSecurityError("response is not signed")
    scheme, _, rest = value.strip().partition(" ")
    group_id, _, sig_hex = rest.strip().partition(":")
    if (
        scheme != AUTH_SCHEME
        or len(group_id) != GROUP_ID_LENGTH
        or not _HEX.issuperset(group_id)
    ):
        raise MieleSecurityError("signature header is malformed")
    if len(sig_hex) == _SIGNATURE_HEX - 1 and value.endswith(sig_hex):
        sig_hex = "0" + sig_hex  # any non-hex character is refused below
    return group_id.upper(), signature_from_hex(sig_hex)


def signature_from_hex(sig_hex: str) -> bytes:
    """Return the raw 32-byte signature written as 64 hex characters."""
    try:
        signature = bytes.fromhex(sig_hex)
    except ValueError:
        signature = b""
    # fromhex skips whitespace: both lengths are checked.
    if len(sig_hex) != _SIGNATURE_HEX or len(signature) != 32:
        raise MieleSecurityError("signature header is malformed")
    return signature


def signatures_match(expected: bytes, received: bytes) -> bool:
    """Compare two signatures in constant time."""
    return hmac.compare_digest(expected, received)


def seal_request(
    key: bytes | PreparedKey,
    method: str,
    host: str,
    path_and_query: str,
    content_type: str,
    accept: str,
    date: str,
    body: bytes,
    *,
    binary: bool = False,
) -> tuple[bytes, bytes]:
    """Pad, sign and encrypt a request; return ``(signature, encrypted body)``."""
    padded = pad_binary(body) if binary else pad_json(body)
    prepared = prepare(key)
    signature = prepared.sign(
        request_head(method, host, path_and_query, content_type, accept, date), padded
    )
    return signature, encrypt(prepared, signature, padded) if padded else b""


def seal_response(
    key: bytes, status: int, content_type: str, date: str, body: bytes
) -> tuple[bytes, bytes]:
    """Pad (spaces appended), sign and encrypt a response; return ``(signature, ciphertext)``."""
    padded = pad_binary(body)
    signature = hmac_sha256(key, response_text(status, content_type, date, padded))
    return signature, encrypt(key, signature, padded) if padded else b""


def open_response(
    key: bytes | PreparedKey,
    status: int,
    content_type: str,
    date: str,
    signature: bytes,
    ciphertext: bytes,
) -> bytes:
    """Decrypt and verify a response; return the body without padding.

    Raises :class:`MieleSecurityError` when the signature does not match, including a
    body that is not a whole number of AES blocks (no signed response has one).
    """
    return prepare(key).open_response(status, content_type, date, signature, ciphertext)


def open_request(
    key: bytes,
    method: str,
    host: str,
    path_and_query: str,
    content_type: str,
    accept: str,
    date: str,
    signature: bytes,
    ciphertext: bytes,
) -> bytes:
    """Device side: decrypt and verify a signed request; return the body without padding."""
    padded = decrypt(key, signature, ciphertext) if ciphertext else b""
    text = request_text(
        method, host, path_and_query, content_type, accept, date, padded
    )
    if not signatures_match(hmac_sha256(key, text), signature):
        raise MieleSecurityError("request signature does not match")
    return unpad(padded)
