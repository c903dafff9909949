"""The health state machine, its statistics, callbacks, listeners and active checks."""

from __future__ import annotations

from datetime import UTC, datetime
import logging

import pytest

from mielelocal.connection import (
    ConnectionHealthMonitor,
    ConnectionState,
    DeviceHealth,
    HealthThresholds,
    error_kind,
)
from mielelocal.exceptions import (
    ConnectionHealthError,
    DeviceSleepError,
    MieleAuthError,
    MieleConfigError,
    MieleConnectionError,
    MieleProtocolError,
    MieleResponseError,
    MieleSecurityError,
    MieleTimeoutError,
)

DEVICE = "000177753917"
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def monitor(clock: FakeClock) -> ConnectionHealthMonitor:
    return ConnectionHealthMonitor(clock=clock, wall_clock=NOW.timestamp)


@pytest.fixture
def transitions(monitor: ConnectionHealthMonitor) -> list[tuple[str, ConnectionState]]:
    seen: list[tuple[str, ConnectionState]] = []

    async def on_change(device_id: str, state: ConnectionState) -> None:
        seen.append((device_id, state))

    monitor.register_state_callback(DEVICE, on_change)
    return seen


def test_states_are_lower_case_strings() -> None:
    assert [state.value for state in ConnectionState] == [
        "unknown",
        "healthy",
        "degraded",
        "unhealthy",
        "sleeping",
        "pairing_lost",
    ]
    assert str(ConnectionState.PAIRING_LOST) == "pairing_lost"


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (MieleTimeoutError("t"), "timeout"),
        (TimeoutError(), "timeout"),
        (DeviceSleepError("s"), "sleep"),
        (MieleConnectionError("c"), "connection"),
        (MieleAuthError("a", 403), "auth"),
        (MieleSecurityError("s"), "security"),
        (MieleProtocolError("p"), "protocol"),
        (MieleResponseError("r", 500), "response"),
        (ValueError("v"), "error"),
    ],
)
def test_error_kind(error: BaseException, kind: str) -> None:
    assert error_kind(error) == kind


@pytest.mark.parametrize(
    "kwargs",
    [
        {"failures_to_degrade": 0},
        {"successes_to_recover": 1.5},
        {"window": True},
        {"failures_to_degrade": 3, "failures_to_unhealthy": 2},
        {"failures_to_unhealthy": "4"},
    ],
)
def test_thresholds_are_validated(kwargs: dict[str, object]) -> None:
    with pytest.raises(MieleConfigError):
        HealthThresholds(**kwargs)  # type: ignore[arg-type]


def test_unseen_device_is_unknown(monitor: ConnectionHealthMonitor) -> None:
    assert monitor.get_health(DEVICE) == DeviceHealth()
    assert monitor.state_of(DEVICE) is ConnectionState.UNKNOWN
    assert monitor.get_health(DEVICE).state is ConnectionState.UNKNOWN
    assert monitor.devices == ()


async def test_full_lifecycle_of_transitions(
    monitor: ConnectionHealthMonitor,
    transitions: list[tuple[str, ConnectionState]],
) -> None:
    await monitor.record_success(DEVICE, 0.2)  # unknown -> healthy
    await monitor.record_failure(DEVICE, MieleTimeoutError("t"))
    assert (
        monitor.get_health(DEVICE).state is ConnectionState.HEALTHY
    )  # one is not enough
    await monitor.record_failure(DEVICE, MieleTimeoutError("t"))  # -> degraded
    assert monitor.state_of(DEVICE) is monitor.get_health(DEVICE).state
    assert monitor.state_of(DEVICE) is ConnectionState.DEGRADED
    await monitor.record_failure(DEVICE, "connection")
    await monitor.record_failure(DEVICE, "connection")  # -> unhealthy
    await monitor.record_success(DEVICE, 0.4)  # -> degraded
    await monitor.record_success(DEVICE, 0.6)  # -> healthy
    await monitor.mark_sleeping(DEVICE)
    await monitor.record_failure(DEVICE, "sleep")  # stays sleeping
    await monitor.record_success(DEVICE, 0.2)  # -> healthy
    await monitor.mark_pairing_lost(DEVICE)
    for _ in range(5):
        await monitor.record_failure(DEVICE, "auth")  # sticky
    await monitor.mark_recovered(DEVICE)
    assert [state for _, state in transitions] == [
        ConnectionState.HEALTHY,
        ConnectionState.DEGRADED,
        ConnectionState.UNHEALTHY,
        ConnectionState.DEGRADED,
        ConnectionState.HEALTHY,
        ConnectionState.SLEEPING,
        ConnectionState.HEALTHY,
        ConnectionState.PAIRING_LOST,
        ConnectionState.HEALTHY,
    ]
    assert {device for device, _ in transitions} == {DEVICE}


