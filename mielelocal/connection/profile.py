"""Appliance profiles and connection settings, loaded from JSON or a mapping.

Errors name the offending field (``devices[1].group_key: ...``) and never contain key material.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
import json
from os import PathLike
from pathlib import Path

from mielelocal.credentials import GroupCredentials, validate_device_id, validate_host
from mielelocal.exceptions import MieleConfigError

_PROFILE_KEYS = ("id", "host", "group_id", "group_key")
# Keys of this library's earlier file format, and what they are called now.
_RENAMED = {"device_id": "id", "settings": "connection_settings"}


def _prefixed(prefix: str, err: MieleConfigError) -> MieleConfigError:
    """Re-raise a validator error under a longer field path (``devices[1].host``)."""
    message = str(err).removeprefix(f"{err.field}: ")
    return MieleConfigError(f"{prefix}{err.field}", message)


@dataclass(frozen=True, slots=True)
class DeviceProfile:
    """Everything needed to talk to one appliance; the repr never shows the key."""

    device_id: str
    host: str
    credentials: GroupCredentials = field(repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "device_id", validate_device_id(self.device_id))
        object.__setattr__(self, "host", validate_host(self.host))
        if not isinstance(self.credentials, GroupCredentials):
            raise MieleConfigError("credentials", "must be GroupCredentials")

    def __repr__(self) -> str:
        return (
            f"DeviceProfile(device_id={self.device_id!r}, host={self.host!r}, "
            f"group_id={self.credentials.group_id!r})"
        )

    __str__ = __repr__

    @classmethod
    def from_dict(cls, data: object, *, prefix: str = "") -> DeviceProfile:
        """Build a profile from ``id``, ``host``, ``group_id`` and ``group_key`` (hex).

        Unknown keys are refused; ``prefix`` is prepended to field names in errors.
        """
        if not isinstance(data, Mapping):
            raise MieleConfigError(prefix.rstrip(".") or "device", "must be an object")
        _refuse_unknown(data, (*_PROFILE_KEYS, "simulator"), prefix)
        for key in _PROFILE_KEYS:
            if key not in data:
                raise MieleConfigError(f"{prefix}{key}", "is required")
        try:
            credentials = GroupCredentials.from_hex(data["group_id"], data["group_key"])
            return cls(data["id"], data["host"], credentials)
        except MieleConfigError as err:
            if err.field == "device_id":  # the file calls it ``id``
                err = MieleConfigError("id", str(err).removeprefix("device_id: "))
            raise _prefixed(prefix, err) from None


@dataclass(frozen=True, slots=True)
class SimulatorOptions:
    """A device entry's ``simulator`` block: start a simulated appliance in its place."""

    appliance: str = "washer"
    wake_delay: float = 1.0

    @classmethod
    def from_dict(cls, data: object, *, prefix: str) -> SimulatorOptions:
        """Validate ``{"appliance": "washer", "wake_delay": 1.0}`` (both optional)."""
        if not isinstance(data, Mapping):
            raise MieleConfigError(prefix.rstrip("."), "must be an object")
        _refuse_unknown(data, ("appliance", "wake_delay"), prefix)
        appliance = data.get("appliance", "washer")
        if not isinstance(appliance, str) or not appliance:
            raise MieleConfigError(f"{prefix}appliance", "must be a template name")
        wake_delay = data.get("wake_delay", 1.0)
        if isinstance(wake_delay, bool) or not isinstance(wake_delay, int | float):
            raise MieleConfigError(f"{prefix}wake_delay", "must be a number")
        if not 0 <= wake_delay < float("inf"):
            raise MieleConfigError(f"{prefix}wake_delay", "must be zero or more")
        return cls(appliance, float(wake_delay))


def _refuse_unknown(
    data: Mapping[object, object], known: tuple[str, ...], prefix: str
) -> None:
    """Refuse the first key not in ``known`` (it is likely a typo), naming it."""
    for key in data:
        if key not in known:
            hint = _RENAMED.get(str(key))
            raise MieleConfigError(
                f"{prefix}{key}",
                "is not a known field" + (f" (did you mean {hint!r}?)" if hint else ""),
            )


