"""Constants of the Miele Local integration."""

from __future__ import annotations

import logging
from typing import Final

DOMAIN: Final = "miele_local"
LOGGER = logging.getLogger(__package__)

CONF_GROUP_ID: Final = "group_id"
CONF_GROUP_KEY: Final = "group_key"
CONF_DEVICE_ID: Final = "device_id"

CONF_PUSH: Final = "push"
"""Option: receive the appliance's pushes (experimental); off by default."""
CONF_PUSH_PORT: Final = "push_port"
"""Option: the TCP port of the push listener (one per Home Assistant)."""

DEFAULT_TIMEOUT: Final = 10
"""Seconds to wait for one answer of the appliance."""
DEFAULT_RETRIES: Final = 3
"""Retries of a failed read before the appliance counts as unavailable (never of actions)."""
READ_NOW_COOLDOWN: Final = 1.0
"""Seconds after a requested read during which further requests coalesce into one."""
DEFAULT_PUSH_PORT: Final = 18082

WAKE_ROUNDS: Final = 2
"""Wake-ups the connection manager tries on a sleeping module (its ``wake_attempts``)."""
WAKE_DELAY: Final = 3.0
"""Seconds a module gets after a wake-up (the manager's ``wake_delay``)."""
MDNS_LOOKUP_ALLOWANCE: Final = 3.0
"""Seconds the diagnosis of a refused key may spend asking mDNS."""

OFF_CONFIRM_DELAY: Final = 5.0
"""Seconds after a suspicious Off sample until the confirming State read."""


def setup_budget(timeout: float) -> float:
    """Upper bound in seconds for each read until the first State (Ident, then State).

    Room for a sleeping module: the timed-out read, an unsigned probe, then per wake-up
    the wait and one more read; plus asking mDNS when the key is refused. Setup never
    holds Home Assistant's start for longer.
    """
    return (
        timeout * (WAKE_ROUNDS + 2) + WAKE_DELAY * WAKE_ROUNDS + MDNS_LOOKUP_ALLOWANCE
    )