async def test_failures_from_unknown_and_sleeping(
    monitor: ConnectionHealthMonitor,
) -> None:
    await monitor.record_failure(DEVICE, "timeout")
    assert monitor.get_health(DEVICE).state is ConnectionState.UNKNOWN
    await monitor.record_failure(DEVICE, "timeout")
    assert monitor.get_health(DEVICE).state is ConnectionState.DEGRADED
    await monitor.mark_sleeping(DEVICE)
    assert monitor.get_health(DEVICE).consecutive_failures == 0  # streak reset
    await monitor.record_failure(DEVICE, "connection")  # 1st of a new streak
    assert monitor.get_health(DEVICE).state is ConnectionState.SLEEPING
    await monitor.record_failure(DEVICE, "connection")  # 2nd: not a sleep
    assert monitor.get_health(DEVICE).state is ConnectionState.DEGRADED
    await monitor.mark_sleeping(DEVICE)
    for _ in range(3):
        await monitor.record_failure(DEVICE, "auth")
    assert monitor.get_health(DEVICE).state is ConnectionState.DEGRADED
    await monitor.record_failure(DEVICE, "auth")  # 4th: unhealthy
    assert monitor.get_health(DEVICE).state is ConnectionState.UNHEALTHY


@pytest.mark.parametrize(
    "error",
    [
        "sleep",
        MieleTimeoutError("t"),
        MieleResponseError("r", 500),
        DeviceSleepError("s"),
    ],
)
async def test_standby_failures_keep_it_sleeping(
    monitor: ConnectionHealthMonitor,
    transitions: list[tuple[str, ConnectionState]],
    error: BaseException | str,
) -> None:
    await monitor.record_success(DEVICE, 0.1)
    for _ in range(4):
        await monitor.record_failure(DEVICE, "timeout")  # -> degraded -> unhealthy
    for _ in range(3):  # every poll of a module that stays asleep
        await monitor.mark_sleeping(DEVICE)
        for _ in range(6):
            await monitor.record_failure(DEVICE, error)
    assert [state for _, state in transitions] == [
        ConnectionState.HEALTHY,
        ConnectionState.DEGRADED,
        ConnectionState.UNHEALTHY,
        ConnectionState.SLEEPING,
    ]
    await monitor.record_failure(DEVICE, MieleSecurityError("s"))
    await monitor.record_failure(DEVICE, MieleProtocolError("p"))  # leaves it
    assert monitor.get_health(DEVICE).state is ConnectionState.DEGRADED


async def test_pairing_lost_clears_after_enough_successes(
    monitor: ConnectionHealthMonitor,
) -> None:
    await monitor.mark_pairing_lost(DEVICE)
    await monitor.record_success(DEVICE, 0.1)
    assert monitor.get_health(DEVICE).state is ConnectionState.PAIRING_LOST
    await monitor.record_success(DEVICE, 0.1)
    assert monitor.get_health(DEVICE).state is ConnectionState.HEALTHY


async def test_snapshot_statistics(monitor: ConnectionHealthMonitor) -> None:
    monitor = ConnectionHealthMonitor(
        HealthThresholds(window=3), wall_clock=NOW.timestamp
    )
    await monitor.record_success(DEVICE, 0.5)
    await monitor.record_failure(DEVICE, MieleAuthError("refused", 403))
    await monitor.record_success(DEVICE, 1.0)
    await monitor.record_success(DEVICE, 1.5)
    monitor.record_reconnect(DEVICE)
    health = monitor.get_health(DEVICE)
    assert health == DeviceHealth(
        state=ConnectionState.HEALTHY,
        last_success=NOW,
        last_error_kind="auth",
        consecutive_failures=0,
        consecutive_successes=2,
        response_time=1.0,  # average of the last three successes
        success_ratio=2 / 3,
        reconnect_count=1,
        requests_total=4,
    )
    assert health.last_success is not None
    assert health.last_success.tzinfo is UTC
    with pytest.raises(AttributeError):
        health.state = ConnectionState.UNHEALTHY  # type: ignore[misc]


@pytest.mark.parametrize(
    "setup",
    [
        [],  # unknown: the first success is a transition
        ["timeout", "timeout"],  # degraded: needs recovery
        ["timeout", "timeout", "timeout", "timeout"],  # unhealthy
    ],
    ids=["unknown", "degraded", "unhealthy"],
)
async def test_the_nowait_success_is_for_healthy_appliances_only(
    monitor: ConnectionHealthMonitor,
    transitions: list[tuple[str, ConnectionState]],
    setup: list[str],
) -> None:
    for kind in setup:
        await monitor.record_failure(DEVICE, kind)
    before = monitor.get_health(DEVICE)
    seen = list(transitions)
    assert not monitor.record_healthy_success(DEVICE, 0.2)
    assert monitor.get_health(DEVICE) == before  # nothing recorded
    assert transitions == seen  # and no callback ran


