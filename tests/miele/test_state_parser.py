"""
``State.from_json`` against the parser it replaced, on captured and generated States.

``_reference_state`` is the pre-issue-13 parser, kept here verbatim as the oracle (tests only):
the lean parser must give the same fields, of the same types, and the same ``raw`` content,
now deeply read-only. One later change is in the oracle too: a time may be a plain integer
of minutes (some appliances send ``"RemainingTime": 10``).
"""

from __future__ import annotations

from datetime import timedelta
import json
from types import MappingProxyType
from typing import Any

from hypothesis import example, given, settings, strategies as st
import pytest

from mielelocal.exceptions import MieleProtocolError
from mielelocal.models import ProgramType, State, Status, thawed
from simulator.appliances import APPLIANCES

from .test_hostile import json_values, state_like
from .test_models import WASHER_STATE

# --- the oracle: the parser before issue 13 ------------------------------------------------

_SENTINELS = frozenset({-32768, -32767, -32766, 32767})


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _flag(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    number = _int(value)
    return bool(number) if number in (0, 1) else None


def _ints(value: object) -> tuple[int, ...] | None:
    if (number := _int(value)) is not None:
        return (number,)
    if not isinstance(value, list):
        return None
    numbers = tuple(n for item in value if (n := _int(item)) is not None)
    return numbers if len(numbers) == len(value) else None


def _duration(value: object) -> timedelta | None:
    if (minutes := _int(value)) is not None:  # plain minutes (added after issue 13)
        return timedelta(minutes=minutes) if 0 <= minutes <= 65535 else None
    parts = _ints(value)
    if parts is None or len(parts) != 2 or min(parts) < 0 or max(parts) > 65535:
        return None
    return timedelta(hours=parts[0], minutes=parts[1])


def _temperature(value: object) -> float | None:
    number = _int(value)
    if number is None or number in _SENTINELS or abs(number) > 32768:
        return None
    return number / 100


def _temperatures(value: object) -> tuple[float | None, ...] | None:
    raw = _ints(value)
    return None if raw is None else tuple(_temperature(item) for item in raw)


def _parse_code(enum: Any, value: int | None) -> Any:
    if value is None:
        return None
    try:
        return enum(value)
    except ValueError:
        return value


def _reference_state(obj: dict[str, Any]) -> dict[str, Any]:
    """The fields the old ``State.from_json`` produced, by name (``raw`` included)."""
    raw = MappingProxyType(dict(obj))
    return {
        "status": _parse_code(Status, _int(raw.get("Status"))),
        "program_type": _parse_code(ProgramType, _int(raw.get("ProgramType"))),
        "program_id": _int(raw.get("ProgramID")),
        "program_phase": _int(raw.get("ProgramPhase")),
        "remaining_time": _duration(raw.get("RemainingTime")),
        "start_time": _duration(raw.get("StartTime")),
        "elapsed_time": _duration(raw.get("ElapsedTime")),
        "target_temperatures": _temperatures(raw.get("TargetTemperature")),
        "temperatures": _temperatures(raw.get("Temperature")),
        "signal_info": _flag(raw.get("SignalInfo")),
        "signal_failure": _flag(raw.get("SignalFailure")),
        "signal_door": _flag(raw.get("SignalDoor")),
        "remote_enable": _ints(raw.get("RemoteEnable")),
        "process_action": _int(raw.get("ProcessAction")),
        "device_action": _int(raw.get("DeviceAction")),
        "light": _int(raw.get("Light")),
        "standby_state": _int(raw.get("StandbyState")),
        "spinning_speed": _int(raw.get("SpinningSpeed")),
        "drying_step": _int(raw.get("DryingStep")),
        "ventilation_step": _int(raw.get("VentilationStep")),
        "battery_level": _int(raw.get("BatteryLevel")),
        "plate_steps": _ints(raw.get("PlateStep")),
        "plate_remaining_heat": _ints(raw.get("PlateRemainingHeat")),
        "plate_remaining_minutes": _ints(raw.get("PlateRemainingMinutes")),
        "raw": raw,
    }


# --- equivalence ---------------------------------------------------------------------------


def _same(value: object, expected: object) -> bool:
    """Equal and of the same type, element by element (``5 == Status.RUNNING`` is not enough)."""
    if isinstance(expected, tuple):
        return (
            isinstance(value, tuple)
            and len(value) == len(expected)
            and all(_same(a, b) for a, b in zip(value, expected, strict=True))
        )
    return type(value) is type(expected) and value == expected


def assert_equivalent(document: dict[str, Any]) -> None:
    """The lean parser's State matches the oracle field by field, ``raw`` by content."""
    expected = _reference_state(json.loads(json.dumps(document)))
    state = State.from_json(json.loads(json.dumps(document)))
    for name, value in expected.items():
        if name == "raw":
            assert json.dumps(thawed(state.raw)) == json.dumps(dict(value))
        else:
            assert _same(getattr(state, name), value), name


CAPTURED = [
    pytest.param(WASHER_STATE, id="protocol-washer"),
    *(
        pytest.param(t.initial_state(), id=f"simulator-{t.name}")
        for t in APPLIANCES.values()
    ),
]


@pytest.mark.parametrize("document", CAPTURED)
def test_captured_states_parse_as_before(document: dict[str, Any]) -> None:
    assert_equivalent(document)


field_values = (
    st.integers(min_value=-40000, max_value=70000)
    | st.lists(st.integers(min_value=-40000, max_value=70000), max_size=4)
    | st.booleans()
    | st.none()
    | json_values
)
generated_states = st.dictionaries(
    st.sampled_from(
        [*WASHER_STATE, "DryingStep", "PlateStep", "PlateRemainingMinutes"]
    ),
    field_values,
)


@settings(max_examples=300, deadline=None)
@given(document=generated_states | state_like)
@example({"Status": 999, "ProgramType": 4, "RemainingTime": [65535, 65535]})
@example({"RemainingTime": [0, 65536], "StartTime": [-1, 0], "Temperature": 2150})
@example({"SignalDoor": 1, "SignalInfo": 2, "Light": True, "PlateStep": [1, True]})
def test_generated_states_parse_as_before(document: dict[str, Any]) -> None:
    assert_equivalent(document)


# --- immutability of what may be shared ---------------------------------------------------


def test_raw_is_deeply_read_only() -> None:
    state = State.from_json({**WASHER_STATE, "Extra": {"Zones": [[1, 2], {"a": []}]}})
    assert state.raw["Temperature"] == (-32768, -32768, -32768)
    with pytest.raises(TypeError):
        state.raw["Status"] = 1  # type: ignore[index]
    extra: Any = state.raw["Extra"]
    with pytest.raises(TypeError):
        extra["Zones"] = []
    assert extra["Zones"] == ((1, 2), MappingProxyType({"a": ()}))
    assert thawed(state.raw)["Extra"] == {"Zones": [[1, 2], {"a": []}]}


def test_values_json_cannot_hold_are_frozen_or_kept() -> None:
    """A caller's own tuples are frozen inside; other immutable objects are kept."""
    odd = frozenset({1})
    state = State.from_json({"Pair": (1, [2]), "Odd": odd})
    assert state.raw["Pair"] == (1, (2,))
    assert state.raw["Odd"] is odd


def test_parsing_keeps_no_reference_to_the_document() -> None:
    document = {"Status": 5, "RemoteEnable": [15, 0, 0]}
    state = State.from_json(document)
    document["RemoteEnable"].append(7)
    document["Status"] = 1
    assert state.raw["RemoteEnable"] == (15, 0, 0)
    assert state.raw["Status"] == 5


def test_state_nested_too_deeply_is_a_protocol_error() -> None:
    document: Any = []
    for _ in range(5000):
        document = [document]
    with pytest.raises(MieleProtocolError, match="nested too deeply"):
        State.from_json({"Deep": document})
