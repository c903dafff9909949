"""
Fixtures of the library's tests, which also run with only the library installed.

There (``tests/test_library_standalone.py``) neither Home Assistant nor its test plugin is
present: ``socket_enabled`` is then a no-op, and the tests that compare with Home Assistant
core or read the integration's files are skipped.
"""

from __future__ import annotations

from importlib.util import find_spec
from typing import TYPE_CHECKING, Any

import pytest

from mielelocal.credentials import GroupCredentials
from simulator import SimulatedAppliance

if TYPE_CHECKING:
    from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable
    from pathlib import Path

    type SimulatorFactory = Callable[..., Awaitable[SimulatedAppliance]]

TEST_GROUP_ID = "0123456789ABCDEF"
TEST_GROUP_KEY = bytes.fromhex("5A" * 32 + "C3" * 32)
TEST_FAB_NUMBER = "000177753917"

HOME_ASSISTANT = find_spec("homeassistant") is not None
NEEDS_HOME_ASSISTANT_MODULES = {"test_codes_core.py"}
NEEDS_HOME_ASSISTANT_TESTS = {
    "test_capabilities.py::test_home_assistant_side_asks_the_library"
}
SKIP_REASON = "compares with Home Assistant, which is not installed"


class _WithoutHomeAssistant(pytest.Module):
    """A module that reads Home Assistant's files while collected, where it is absent."""

    def collect(self) -> Iterable[pytest.Item | pytest.Collector]:
        pytest.skip(SKIP_REASON)


def pytest_pycollect_makemodule(
    module_path: Path, parent: pytest.Collector
) -> pytest.Module | None:
    """Collect the modules that need Home Assistant as skipped when it is absent."""
    if HOME_ASSISTANT or module_path.name not in NEEDS_HOME_ASSISTANT_MODULES:
        return None
    module: pytest.Module = _WithoutHomeAssistant.from_parent(parent, path=module_path)
    return module


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Skip the single tests that need Home Assistant when it is absent."""
    if HOME_ASSISTANT:
        return
    for item in items:
        if f"{item.path.name}::{item.name}" in NEEDS_HOME_ASSISTANT_TESTS:
            item.add_marker(pytest.mark.skip(reason=SKIP_REASON))


if find_spec("pytest_socket") is None:

    @pytest.fixture
    def socket_enabled() -> None:
        """Without Home Assistant's test plugin nothing blocks sockets."""


@pytest.fixture
def credentials() -> GroupCredentials:
    """The household key the simulated appliance is paired with."""
    return GroupCredentials(TEST_GROUP_ID, TEST_GROUP_KEY)


@pytest.fixture
def appliance_type() -> str:
    """Appliance the `simulator` fixture simulates (override or parametrize)."""
    return "washer"


@pytest.fixture
def simulator_speed() -> float:
    """Simulated seconds per real second for programme countdowns."""
    return 10.0


@pytest.fixture
async def simulator_factory(
    socket_enabled: None, simulator_speed: float
) -> AsyncGenerator[SimulatorFactory]:
    """Start simulated appliances on 127.0.0.1; all are stopped at teardown."""
    started: list[SimulatedAppliance] = []

    async def start(appliance: str = "washer", **kwargs: Any) -> SimulatedAppliance:
        kwargs.setdefault("speed", simulator_speed)
        kwargs.setdefault("wake_delay", 0.05)
        sim = SimulatedAppliance(appliance, host="127.0.0.1", **kwargs)
        await sim.start()
        started.append(sim)
        return sim

    yield start
    for sim in reversed(started):
        await sim.stop()


@pytest.fixture
async def simulator(
    simulator_factory: SimulatorFactory,
    appliance_type: str,
    credentials: GroupCredentials,
) -> SimulatedAppliance:
    """One paired appliance with a fixed FabNumber and the test key."""
    return await simulator_factory(
        appliance_type, credentials=credentials, fab_number=TEST_FAB_NUMBER
    )
