"""Sensor platform: snapshots per appliance type, finish-time estimate, odd State values."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from homeassistant.const import STATE_UNKNOWN, Platform
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    snapshot_platform,
)

from custom_components.miele_local.sensor import SENSORS
from mielelocal.models import Ident, State

from .helpers import APPLIANCES, poll, wait_idle

if TYPE_CHECKING:
    from freezegun.api import FrozenDateTimeFactory
    from homeassistant.core import HomeAssistant
    from syrupy.assertion import SnapshotAssertion

    from simulator import SimulatedAppliance

HALF_A_MINUTE = timedelta(seconds=30)

pytestmark = pytest.mark.usefixtures("frozen_start", "frozen_clock")


@pytest.fixture
def platforms() -> list[Platform]:
    """Set up only the sensor platform."""
    return [Platform.SENSOR]


@pytest.fixture
def simulator_speed() -> float:
    """Keep programme countdowns still while a test runs."""
    return 0.001


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
@pytest.mark.parametrize("appliance_type", APPLIANCES)
async def test_snapshot(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    snapshot: SnapshotAssertion,
    init_integration: MockConfigEntry,
) -> None:
    await wait_idle(hass)  # the Wi-Fi sensor's first read runs in the background
    await snapshot_platform(hass, entity_registry, snapshot, init_integration.entry_id)


async def test_push_sensor_is_disabled_by_default(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    init_integration: MockConfigEntry,
) -> None:
    """The push state is a diagnostic few need: registered, disabled until enabled."""
    entity_id = "sensor.miele_000177753917_push"
    registered = entity_registry.async_get(entity_id)
    assert registered is not None
    assert registered.disabled_by is er.RegistryEntryDisabler.INTEGRATION
    assert hass.states.get(entity_id) is None


async def test_finish_time_is_steady(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatedAppliance,
    init_integration: MockConfigEntry,
) -> None:
    entity_id = "sensor.miele_000177753917_finish_time"
    assert hass.states.get(entity_id).state == "2026-05-04T12:55:00+00:00"

    # 30 s later the appliance still reports 55 minutes: under a minute of drift is kept.
    await poll(hass, freezer, HALF_A_MINUTE)
    assert hass.states.get(entity_id).state == "2026-05-04T12:55:00+00:00"

    # Another 30 s with the same remaining time: the estimate moved a minute or more.
    await poll(hass, freezer, HALF_A_MINUTE)
    assert hass.states.get(entity_id).state == "2026-05-04T12:56:00+00:00"

    simulator.update_state(RemainingTime=[1, 30])
    await poll(hass, freezer, HALF_A_MINUTE)
    assert hass.states.get(entity_id).state == "2026-05-04T13:32:00+00:00"

    simulator.update_state(Status=7, RemainingTime=[0, 0])
    await poll(hass, freezer, HALF_A_MINUTE)
    assert hass.states.get(entity_id).state == STATE_UNKNOWN
    assert hass.states.get("sensor.miele_000177753917_status").state == "end_programmed"


@pytest.mark.parametrize("appliance_type", ["tumble_dryer"])
async def test_unknown_codes_and_odd_values(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatedAppliance,
    init_integration: MockConfigEntry,
) -> None:
    simulator.update_state(
        Status=99,
        ProgramID=4242,
        ProgramPhase=4242,
        DryingStep=42,
        ElapsedTime=[0, 5],
        RemainingTime=[0, 0],
    )
    await poll(hass, freezer)

    for key in ("status", "programme", "programme_phase", "drying_step", "finish_time"):
        state = hass.states.get(f"sensor.miele_000177753917_{key}")
        assert state.state == STATE_UNKNOWN, key
    assert hass.states.get("sensor.miele_000177753917_elapsed_time").state == "5"

    simulator.update_state(
        Status=5, ProgramID="cottons", DryingStep=None, RemainingTime=[0, 30]
    )
    await poll(hass, freezer)
    assert hass.states.get("sensor.miele_000177753917_status").state == "running"
    assert hass.states.get("sensor.miele_000177753917_programme").state == STATE_UNKNOWN
    assert (
        hass.states.get("sensor.miele_000177753917_drying_step").state == STATE_UNKNOWN
    )


@pytest.mark.parametrize("appliance_type", ["oven"])
async def test_temperature_without_reading(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatedAppliance,
    init_integration: MockConfigEntry,
) -> None:
    simulator.update_state(
        TargetTemperature=[-32768, -32768, -32768], Temperature="hot", ProgramPhase=None
    )
    await poll(hass, freezer)

    for key in ("target_temperature", "temperature", "programme_phase"):
        state = hass.states.get(f"sensor.miele_000177753917_{key}")
        assert state.state == STATE_UNKNOWN, key
    assert hass.states.get("sensor.miele_000177753917_temperature_zone_2") is None


async def test_detailed_health_sensors_are_disabled_by_default(
    hass: HomeAssistant,
    entity_registry: er.EntityRegistry,
    init_integration: MockConfigEntry,
) -> None:
    """Only the connection state is on by default; the detailed figures are opt-in."""
    for key in (
        "response_time",
        "consecutive_failures",
        "last_successful_contact",
        "success_ratio",
        "reconnects",
    ):
        entity_id = f"sensor.miele_000177753917_{key}"
        entry = entity_registry.async_get(entity_id)
        assert entry is not None, key
        assert entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION, key
        assert hass.states.get(entity_id) is None, key
    state = hass.states.get("sensor.miele_000177753917_connection_state")
    assert state.state == "healthy"


@pytest.mark.parametrize(
    ("appliance_type", "present", "absent"),
    [
        ("oven_off", {"temperature", "core_temperature"}, {"temperature_zone_2"}),
        (
            "fridge_freezer",
            {"temperature", "temperature_zone_2", "target_temperature_zone_2"},
            {"temperature_zone_3", "core_temperature"},
        ),
        (
            "wine_cabinet",
            {"temperature_zone_2", "temperature_zone_3", "target_temperature_zone_3"},
            {"core_temperature"},
        ),
        ("hob", set(), {"temperature", "target_temperature"}),
    ],
)
async def test_zones_decided_by_type(
    hass: HomeAssistant,
    init_integration: MockConfigEntry,
    present: set[str],
    absent: set[str],
) -> None:
    """Zones exist by appliance type, whatever the first State reports."""
    for key in present:
        assert hass.states.get(f"sensor.miele_000177753917_{key}") is not None, key
    for key in absent:
        assert hass.states.get(f"sensor.miele_000177753917_{key}") is None, key


@pytest.mark.parametrize("appliance_type", ["oven"])
async def test_core_temperature_from_the_second_zone(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatedAppliance,
    init_integration: MockConfigEntry,
) -> None:
    assert (
        hass.states.get("sensor.miele_000177753917_core_temperature").state
        == STATE_UNKNOWN
    )
    simulator.update_state(
        TargetTemperature=[18000, 6500, -32768], Temperature=[17550, 4210, -32768]
    )
    await poll(hass, freezer)
    assert hass.states.get("sensor.miele_000177753917_core_temperature").state == "42.1"
    assert (
        hass.states.get("sensor.miele_000177753917_core_target_temperature").state
        == "65.0"
    )


def test_robot_vacuum_battery() -> None:
    """The battery level of a robot vacuum (no simulated robot: the description itself)."""
    battery = next(d for d in SENSORS if d.key == "battery")
    ident = Ident.from_json(
        {"DeviceType": 23, "DeviceIdentLabel": {"FabNumber": "000123456789"}}
    )
    assert battery.exists_fn(ident, State.from_json({}))
    assert battery.value_fn(State.from_json({"BatteryLevel": 87}), ident) == 87
    assert battery.value_fn(State.from_json({"BatteryLevel": "full"}), ident) is None


@pytest.mark.parametrize("appliance_type", ["dishwasher"])
async def test_delayed_start(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatedAppliance,
    init_integration: MockConfigEntry,
) -> None:
    """Waiting to start: the delay, when the programme starts, and its programme type."""
    start = "sensor.miele_000177753917_start"
    assert hass.states.get(start).state == STATE_UNKNOWN  # no delay reported

    simulator.update_state(StartTime=[1, 30])
    await poll(hass, freezer)
    assert hass.states.get("sensor.miele_000177753917_start_in").state == "90"
    assert hass.states.get(start).state == "2026-05-04T13:31:00+00:00"
    assert (
        hass.states.get("sensor.miele_000177753917_programme_type").state == "program"
    )

    simulator.update_state(Status=5, StartTime=[0, 0], ProgramType=42)
    await poll(hass, freezer)
    assert hass.states.get(start).state == STATE_UNKNOWN
    assert (
        hass.states.get("sensor.miele_000177753917_programme_type").state
        == STATE_UNKNOWN
    )


@pytest.mark.usefixtures("entity_registry_enabled_by_default")
async def test_standby_state(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    simulator: SimulatedAppliance,
    init_integration: MockConfigEntry,
) -> None:
    """The module's network standby (0 means not known, a field report)."""
    entity_id = "sensor.miele_000177753917_network_standby"
    assert hass.states.get(entity_id).state == "network_idle"
    for raw, shown in (
        (2, "deep_standby"),
        (3, "going_to_standby"),
        (0, STATE_UNKNOWN),
    ):
        simulator.update_state(StandbyState=raw)
        await poll(hass, freezer)
        assert hass.states.get(entity_id).state == shown, raw
