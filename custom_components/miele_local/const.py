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

DEFAULT_TIMEOUT: Final = 10
"""Seconds to wait for one answer of the appliance."""
DEFAULT_RETRIES: Final = 3
"""Retries of a failed read before the appliance counts as unavailable (never of actions)."""
READ_NOW_COOLDOWN: Final = 1.0
"""Seconds after a requested read during which further requests coalesce into one."""

SETUP_TIMEOUT: Final = 10.0
"""Upper bound in seconds for each read until the first State (Ident, then State), reset
detection included, so setup never holds Home Assistant's start for long."""
