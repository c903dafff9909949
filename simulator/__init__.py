"""A simulated Miele Wi-Fi module for tests, development and benchmarks."""

from .appliances import APPLIANCES
from .device import RequestRecord, SimulatedAppliance
from .faults import Fault
from .fleet import SimulatedFleet
from .history import HISTORY_LIMIT, History
from .variants import Variant

__all__ = [
    "APPLIANCES",
    "HISTORY_LIMIT",
    "Fault",
    "History",
    "RequestRecord",
    "SimulatedAppliance",
    "SimulatedFleet",
    "Variant",
]
