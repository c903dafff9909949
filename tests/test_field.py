"""
Appliances that answer the way real modules were reported to: Home Assistant takes each shape.

Each test names the field report it stands for (docs/field-reports.md); the simulator is put
into that behaviour with its named switch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from unittest.mock import patch

from homeassistant.components.button import DOMAIN as BUTTON_DOMAIN, SERVICE_PRESS
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import CONF_HOST, STATE_UNAVAILABLE
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er, issue_registry as ir
import pytest

from custom_components.miele_local import cadence
from custom_components.miele_local.const import CONF_GROUP_ID, CONF_GROUP_KEY, DOMAIN
from custom_components.miele_local.coordinator import pairing_lost_issue_id
from custom_components.miele_local.diagnostics import async_get_config_entry_diagnostics
from mielelocal.client import MieleClient, NoContentCounts
from mielelocal.exceptions import MieleConnectionError

from .conftest import unpaired
from .helpers import call_entity_service, coordinator_of, put_statuses, reauth_flows

if TYPE_CHECKING:
    from homeassistant.core import HomeAssistant
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    from custom_components.miele_local.advertisement import Advertisement
    from mielelocal.credentials import GroupCredentials
    from simulator import SimulatedAppliance

    from .conftest import SimulatorFactory

pytestmark = pytest.mark.usefixtures("socket_enabled")


def sensor_state(hass: HomeAssistant, device_id: str, key: str) -> str:
    """The state of an appliance sensor, found by its unique id."""
    entity_id = er.async_get(hass).async_get_entity_id(
        "sensor", DOMAIN, f"{device_id}-{key}"
    )
    assert entity_id is not None, key
    state = hass.states.get(entity_id)
    assert state is not None, key
    return state.state


async def served_status(sim: SimulatedAppliance) -> object:
    """The Status the appliance serves now, read signed with its pairing."""
    assert sim.credentials is not None
    async with MieleClient(sim.host, sim.credentials) as client:
        return (await client.get_state(sim.device_id)).status


@pytest.mark.parametrize("advertised_unpaired", [True, False])
async def test_link_listing_plain_minutes_then_a_lost_key(
    hass: HomeAssistant,
    simulator_factory: SimulatorFactory,
    credentials: GroupCredentials,
    mdns_answers: dict[str, Advertisement],
    advertised_unpaired: bool,
) -> None:
    """
    A heat-pump dryer as reported: links in /Devices/, minutes as plain integers, then 404.

    Reports D2 (link listing), D1 (TWD640WP / WWD380 plain minutes) and C5 (WTW870: signed
    reads answered 404 once the module had no household key, TXT group empty).
    """
    sim = await simulator_factory(
        "tumble_dryer", credentials=credentials, variants=["plain_minutes"]
    )
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            CONF_HOST: sim.host,
            CONF_GROUP_ID: credentials.group_id,
            CONF_GROUP_KEY: credentials.group_key_hex,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert [r.path for r in sim.requests][:2] == [
        "/Devices/",
        f"/Devices/{sim.device_id}/Ident",
    ]

    (entry,) = hass.config_entries.async_entries(DOMAIN)
    coordinator = coordinator_of(entry)
    assert (
        type(coordinator.data.state.raw["RemainingTime"]) is int
    )  # as the dryer sent it
    remaining = int(float(sensor_state(hass, sim.device_id, "remaining_time")))
    elapsed = int(float(sensor_state(hass, sim.device_id, "elapsed_time")))
    assert remaining in (69, 70)  # 1:10 at the start, counting down
    assert elapsed in (30, 31)
    assert sensor_state(hass, sim.device_id, "finish_time") != "unknown"

    assert await _setup_repairs(hass)
    sim.set_fault("no_key")
    if advertised_unpaired:
        mdns_answers[sim.host] = unpaired(sim)
    await coordinator.async_refresh()
    await hass.async_block_till_done()

    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, pairing_lost_issue_id(entry.entry_id)
    )
    assert (issue is not None) is advertised_unpaired
    assert len(reauth_flows(hass)) == (0 if advertised_unpaired else 1)  # one prompt
    assert not coordinator.last_update_success


async def _setup_repairs(hass: HomeAssistant) -> bool:
    from homeassistant.setup import async_setup_component  # noqa: PLC0415

    return await async_setup_component(hass, "repairs", {})


async def test_first_busy_answer_keeps_the_state(
    hass: HomeAssistant,
    simulator: SimulatedAppliance,
    init_integration: MockConfigEntry,
) -> None:
    """Report A3 (503 while busy): back off and read later, unavailable only if it lasts."""
    coordinator = coordinator_of(init_integration)
    before = coordinator.data
    simulator.set_fault("busy")

    await coordinator.async_refresh()

    assert coordinator.last_update_success
    assert coordinator.data is before
    assert coordinator.update_interval is not None
    assert coordinator.update_interval >= cadence.BUSY_BACKOFF
    statuses = [record.status for record in simulator.requests]
    assert statuses[-4:] == [503] * 4  # the read and the manager's three retries

    await coordinator.async_refresh()
    assert not coordinator.last_update_success
    assert coordinator.last_exception is not None
    assert coordinator.last_exception.translation_key == "busy"

    simulator.set_fault("none")
    await coordinator.async_refresh()
    assert coordinator.last_update_success


@pytest.mark.parametrize("appliance_type", ["dishwasher"])
async def test_deep_standby_sample_keeps_the_state_and_a_start_wakes_first(
    hass: HomeAssistant,
    simulator: SimulatedAppliance,
    init_integration: MockConfigEntry,
) -> None:
    """Reports B2 and B3 (G7310): an all-zero State, writes refused with 500 until woken."""
    coordinator = coordinator_of(init_integration)
    before = coordinator.data
    simulator.set_fault("deep_standby")

    await coordinator.async_refresh()

    assert coordinator.last_update_success
    assert coordinator.data is before
    assert coordinator.in_deep_standby
    assert sensor_state(hass, simulator.device_id, "status") == "waiting_to_start"

    with patch("custom_components.miele_local.coordinator.WAKE_DELAY", 0.2):
        await call_entity_service(
            hass, BUTTON_DOMAIN, SERVICE_PRESS, "button.miele_000177753917_start"
        )

    assert simulator.actions == [{"DeviceAction": 2}, {"ProcessAction": 1}]
    assert put_statuses(simulator) == [204, 204]  # the start was sent once
    assert not coordinator.in_deep_standby
    assert coordinator.data.state.status == 5


@pytest.mark.parametrize("appliance_type", ["dishwasher"])
async def test_unsigned_empty_204_is_accepted_and_counted(
    hass: HomeAssistant,
    simulator: SimulatedAppliance,
    init_integration: MockConfigEntry,
) -> None:
    """Report D3: no capture shows whether modules sign a 204; the diagnostics will tell."""
    simulator.set_variant("unsigned_204")

    await call_entity_service(
        hass, BUTTON_DOMAIN, SERVICE_PRESS, "button.miele_000177753917_start"
    )

    assert simulator.actions == [{"ProcessAction": 1}]
    coordinator = coordinator_of(init_integration)
    assert coordinator.client.no_content_answers == NoContentCounts(0, 1)
    assert coordinator.data.state.status == 5  # the verified read after the action
    diagnostics = await async_get_config_entry_diagnostics(hass, init_integration)
    assert diagnostics["no_content_answers"] == {"signed": 0, "unsigned": 1}


@pytest.mark.parametrize("waiting", [True, False])
async def test_pairing_confirms_an_appliance_waiting_for_the_app(
    hass: HomeAssistant, simulator_factory: SimulatorFactory, waiting: bool
) -> None:
    """Report C4 (H2465BP): Status 12 after commissioning until a signed confirmation."""
    sim = await simulator_factory(
        "oven", paired=False, variants=["waiting_for_app"] if waiting else []
    )
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: sim.host}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"pairing_key": "new"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY

    puts = [r.path for r in sim.requests if r.method == "PUT"]
    confirmations = 1 if waiting else 0
    assert puts == ["/Security/Commissioning/"] * (1 + confirmations)
    assert await served_status(sim) == 5  # running, no longer waiting for the app


@pytest.mark.parametrize("appliance_type", ["hob_extended"])
async def test_hob_with_zones_only_in_extended_state(
    hass: HomeAssistant,
    simulator: SimulatedAppliance,
    init_integration: MockConfigEntry,
) -> None:
    """Report D10 (KM8684, 8000 series): five zones, no PlateStep in the State."""
    assert "PlateStep" not in simulator.state
    device_id = simulator.device_id
    assert [
        sensor_state(hass, device_id, f"plate_{zone}_step") for zone in range(1, 6)
    ] == [
        "plate_step_residual_heat",
        "plate_step_13",
        "plate_step_residual_heat",
        "plate_step_0",
        "plate_step_0",
    ]
    registry = er.async_get(hass)
    assert (
        registry.async_get_entity_id("sensor", DOMAIN, f"{device_id}-plate_6_step")
        is None
    )
    assert sensor_state(hass, device_id, "plate_1_remaining_heat") in (
        "unknown",
        STATE_UNAVAILABLE,
    )


async def test_busy_but_awake_module_gets_only_wake_ups(
    hass: HomeAssistant,
    simulator: SimulatedAppliance,
    mock_config_entry: MockConfigEntry,
) -> None:
    """
    Report A4: signed requests just time out while unsigned ones are still answered.

    ha-miele-at-lan #16 (G7310) and the ioBroker.miele-local log (WCR860): the module is
    busy, not asleep. The read fails; the module hears only harmless wake-ups.
    """
    mock_config_entry.add_to_hass(hass)
    with patch(
        "custom_components.miele_local.manager.DEFAULT_TIMEOUT", 0.2
    ):  # per answer
        assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
        await hass.async_block_till_done()
    coordinator = coordinator_of(mock_config_entry)
    simulator.set_fault("busy_silent")

    await coordinator.async_refresh()

    assert not coordinator.last_update_success
    assert simulator.held_actions  # the unsigned probe answered: taken for sleep
    assert all(action == {"DeviceAction": 2} for action in simulator.held_actions)
    assert (
        len(put_statuses(simulator)) == simulator.held_actions.total
    )  # no other write
    assert simulator.actions == []

    simulator.set_fault("none")
    await coordinator.async_refresh()
    assert coordinator.last_update_success


async def test_multi_second_answers_are_read(
    hass: HomeAssistant,
    simulator: SimulatedAppliance,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Report A5 (ha-miele-at-lan #16 and PR #32: answers after 4.2 s and 4.9 s)."""
    simulator.latency = 2.5
    mock_config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(mock_config_entry.entry_id)
    await hass.async_block_till_done()
    coordinator = coordinator_of(mock_config_entry)
    before = simulator.requests.total

    await coordinator.async_refresh()

    assert coordinator.last_update_success
    assert simulator.requests.total == before + 1  # one read, no retry
    assert all(record.status == 200 for record in simulator.requests)
    response_time = coordinator.health.response_time
    assert response_time is not None
    assert response_time >= 2.5  # every answer so far took 2.5 s


