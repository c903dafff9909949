"""A simulated Miele Wi-Fi module for tests, development and benchmarks."""

from .appliances import APPLIANCES
from .device import Fault, RequestRecord, SimulatedAppliance
from .fleet import SimulatedFleet

__all__ = [
    "APPLIANCES",
    "Fault",
    "RequestRecord",
    "SimulatedAppliance",
    "SimulatedFleet",
]