async def test_a_nowait_success_counts_like_an_awaited_one(clock: FakeClock) -> None:
    awaited = ConnectionHealthMonitor(clock=clock, wall_clock=NOW.timestamp)
    nowait = ConnectionHealthMonitor(clock=clock, wall_clock=NOW.timestamp)
    calls: list[str] = []
    nowait.add_listener(DEVICE, lambda: calls.append("listener"))
    for monitor in (awaited, nowait):
        await monitor.record_success(DEVICE, 0.1)
        await monitor.record_failure(DEVICE, "timeout")
    clock.now += 5
    await awaited.record_success(DEVICE, -0.1)
    assert nowait.record_healthy_success(DEVICE, -0.1)  # clamped to 0 like the other
    assert nowait.get_health(DEVICE) == awaited.get_health(DEVICE)
    assert nowait.last_success_at(DEVICE) == awaited.last_success_at(DEVICE) == 105
    assert calls == ["listener"] * 3
    assert nowait.get_health(DEVICE).response_time == 0.05


async def test_callbacks_only_on_transitions_and_isolated(
    monitor: ConnectionHealthMonitor, caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[ConnectionState] = []

    async def broken(device_id: str, state: ConnectionState) -> None:
        raise RuntimeError("callback bug")

    async def working(device_id: str, state: ConnectionState) -> None:
        calls.append(state)

    monitor.register_state_callback(DEVICE, broken)
    monitor.register_state_callback(DEVICE, working)
    with caplog.at_level(logging.ERROR):
        await monitor.record_success(DEVICE, 0.1)
        await monitor.record_success(DEVICE, 0.1)  # no transition, no call
    assert calls == [ConnectionState.HEALTHY]
    assert "State callback for 000177753917 failed" in caplog.text
    monitor.unregister_state_callback(DEVICE, working)
    monitor.unregister_state_callback(DEVICE, working)  # unknown: ignored
    await monitor.mark_sleeping(DEVICE)
    assert calls == [ConnectionState.HEALTHY]


async def test_listeners_after_every_outcome(
    monitor: ConnectionHealthMonitor, caplog: pytest.LogCaptureFixture
) -> None:
    calls: list[str] = []

    def broken() -> None:
        raise RuntimeError("listener bug")

    unsubscribe = monitor.add_listener(DEVICE, lambda: calls.append("a"))
    monitor.add_listener(DEVICE, broken)
    await monitor.record_success(DEVICE, 0.1)
    await monitor.record_success(DEVICE, 0.1)
    await monitor.record_failure(DEVICE, "timeout")
    monitor.record_reconnect(DEVICE)
    assert calls == ["a", "a", "a", "a"]
    assert "Health listener for 000177753917 failed" in caplog.text
    unsubscribe()
    unsubscribe()  # twice is harmless
    await monitor.record_success(DEVICE, 0.1)
    assert calls == ["a", "a", "a", "a"]


async def test_clear_history_and_remove_device(
    monitor: ConnectionHealthMonitor,
    transitions: list[tuple[str, ConnectionState]],
) -> None:
    await monitor.clear_history(DEVICE)  # nothing recorded: no transition
    assert transitions == []
    await monitor.mark_pairing_lost(DEVICE)
    await monitor.clear_history(DEVICE)
    assert transitions[-1] == (DEVICE, ConnectionState.UNKNOWN)
    assert monitor.get_health(DEVICE) == DeviceHealth()
    await monitor.record_success(DEVICE, 0.1)  # subscribers were kept
    assert transitions[-1] == (DEVICE, ConnectionState.HEALTHY)
    monitor.remove_device(DEVICE)
    await monitor.record_failure(DEVICE, "timeout")
    await monitor.record_failure(DEVICE, "timeout")
    assert transitions[-1] == (DEVICE, ConnectionState.HEALTHY)  # callback gone
    assert monitor.get_health(DEVICE).state is ConnectionState.DEGRADED


async def test_check_device_custom_and_default(clock: FakeClock) -> None:
    checked: list[str] = []

    async def default_check(device_id: str) -> bool:
        checked.append(device_id)
        return True

    monitor = ConnectionHealthMonitor(default_check=default_check, clock=clock)
    assert await monitor.check_device(DEVICE)
    assert checked == [DEVICE]
    assert monitor.get_health(DEVICE).state is ConnectionState.HEALTHY

    answers = iter([False])

    async def custom() -> bool:
        return next(answers)

    monitor.register_health_check(DEVICE, custom)
    assert not await monitor.check_device(DEVICE)
    assert checked == [DEVICE]  # the custom check replaced the default
    assert monitor.get_health(DEVICE).last_error_kind == "check"


async def test_check_device_records_errors(
    monitor: ConnectionHealthMonitor, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(ConnectionHealthError):
        await monitor.check_device(DEVICE)

    async def timing_out() -> bool:
        raise MieleTimeoutError("no answer")

    async def buggy() -> bool:
        raise KeyError("bug")

    monitor.register_health_check(DEVICE, timing_out)
    assert not await monitor.check_device(DEVICE)
    assert monitor.get_health(DEVICE).last_error_kind == "timeout"
    monitor.register_health_check(DEVICE, buggy)
    assert not await monitor.check_device(DEVICE)
    assert monitor.get_health(DEVICE).last_error_kind == "check"
    assert "Health check for 000177753917 raised" in caplog.text


async def test_check_quiet_devices(clock: FakeClock) -> None:
    checked: list[str] = []

    async def default_check(device_id: str) -> bool:
        checked.append(device_id)
        return True

    monitor = ConnectionHealthMonitor(default_check=default_check, clock=clock)
    monitor.track("busy")
    monitor.track("quiet")
    monitor.track("quiet")  # tracking twice keeps the first activity time
    clock.now += 30
    await monitor.record_success("busy", 0.1)
    clock.now += 30
    await monitor.check_quiet_devices(60)
    assert checked == ["quiet"]
    clock.now += 30
    await monitor.check_quiet_devices(60)
    assert checked == ["quiet", "busy"]


async def test_a_polled_device_is_checked_only_when_a_poll_is_overdue(
    clock: FakeClock,
) -> None:
    checked: list[str] = []

    async def default_check(device_id: str) -> bool:
        checked.append(device_id)
        return True

    monitor = ConnectionHealthMonitor(default_check=default_check, clock=clock)
    monitor.track(DEVICE)
    monitor.set_poll_interval(DEVICE, 300)
    assert monitor.poll_interval(DEVICE) == 300.0
    clock.now += 359
    await monitor.check_quiet_devices(60)
    assert checked == []
    clock.now += 1
    await monitor.check_quiet_devices(60)
    assert checked == [DEVICE]
    monitor.set_poll_interval(DEVICE, None)
    assert monitor.poll_interval(DEVICE) is None
    clock.now += 60
    await monitor.check_quiet_devices(60)
    assert checked == [DEVICE, DEVICE]
    monitor.set_poll_interval(DEVICE, 30)
    monitor.remove_device(DEVICE)
    assert monitor.poll_interval(DEVICE) is None


async def test_a_paused_device_is_never_checked(clock: FakeClock) -> None:
    """Polling off or a refused key: the monitor sends nothing on its own."""
    checked: list[str] = []

    async def default_check(device_id: str) -> bool:
        checked.append(device_id)
        return True

    monitor = ConnectionHealthMonitor(default_check=default_check, clock=clock)
    monitor.track(DEVICE)
    monitor.set_paused(DEVICE, True)
    assert monitor.is_paused(DEVICE)
    clock.now += 3600
    await monitor.check_quiet_devices(60)
    assert checked == []
    await monitor.record_failure(DEVICE, "auth")  # outcomes are still recorded
    assert monitor.get_health(DEVICE).requests_total == 1
    monitor.set_paused(DEVICE, False)
    await monitor.check_quiet_devices(0)
    assert checked == [DEVICE]
    monitor.set_paused(DEVICE, True)
    monitor.remove_device(DEVICE)
    assert not monitor.is_paused(DEVICE)


@pytest.mark.parametrize("seconds", [0, -1, float("inf"), True, "300"])
def test_poll_interval_must_be_a_positive_number(
    monitor: ConnectionHealthMonitor, seconds: object
) -> None:
    with pytest.raises(MieleConfigError, match=r"^poll_interval: "):
        monitor.set_poll_interval(DEVICE, seconds)  # type: ignore[arg-type]


async def test_transitions_log_at_debug_only(
    monitor: ConnectionHealthMonitor, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="mielelocal")
    await monitor.record_success(DEVICE, 0.1)
    for _ in range(4):
        await monitor.record_failure(DEVICE, "timeout")
    for _ in range(2):
        await monitor.record_success(DEVICE, 0.1)
    moves = [r for r in caplog.records if r.getMessage().startswith("Connection to")]
    assert [r.getMessage().rsplit(": ", 1)[1] for r in moves] == [
        "unknown -> healthy",
        "healthy -> degraded",
        "degraded -> unhealthy",
        "unhealthy -> degraded",
        "degraded -> healthy",
    ]
    assert {r.levelno for r in moves} == {logging.DEBUG}
