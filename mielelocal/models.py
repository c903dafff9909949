"""Typed views of the appliance's JSON: enums, ``Ident`` and ``State``.

Unknown codes are kept as plain ``int`` and malformed state fields become ``None``: an odd
firmware never crashes the integration.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from enum import IntEnum
from types import MappingProxyType
from typing import Self, cast

from .credentials import validate_device_id
from .exceptions import MieleConfigError, MieleProtocolError

# Raw temperatures that mean "no reading" (int16 extremes and Miele's -32766).
_TEMPERATURE_SENTINELS = frozenset({-32768, -32767, -32766, 32767})


class _Code(IntEnum):
    """An enum of raw protocol codes whose unknown values stay plain ``int``."""

    @classmethod
    def parse(cls, value: int) -> Self | int:
        """Return the member for ``value``, or ``value`` itself when it is not known."""
        member = cls._value2member_map_.get(value)
        return value if member is None else cast("Self", member)


class DeviceType(_Code):
    """Appliance type (``Ident.DeviceType``)."""

    WASHING_MACHINE = 1
    TUMBLE_DRYER = 2
    WASHING_MACHINE_SEMI_PROFESSIONAL = 3
    TUMBLE_DRYER_SEMI_PROFESSIONAL = 4
    WASHING_MACHINE_PROFESSIONAL = 5
    DRYER_PROFESSIONAL = 6
    DISHWASHER = 7
    DISHWASHER_SEMI_PROFESSIONAL = 8
    DISHWASHER_PROFESSIONAL = 9
    OVEN = 12
    OVEN_MICROWAVE = 13
    HOB_HIGHLIGHT = 14
    STEAM_OVEN = 15
    MICROWAVE = 16
    COFFEE_SYSTEM = 17
    HOOD = 18
    FRIDGE = 19
    FREEZER = 20
    FRIDGE_FREEZER = 21
    ROBOT_VACUUM_CLEANER = 23
    WASHER_DRYER = 24
    DISH_WARMER = 25
    HOB_INDUCTION = 27
    STEAM_OVEN_COMBI = 31
    WINE_CABINET = 32
    WINE_CONDITIONING_UNIT = 33
    WINE_STORAGE_CONDITIONING_UNIT = 34
    STEAM_OVEN_MICRO = 45
    DIALOG_OVEN = 67
    WINE_CABINET_FREEZER = 68
    STEAM_OVEN_MK2 = 73
    HOB_INDUCTION_EXTRACTION = 74


class Status(_Code):
    """Appliance status (``State.Status``)."""

    RESERVED = 0
    OFF = 1
    ON = 2
    PROGRAMMED = 3
    WAITING_TO_START = 4
    RUNNING = 5
    PAUSE = 6
    END_PROGRAMMED = 7
    FAILURE = 8
    PROGRAMME_INTERRUPTED = 9
    IDLE = 10
    RINSE_HOLD = 11
    SERVICE = 12
    SUPERFREEZING = 13
    SUPERCOOLING = 14
    SUPERHEATING = 15
    DEFAULT = 144
    LOCKED = 145
    SUPERCOOLING_SUPERFREEZING = 146
    AUTOCLEANING = 147
    NOT_CONNECTED = 255


class ProgramType(_Code):
    """Kind of programme selected (``State.ProgramType``)."""

    NORMAL_OPERATION = 0
    PROGRAM = 1  # Miele's own name for it ("Program", e.g. Cottons on a washer)
    AUTOMATIC_PROGRAM = 2
    CLEANING_CARE_PROGRAM = 3
    MAINTENANCE_PROGRAM = 4


class ProcessAction(_Code):
    """Values of the ``ProcessAction`` write."""

    START = 1
    STOP = 2
    PAUSE = 3
    SUPERFREEZE_ON = 4
    SUPERFREEZE_OFF = 5
    SUPERCOOL_ON = 6
    SUPERCOOL_OFF = 7


class LightAction(_Code):
    """Values of the ``Light`` write."""

    ON = 1
    OFF = 2


class DeviceAction(_Code):
    """Values of the ``DeviceAction`` write."""

    WAKE = 2


class RemoteEnable(_Code):
    """Levels of ``RemoteEnable[0]``."""

    DISABLED = 0
    NOT_POSSIBLE_NOW = 7
    FULL = 15


def _int(value: object) -> int | None:
    """Return ``value`` when it is a JSON integer (``bool`` excluded), else ``None``."""
    if type(value) is int:
        return value
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _text(value: object) -> str | None:
    """Return strings as is and integers as text; anything else is ``None``."""
    if isinstance(value, str):
        return value
    number = _int(value)
    return None if number is None else str(number)


def _flag(value: object) -> bool | None:
    """Return a JSON boolean (or 0/1) as ``bool``; anything else is ``None``."""
    if isinstance(value, bool):
        return value
    number = _int(value)
    return bool(number) if number in (0, 1) else None


def _ints(value: object) -> tuple[int, ...] | None:
    """Return a list of integers (or a single integer) as a tuple; else ``None``."""
    if (number := _int(value)) is not None:
        return (number,)
    if not isinstance(value, list):
        return None
    numbers = tuple(n for item in value if (n := _int(item)) is not None)
    return numbers if len(numbers) == len(value) else None


def _duration(value: object) -> timedelta | None:
    """Return ``[hours, minutes]`` as a ``timedelta``; malformed values are ``None``.

    Some appliances send a plain integer of minutes instead (``"RemainingTime": 10``).
    """
    if isinstance(value, list):
        parts = _ints(value)
        if parts is None or len(parts) != 2:
            return None
        hours, minutes = parts
    else:
        hours, number = 0, _int(value)
        if number is None:
            return None
        minutes = number
    if not (0 <= hours <= 65535 and 0 <= minutes <= 65535):
        return None
    return timedelta(0, hours * 3600 + minutes * 60)


def _temperature(value: object) -> float | None:
    """Return hundredths of a degree as °C, with the "no reading" sentinels as ``None``."""
    number = _int(value)
    if number is None or number in _TEMPERATURE_SENTINELS or abs(number) > 32768:
        return None
    return number / 100


def _temperatures(value: object) -> tuple[float | None, ...] | None:
    raw = _ints(value)
    return None if raw is None else tuple(_temperature(item) for item in raw)


def _object(obj: object, what: str) -> Mapping[str, object]:
    if not isinstance(obj, dict):
        raise MieleProtocolError(f"{what} is not a JSON object")
    return MappingProxyType(dict(obj))


# JSON values that are immutable as they are.
_SCALARS = frozenset({str, int, float, bool, type(None)})


def _frozen(value: object) -> object:
    """Return a JSON value with every array as a tuple and every object read-only."""
    if type(value) in _SCALARS:
        return value
    if isinstance(value, list | tuple):
        if all(type(item) in _SCALARS for item in value):
            return tuple(value)
        return tuple([_frozen(item) for item in value])
    if isinstance(value, dict):
        return MappingProxyType({key: _frozen(item) for key, item in value.items()})
    return value


def thawed(value: object) -> object:
    """Return a frozen JSON value as plain lists and dicts again (for JSON output)."""
    if isinstance(value, tuple | list):
        return [thawed(item) for item in value]
    if isinstance(value, Mapping):
        return {key: thawed(item) for key, item in value.items()}
    return value


@dataclass(frozen=True, slots=True)
class Ident:
    """What an appliance says about itself (``/Devices/{id}/Ident``)."""

    device_type: DeviceType | int
    device_name: str
    protocol_version: int | None
    fab_number: str
    fab_index: str | None
    tech_type: str | None
    mat_number: str | None
    sw_ids: tuple[str, ...]
    xkm_tech_type: str | None
    xkm_release_version: str | None
    raw: Mapping[str, object] = field(compare=False, repr=False)

    @classmethod
    def from_json(cls, obj: object) -> Ident:
        """Parse an Ident object; raise :class:`MieleProtocolError` for a wrong shape."""
        raw = _object(obj, "Ident")
        label = raw.get("DeviceIdentLabel")
        if not isinstance(label, dict):
            raise MieleProtocolError("Ident has no DeviceIdentLabel object")
        try:
            fab_number = validate_device_id(_text(label.get("FabNumber")))
        except MieleConfigError:
            raise MieleProtocolError("Ident has no valid FabNumber") from None
        device_type = _int(raw.get("DeviceType"))
        if device_type is None:
            raise MieleProtocolError("Ident has no integer DeviceType")
        xkm = raw.get("XKMIdentLabel", raw.get("XkmIdentLabel"))
        xkm_label: Mapping[str, object] = xkm if isinstance(xkm, dict) else {}
        sw_ids = label.get("SWIDs")
        return cls(
            device_type=DeviceType.parse(device_type),
            device_name=_text(raw.get("DeviceName")) or "",
            protocol_version=_int(raw.get("ProtocolVersion")),
            fab_number=fab_number,
            fab_index=_text(label.get("FabIndex")),
            tech_type=_text(label.get("TechType")),
            mat_number=_text(label.get("MatNumber")),
            sw_ids=tuple(
                text
                for item in (sw_ids if isinstance(sw_ids, list) else ())
                if (text := _text(item)) is not None
            ),
            xkm_tech_type=_text(xkm_label.get("TechType")),
            xkm_release_version=_text(xkm_label.get("ReleaseVersion")),
            raw=raw,
        )


@dataclass(frozen=True, slots=True)
class State:
    """An appliance's live state (``/Devices/{id}/State``); odd fields are ``None``."""

    status: Status | int | None
    program_type: ProgramType | int | None
    program_id: int | None
    program_phase: int | None
    remaining_time: timedelta | None
    start_time: timedelta | None
    elapsed_time: timedelta | None
    target_temperatures: tuple[float | None, ...] | None
    temperatures: tuple[float | None, ...] | None
    signal_info: bool | None
    signal_failure: bool | None
    signal_door: bool | None
    remote_enable: tuple[int, ...] | None
    process_action: int | None
    device_action: int | None
    light: int | None
    standby_state: int | None
    spinning_speed: int | None
    drying_step: int | None
    ventilation_step: int | None
    battery_level: int | None
    plate_steps: tuple[int, ...] | None
    plate_remaining_heat: tuple[int, ...] | None
    plate_remaining_minutes: tuple[int, ...] | None
    raw: Mapping[str, object] = field(compare=False, repr=False)

    @classmethod
    def from_json(cls, obj: object) -> State:
        """Parse a State object; only a top level that is not an object raises.

        ``raw`` is deeply read-only (arrays become tuples), so a State can be shared.
        """
        if not isinstance(obj, dict):
            raise MieleProtocolError("State is not a JSON object")
        try:
            raw = MappingProxyType(
                {
                    key: value if type(value) in _SCALARS else _frozen(value)
                    for key, value in obj.items()
                }
            )
        except RecursionError:
            raise MieleProtocolError("State is nested too deeply") from None
        get = obj.get
        status = _int(get("Status"))
        program_type = _int(get("ProgramType"))
        return cls(
            status=None if status is None else Status.parse(status),
            program_type=None
            if program_type is None
            else ProgramType.parse(program_type),
            program_id=_int(get("ProgramID")),
            program_phase=_int(get("ProgramPhase")),
            remaining_time=_duration(get("RemainingTime")),
            start_time=_duration(get("StartTime")),
            elapsed_time=_duration(get("ElapsedTime")),
            target_temperatures=_temperatures(get("TargetTemperature")),
            temperatures=_temperatures(get("Temperature")),
            signal_info=_flag(get("SignalInfo")),
            signal_failure=_flag(get("SignalFailure")),
            signal_door=_flag(get("SignalDoor")),
            remote_enable=_ints(get("RemoteEnable")),
            process_action=_int(get("ProcessAction")),
            device_action=_int(get("DeviceAction")),
            light=_int(get("Light")),
            standby_state=_int(get("StandbyState")),
            spinning_speed=_int(get("SpinningSpeed")),
            drying_step=_int(get("DryingStep")),
            ventilation_step=_int(get("VentilationStep")),
            battery_level=_int(get("BatteryLevel")),
            plate_steps=_ints(get("PlateStep")),
            plate_remaining_heat=_ints(get("PlateRemainingHeat")),
            plate_remaining_minutes=_ints(get("PlateRemainingMinutes")),
            raw=raw,
        )

    @property
    def remote_control_enabled(self) -> bool:
        """Full remote control is enabled on the panel (``RemoteEnable[0] == 15``).

        Stricter than the gating of the process controls (``controls.control_allowed``).
        """
        levels = self.remote_enable
        return levels is not None and len(levels) > 0 and levels[0] == RemoteEnable.FULL

    @property
    def can_start(self) -> bool:
        """Full remote control and "waiting to start": the strict reading of a start.

        The Miele app also starts at ``RemoteEnable[0]`` 7, resumes a paused programme and
        starts Status 3 with mobile start: ``controls.control_allowed`` follows the app.
        """
        return self.remote_control_enabled and self.status == Status.WAITING_TO_START

    @property
    def is_blank(self) -> bool:
        """The sample is the all-zero block a module in deep standby serves.

        Status 0 and StandbyState 0 (or absent): an awake appliance never reports Status 0,
        so such a sample says nothing about the appliance and should not replace real data.
        """
        return not self.status and not self.standby_state

    @property
    def is_running(self) -> bool:
        """A programme is running (not paused, ended or interrupted)."""
        return self.status == Status.RUNNING