@pytest.mark.parametrize("appliance_type", ["hood"])
async def test_empty_ident_at_start_is_retried(
    hass: HomeAssistant,
    simulator: SimulatedAppliance,
    mock_config_entry: MockConfigEntry,
) -> None:
    """Report D11 (EK039W hood, ha-miele-at-lan test_ident_setup_gate): `{}` at start-up."""
    simulator.set_variant("empty_ident")
    mock_config_entry.add_to_hass(hass)
    entry_id = mock_config_entry.entry_id
    registry = er.async_get(hass)

    await hass.config_entries.async_setup(entry_id)
    await hass.async_block_till_done()

    assert mock_config_entry.state is ConfigEntryState.SETUP_RETRY
    assert not er.async_entries_for_config_entry(registry, entry_id)

    simulator.set_variant("empty_ident", on=False)
    assert await hass.config_entries.async_reload(entry_id)
    await hass.async_block_till_done()

    assert mock_config_entry.state is ConfigEntryState.LOADED
    assert er.async_entries_for_config_entry(registry, entry_id)
    assert sensor_state(hass, simulator.device_id, "status") not in (
        "unknown",
        STATE_UNAVAILABLE,
    )


@pytest.mark.parametrize("appliance_type", ["dishwasher"])
async def test_start_accepted_without_effect_shows_the_truth(
    hass: HomeAssistant,
    simulator: SimulatedAppliance,
    init_integration: MockConfigEntry,
) -> None:
    """Report E4 (ha-miele-at-lan #16, G7310): Start answered without error, no effect."""
    simulator.set_variant("start_ignored")

    await call_entity_service(
        hass, BUTTON_DOMAIN, SERVICE_PRESS, "button.miele_000177753917_start"
    )

    assert simulator.actions == [{"ProcessAction": 1}]
    assert put_statuses(simulator) == [204]  # sent once
    requests = list(simulator.requests)
    (put_at,) = [i for i, record in enumerate(requests) if record.method == "PUT"]
    state_path = f"/Devices/{simulator.device_id}/State"
    assert [(r.method, r.path, r.status) for r in requests[put_at + 1 :]] == [
        ("GET", state_path, 200)  # the read right after the action
    ]
    assert coordinator_of(init_integration).data.state.status == 4
    assert sensor_state(hass, simulator.device_id, "status") == "waiting_to_start"


