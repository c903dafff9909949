"""The fault modes of a simulated module: exclusive, switched with ``set_fault`` at any time.

Each mode names the report it reproduces; modes without one are plain transport failures.
"""

from __future__ import annotations

from enum import StrEnum


class Fault(StrEnum):
    """Faults a simulated module can be switched into at any time (one at a time)."""

    NONE = "none"
    OFFLINE = "offline"
    """Port closed: connections refused, open ones dropped."""
    TIMEOUT = "timeout"
    """Accepts every request and never answers."""
    SLEEP = "sleep"
    """Signed requests 500 until woken by ``DeviceAction`` 2 (ha-miele-at-lan #16, G7310)."""
    ERROR500 = "error500"
    BAD_SIGNATURE = "bad_signature"
    GARBAGE = "garbage"
    """Validly signed plaintext that is not JSON."""
    RESET = "reset"
    """Pairing forgotten: signed requests 403, commissioning open."""
    NO_KEY = "no_key"
    """
    No household key: signed requests 404, mDNS ``group`` empty, commissioning open.

    Reported in ha-miele-at-lan issue #28 (WTW870): "Only the local path was dead".
    """
    DEEP_STANDBY = "deep_standby"
    """
    A signed read of State answers 200 with every field zeroed (``StandbyState`` 0); other
    reads answer normally; writes 500 until woken by ``DeviceAction`` 2.

    Reported in ha-miele-at-lan issue #16 and its standby-state test (G7310 dishwasher).
    """
    BUSY = "busy"
    """503 to every signed request (ioBroker.miele-local developer log, WCR860)."""
    BUSY_SILENT = "busy_silent"
    """
    Signed requests are never answered while unsigned ones (``GET /``) still are.

    Busy but awake: ha-miele-at-lan issue #16 (DOP2 reads time out while the module
    answers) and the ioBroker.miele-local developer log (WCR860).
    """


FORGETS_PAIRING = frozenset({Fault.RESET, Fault.NO_KEY})
"""Faults under which the module holds no pairing (commissioning is open)."""
WAKES_UP = frozenset({Fault.SLEEP, Fault.DEEP_STANDBY})
"""Faults that end ``wake_delay`` seconds after a ``DeviceAction`` 2 write."""


def parse_fault(mode: str) -> Fault:
    """Return the fault named ``mode``; ValueError naming the valid ones."""
    try:
        return Fault(mode)
    except ValueError:
        valid = ", ".join(fault.value for fault in Fault)
        raise ValueError(f"unknown fault {mode!r}; choose one of {valid}") from None
