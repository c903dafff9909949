"""A simulated Miele Wi-Fi module for tests, development and benchmarks."""

from .appliances import APPLIANCES
from .device import Fault, RequestRecord, SimulatedAppliance
from .fleet import SimulatedFleet
from .history import HISTORY_LIMIT, History

__all__ = [
    "APPLIANCES",
    "HISTORY_LIMIT",
    "Fault",
    "History",
    "RequestRecord",
    "SimulatedAppliance",
    "SimulatedFleet",
]
