"""The one exception hierarchy of the Miele local library.

Every error the library raises derives from :class:`MieleError`. Messages never contain
the group key.
"""

from __future__ import annotations


class MieleError(Exception):
    """Base of every error raised by this library."""


class MieleConfigError(MieleError, ValueError):
    """Invalid configuration: malformed host, GroupID, GroupKey or profile field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class MieleConnectionError(MieleError):
    """The appliance could not be reached (refused, unreachable, reset connection)."""


class MieleTimeoutError(MieleConnectionError):
    """The appliance did not answer in time."""


class MieleAuthError(MieleError):
    """The appliance refused the request: wrong key, lost pairing or writes disabled.

    ``status`` is 401 or 403, or 404 for a signed read of an appliance document
    (``/Devices/``, Ident, State) from a module that does not know the household key.
    """

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class MieleSecurityError(MieleError):
    """A response was unsigned or its signature did not verify; its body was not parsed."""


class MieleProtocolError(MieleError):
    """A response could not be understood: garbage, oversized, wrong shape."""


class MieleResponseError(MieleError):
    """The appliance answered with an unexpected HTTP status (400, 404, 500, ...)."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class MieleBusyError(MieleResponseError):
    """The module answered 503: busy now, worth asking again a little later."""

    def __init__(self, message: str, status: int = 503) -> None:
        super().__init__(message, status)


class MieleCommissioningError(MieleError):
    """Commissioning was refused (the appliance is already paired) or is not supported.

    ``status`` is the HTTP answer: 403 already paired, 404 not in setup mode (or not
    supported), None when unknown.
    """

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class DeviceSleepError(MieleConnectionError):
    """The appliance's network module stayed asleep after wake-up attempts."""


class ConnectionLostError(MieleConnectionError):
    """Retries were exhausted without reaching the appliance."""


class ReconnectionError(MieleConnectionError):
    """A client for the appliance could not be re-created."""


class ConnectionPoolExhaustedError(MieleConnectionError):
    """No connection slot became free in time."""


class ConnectionHealthError(MieleError):
    """A health check could not be run or the health monitor was misused."""


class DeviceResetError(MieleError):
    """A factory reset was detected and could not be recovered automatically."""
