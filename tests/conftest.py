"""Shared fixtures: a simulated appliance on 127.0.0.1 and a config entry pointing at it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable, Coroutine, Generator
from functools import partial
import time
from typing import TYPE_CHECKING, Any
from unittest.mock import PropertyMock, patch

from homeassistant.const import CONF_HOST, Platform
from homeassistant.helpers.entity import Entity
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.syrupy import HomeAssistantSnapshotExtension
from zeroconf import IPVersion

from custom_components.miele_local import PLATFORMS, manager as integration_manager
from custom_components.miele_local.advertisement import Advertisement
from custom_components.miele_local.const import (
    CONF_DEVICE_ID,
    CONF_GROUP_ID,
    CONF_GROUP_KEY,
    DOMAIN,
)
from mielelocal.connection.manager import ConnectionManager, TaskFactory
from simulator import SimulatedAppliance
from simulator.mdns import host_name

from .helpers import ENDLESS_TASKS, FROZEN_START
from .mdns import Advertiser
from .miele.conftest import (  # the library's fixtures, shared (see tests/miele/conftest.py)
    TEST_FAB_NUMBER,
    TEST_GROUP_ID,
    TEST_GROUP_KEY,
    appliance_type,
    credentials,
    simulator,
    simulator_factory,
    simulator_speed,
)

if TYPE_CHECKING:
    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant
    from syrupy.assertion import SnapshotAssertion

    from mielelocal.credentials import GroupCredentials


type SimulatorFactory = Callable[..., Awaitable[SimulatedAppliance]]

__all__ = [
    "TEST_FAB_NUMBER",
    "TEST_GROUP_ID",
    "TEST_GROUP_KEY",
    "appliance_type",
    "credentials",
    "simulator",
    "simulator_factory",
    "simulator_speed",
]


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(request: pytest.FixtureRequest) -> None:
    """Let Home Assistant load this custom integration in every test that uses `hass`."""
    if "hass" in request.fixturenames:
        request.getfixturevalue("enable_custom_integrations")


async def _skip_wait(_: float) -> None:
    """Stand-in for the manager's backoff and wake-up sleeps (works under `freezer`)."""
    await asyncio.sleep(0)


def _test_manager(
    *args: Any, create_task: TaskFactory, **options: Any
) -> ConnectionManager:
    """A manager that retries without waiting; its endless tasks go to ENDLESS_TASKS."""

    def create_endless_task(
        coro: Coroutine[Any, Any, None], name: str
    ) -> asyncio.Task[None]:
        task = create_task(coro, name)
        ENDLESS_TASKS.add(task)
        return task

    options.setdefault("sleep", _skip_wait)
    return ConnectionManager(*args, create_task=create_endless_task, **options)


@pytest.fixture(autouse=True)
def fast_connection_manager() -> Generator[None]:
    """Let the shared connection manager retry and wake without waiting."""
    with patch(
        "custom_components.miele_local.manager.ConnectionManager", _test_manager
    ):
        yield


@pytest.fixture(autouse=True)
def no_zeroconf_catcher() -> Generator[None]:
    """
    Never install Home Assistant's catcher of other Zeroconf instances.

    It stays on python-zeroconf's class after the test and would hand a test's mocked
    instance to later tests' real announcers.
    """
    with patch("homeassistant.components.zeroconf.install_multiple_zeroconf_catcher"):
        yield


@pytest.fixture(autouse=True)
def mdns_answers(request: pytest.FixtureRequest) -> Generator[dict[str, Advertisement]]:
    """
    What mDNS answers about each appliance address (nothing unless a test adds it).

    Frozen-clock tests cannot wait for multicast, so their answers are injected here.
    Tests that use `advertiser` ask real mDNS instead: Home Assistant's zeroconf on
    127.0.0.1, waiting up to two seconds for an answer.
    """
    answers: dict[str, Advertisement] = {}
    if "advertiser" in request.fixturenames:
        with (
            patch(
                "homeassistant.components.zeroconf._async_get_zc_args",
                return_value={
                    "interfaces": ["127.0.0.1"],
                    "ip_version": IPVersion.V4Only,
                },
            ),
            patch("custom_components.miele_local.advertisement.LOOKUP_TIMEOUT", 2),
        ):
            yield answers
        return

    async def answer(_: HomeAssistant, host: str) -> Advertisement:
        if host in answers:
            return answers[host]
        await asyncio.Event().wait()  # no answer: the lookup times out
        raise AssertionError  # never reached

    with (
        patch("custom_components.miele_local.advertisement._async_browse", answer),
        patch("custom_components.miele_local.advertisement.LOOKUP_TIMEOUT", 0),
    ):
        yield answers