@dataclass(frozen=True, slots=True)
class ConnectionSettings:
    """The five tunables of :class:`ConnectionManager`, validated."""

    max_connections: int = 10
    connection_timeout: float = 10.0
    health_check_interval: float = 60.0
    retry_count: int = 3
    retry_delay: float = 2.0

    def __post_init__(self) -> None:
        _check_int("max_connections", self.max_connections, minimum=1)
        _check_int("retry_count", self.retry_count, minimum=0)
        for name in ("connection_timeout", "health_check_interval", "retry_delay"):
            object.__setattr__(self, name, _check_positive(name, getattr(self, name)))

    @classmethod
    def from_dict(
        cls, data: object, *, prefix: str = "connection_settings."
    ) -> ConnectionSettings:
        """Build settings from a mapping; unknown keys are refused (they are likely typos)."""
        if not isinstance(data, Mapping):
            raise MieleConfigError(prefix.rstrip("."), "must be an object")
        _refuse_unknown(data, tuple(item.name for item in fields(cls)), prefix)
        try:
            return cls(**{str(key): value for key, value in data.items()})
        except MieleConfigError as err:
            raise _prefixed(prefix, err) from None


def _check_int(name: str, value: object, *, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise MieleConfigError(name, f"must be an integer, got {type(value).__name__}")
    if value < minimum:
        raise MieleConfigError(name, f"must be at least {minimum}, got {value}")


def _check_positive(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MieleConfigError(name, f"must be a number, got {type(value).__name__}")
    if not 0 < value < float("inf"):
        raise MieleConfigError(name, f"must be a positive number, got {value}")
    return float(value)


@dataclass(frozen=True, slots=True)
class ConnectionConfig:
    """A validated configuration: appliance profiles, manager settings, simulated devices."""

    devices: tuple[DeviceProfile, ...]
    settings: ConnectionSettings
    simulators: Mapping[str, SimulatorOptions] = field(default_factory=dict)


def load_connection_config(
    source: str | PathLike[str] | Mapping[str, object],
) -> ConnectionConfig:
    """Load ``{"devices": [{"id": ..., ...}], "connection_settings": {...}}`` (JSON file or mapping).

    The format of the asyncmiele connection guide; a device may carry a ``simulator`` block.
    Raises :class:`MieleConfigError` naming the bad field; unknown keys are refused and
    device ids must be unique.
    """
    if isinstance(source, Mapping):
        data: object = source
    elif isinstance(source, str | PathLike):
        data = _read_json(Path(source))
    else:
        raise MieleConfigError("config", "must be a mapping or the path of a JSON file")
    if not isinstance(data, Mapping):
        raise MieleConfigError("config", "must be a JSON object")
    _refuse_unknown(data, ("devices", "connection_settings"), "")
    settings = ConnectionSettings.from_dict(data.get("connection_settings", {}))
    raw_devices = data.get("devices", [])
    if not isinstance(raw_devices, list):
        raise MieleConfigError("devices", "must be a list")
    devices: list[DeviceProfile] = []
    simulators: dict[str, SimulatorOptions] = {}
    for index, raw in enumerate(raw_devices):
        prefix = f"devices[{index}]."
        profile = DeviceProfile.from_dict(raw, prefix=prefix)
        if any(known.device_id == profile.device_id for known in devices):
            raise MieleConfigError(f"{prefix}id", "is listed twice")
        devices.append(profile)
        if "simulator" in raw:
            simulators[profile.device_id] = SimulatorOptions.from_dict(
                raw["simulator"], prefix=f"{prefix}simulator."
            )
    return ConnectionConfig(tuple(devices), settings, simulators)


def _read_json(path: Path) -> object:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise MieleConfigError("config", f"cannot read {path}: {err}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise MieleConfigError(
            "config",
            f"{path} is not valid JSON (line {err.lineno}, column {err.colno})",
        ) from None
