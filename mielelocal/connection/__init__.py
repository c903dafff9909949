"""The connection layer: keeps appliances reachable through flaky Wi-Fi, sleep and resets.

:class:`ConnectionManager` owns one :class:`ConnectionPool` (per-host serialisation), one
:class:`ConnectionHealthMonitor` and one :class:`DeviceResetter`.
"""

from .health import (
    ConnectionHealthMonitor,
    ConnectionState,
    DeviceHealth,
    HealthThresholds,
    error_kind,
)
from .manager import ConnectionManager, Jitter, backoff_delay, is_retryable
from .pool import ConnectionPool, PoolStatistics
from .profile import (
    ConnectionConfig,
    ConnectionSettings,
    DeviceProfile,
    SimulatorOptions,
    load_connection_config,
)
from .reset import RESET_INSTRUCTIONS, DeviceResetter, ResetEvidence

__all__ = [
    "RESET_INSTRUCTIONS",
    "ConnectionConfig",
    "ConnectionHealthMonitor",
    "ConnectionManager",
    "ConnectionPool",
    "ConnectionSettings",
    "ConnectionState",
    "DeviceHealth",
    "DeviceProfile",
    "DeviceResetter",
    "HealthThresholds",
    "Jitter",
    "PoolStatistics",
    "ResetEvidence",
    "SimulatorOptions",
    "backoff_delay",
    "error_kind",
    "is_retryable",
    "load_connection_config",
]
