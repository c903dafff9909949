"""Constants of the Miele Local integration."""

from __future__ import annotations

import logging
from typing import Final

DOMAIN: Final = "miele_local"
LOGGER = logging.getLogger(__package__)

CONF_GROUP_ID: Final = "group_id"
CONF_GROUP_KEY: Final = "group_key"
CONF_DEVICE_ID: Final = "device_id"

CONF_SCAN_INTERVAL: Final = "scan_interval"
CONF_TIMEOUT: Final = "timeout"
CONF_RETRIES: Final = "retries"
CONF_PUSH: Final = "push"
CONF_PUSH_PORT: Final = "push_port"

DEFAULT_SCAN_INTERVAL: Final = 30
DEFAULT_TIMEOUT: Final = 10
DEFAULT_RETRIES: Final = 3
DEFAULT_PUSH_PORT: Final = 18082

SETUP_TIMEOUT: Final = 10.0
"""Upper bound in seconds for each read until the first State (Ident, then State), reset
detection included, so setup never holds Home Assistant's start for long."""