def unpaired(simulator: SimulatedAppliance) -> Advertisement:
    """The advertisement of `simulator`'s module after a reset: no group, pairing open."""
    return Advertisement(
        host_name(simulator.device_id).lower().removesuffix("."),
        ("127.0.0.1",),
        simulator.port,
        "",
        pairing=True,
    )


@pytest.fixture
async def advertiser(socket_enabled: None) -> AsyncGenerator[Advertiser]:
    """Announce simulated appliances over mDNS on 127.0.0.1, like their modules do."""
    async with Advertiser() as advertiser:
        yield advertiser


def entry_data(
    host: str, device_id: str, credentials: GroupCredentials
) -> dict[str, str]:
    """The data a config entry stores for one appliance."""
    return {
        CONF_HOST: host,
        CONF_GROUP_ID: credentials.group_id,
        CONF_GROUP_KEY: credentials.group_key_hex,
        CONF_DEVICE_ID: device_id,
    }


@pytest.fixture
def mock_config_entry(
    simulator: SimulatedAppliance, credentials: GroupCredentials
) -> MockConfigEntry:
    """A config entry for the simulated appliance (not yet added to hass)."""
    return MockConfigEntry(
        domain=DOMAIN,
        title=f"Miele {simulator.device_id}",
        unique_id=simulator.device_id,
        data=entry_data(simulator.host, simulator.device_id, credentials),
        version=1,
        minor_version=2,
    )


@pytest.fixture
def platforms() -> list[Platform]:
    """Platforms `init_integration` sets up (override to test one platform)."""
    return PLATFORMS


@pytest.fixture
async def init_integration(
    hass: HomeAssistant, mock_config_entry: MockConfigEntry, platforms: list[Platform]
) -> AsyncGenerator[MockConfigEntry]:
    """Set up the integration for the simulated appliance and return its entry."""
    mock_config_entry.add_to_hass(hass)
    with patch("custom_components.miele_local.PLATFORMS", platforms):
        await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
        yield mock_config_entry


@pytest.fixture
def snapshot(snapshot: SnapshotAssertion) -> SnapshotAssertion:
    """Serialise Home Assistant objects without their random ids."""
    return snapshot.use_extension(HomeAssistantSnapshotExtension)


@pytest.fixture
def entity_registry_enabled_by_default() -> Generator[None]:
    """Create entities that are disabled by default enabled."""
    with patch.object(
        Entity,
        "entity_registry_enabled_default",
        new_callable=PropertyMock,
        return_value=True,
    ):
        yield


@pytest.fixture
def frozen_start(freezer: FrozenDateTimeFactory) -> None:
    """Start the frozen clock at FROZEN_START."""
    freezer.move_to(FROZEN_START)


@pytest.fixture
def frozen_clock(freezer: FrozenDateTimeFactory) -> Generator[None]:
    """Freeze time; the connection manager times requests with the frozen clock."""
    # time.monotonic is freezegun's while the freezer runs: request times are exact.
    manager = partial(integration_manager.ConnectionManager, clock=time.monotonic)
    with patch.object(integration_manager, "ConnectionManager", manager):
        yield


@pytest.fixture
def frozen_sleep(freezer: FrozenDateTimeFactory, frozen_clock: None) -> Generator[None]:
    """Like `frozen_clock`, and the manager's sleeps advance the frozen clock."""

    async def sleep(delay: float) -> None:
        freezer.tick(delay)

    manager = partial(integration_manager.ConnectionManager, sleep=sleep)
    with patch.object(integration_manager, "ConnectionManager", manager):
        yield