async def test_signature_without_its_leading_zero_verifies(
    hass: HomeAssistant,
    simulator: SimulatedAppliance,
    init_integration: MockConfigEntry,
) -> None:
    """Report D4: an X-Signature hex without its leading 0 (asyncmiele pads it back)."""
    coordinator = coordinator_of(init_integration)
    simulator.set_variant("short_signature_hex")

    for speed in range(200):  # one signature in 16 begins with a 0
        simulator.update_state(SpinningSpeed=speed)  # a new body, a new signature
        await coordinator.async_refresh()
        assert coordinator.last_update_success
        assert coordinator.data.state.raw["SpinningSpeed"] == speed
        if simulator.shortened_signatures:
            break

    assert simulator.shortened_signatures == 1


async def test_remaining_time_while_off_shows_no_finish_time(
    hass: HomeAssistant,
    simulator: SimulatedAppliance,
    init_integration: MockConfigEntry,
) -> None:
    """
    Report B5 (MieleRESTServer #14, WSF363): Status 1 with a remaining time of 0:12.

    The remaining time is shown as reported (the preselected programme's duration), but no
    finish time is made up for an appliance that is not running.
    """
    simulator.update_state(Status=1, RemainingTime=[0, 12])
    coordinator = coordinator_of(init_integration)
    for _ in range(2):  # the second read confirms the Off (one odd Off sample is held)
        await coordinator.async_refresh()
    await hass.async_block_till_done()

    device_id = simulator.device_id
    assert sensor_state(hass, device_id, "status") == "off"
    assert float(sensor_state(hass, device_id, "remaining_time")) == 12
    assert sensor_state(hass, device_id, "finish_time") == "unknown"


