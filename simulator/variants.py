"""Firmware variants a simulated module can combine (non-exclusive, unlike faults).

Each variant is a way real modules were reported to answer differently from the default;
its source is named where it is defined.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .appliances import JsonObject

TIME_FIELDS = ("RemainingTime", "ElapsedTime", "StartTime")
WAITING_FOR_APP_STATUS = 12


class Variant(StrEnum):
    """Switchable answer shapes of real modules."""

    PLAIN_MINUTES = "plain_minutes"
    """
    Times as a plain integer of minutes (``"RemainingTime": 10``) instead of ``[h, m]``.

    Reported in ha-miele-at-lan issue #31 (TWD640WP dryer, WWD380 washer).
    """
    WAITING_FOR_APP = "waiting_for_app"
    """
    After commissioning, State reports Status 12 until the signed confirmation PUT.

    Protocol reference "Commissioning"; an H2465BP reported Status 12 right after
    provisioning in MieleRESTServer issue #11.
    """
    UNSIGNED_204 = "unsigned_204"
    """
    204 answers carry no ``X-Signature``.

    No capture shows either way; every peer client (asyncmiele, ha-miele-at-lan,
    MieleRESTServer, ioBroker.miele-local) accepts an unsigned 204.
    """
    EMBEDDED_IDENT = "embedded_ident"
    """
    ``GET /Devices/`` embeds each Ident (``{"href", "Group", "Ident"}``), the shape a 2022
    client (home-assistant-miele-mobile) and asyncmiele also accept.
    """
    EMPTY_IDENT = "empty_ident"
    """
    The Ident document is answered as ``{}`` (the ``GET /Devices/`` listing is unchanged).

    An EK039W hood's Ident was empty on the first read after start-up: ha-miele-at-lan
    ``tests/test_ident_setup_gate.py`` (commit eea027b).
    """
    START_IGNORED = "start_ignored"
    """
    A Start (``{"ProcessAction": 1}``) is answered 204 and changes nothing.

    A G7310 dishwasher (EK057) took Start with "no error, no effect" while pause, resume
    and stop worked: ha-miele-at-lan issue #16. Recorded in ``actions`` like any 204.
    """
    SHORT_SIGNATURE_HEX = "short_signature_hex"
    """
    An ``X-Signature`` hex that begins with ``0`` is sent without it (63 characters).

    No module was seen sending one; asyncmiele (``api/client.py``) left-pads an odd-length
    signature hex with ``0``, and ha-miele-at-lan and ioBroker.miele-unbound copied it.
    """


def parse_variant(name: str) -> Variant:
    """Return the variant called ``name``; ValueError naming the valid ones."""
    try:
        return Variant(name)
    except ValueError:
        valid = ", ".join(variant.value for variant in Variant)
        raise ValueError(f"unknown variant {name!r}; choose one of {valid}") from None


def plain_minutes(state: JsonObject) -> JsonObject:
    """Return ``state`` with every ``[hours, minutes]`` time as a plain integer of minutes."""
    for name in TIME_FIELDS:
        value = state.get(name)
        if isinstance(value, list) and len(value) == 2:
            hours, minutes = value
            state[name] = hours * 60 + minutes
    return state


def short_signature_hex(header: str) -> str | None:
    """Return ``header`` with the leading ``0`` of its signature hex dropped, else None."""
    head, colon, sig_hex = header.rpartition(":")
    if not colon or not sig_hex.startswith("0"):
        return None
    return f"{head}:{sig_hex[1:]}"