@pytest.mark.parametrize("appliance_type", ["washer_dryer"])
async def test_washer_dryer_names_its_drying_phase(
    hass: HomeAssistant,
    simulator: SimulatedAppliance,
    init_integration: MockConfigEntry,
) -> None:
    """Report D8 (core #144658): a washer-dryer needs the washer's and the dryer's phases."""
    device_id = simulator.device_id
    assert sensor_state(hass, device_id, "program_phase") == "drying"
    simulator.update_state(ProgramPhase=260)  # a washer phase: main wash
    await coordinator_of(init_integration).async_refresh()
    assert sensor_state(hass, device_id, "program_phase") == "main_wash"
    assert sensor_state(hass, device_id, "spin_speed") == "1400"


@pytest.mark.parametrize("appliance_type", ["dishwasher"])
async def test_a_failed_wake_up_before_an_action_fails_only_the_action(
    hass: HomeAssistant,
    simulator: SimulatedAppliance,
    init_integration: MockConfigEntry,
) -> None:
    """A module that went offline after its standby sample: the start fails, once, cleanly."""
    coordinator = coordinator_of(init_integration)
    simulator.set_fault("deep_standby")
    await coordinator.async_refresh()
    assert coordinator.in_deep_standby
    simulator.set_fault("offline")

    with pytest.raises(HomeAssistantError) as err:
        await call_entity_service(
            hass, BUTTON_DOMAIN, SERVICE_PRESS, "button.miele_000177753917_start"
        )

    assert err.value.translation_key == "action_failed"
    assert simulator.actions == []


async def test_a_failed_pairing_confirmation_still_adds_the_appliance(
    hass: HomeAssistant,
    simulator_factory: SimulatorFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Report C4: the confirmation is a courtesy; a failure is logged, the pairing stands."""
    sim = await simulator_factory("oven", paired=False, variants=["waiting_for_app"])
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_HOST: sim.host}
    )
    # The module drops off the network right at the confirmation (cannot be timed here).
    with patch(
        "mielelocal.client.MieleClient.confirm_commissioning",
        side_effect=MieleConnectionError("connection lost"),
    ):
        result = await hass.config_entries.flow.async_configure(
            result["flow_id"], {"pairing_key": "new"}
        )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    puts = [r.path for r in sim.requests if r.method == "PUT"]
    assert puts == ["/Security/Commissioning/"]  # the confirmation never went out
    assert await served_status(sim) == 12
    assert "Could not confirm the pairing" in caplog.text
    assert sim.credentials is not None
    assert sim.credentials.group_key_hex not in caplog.text
