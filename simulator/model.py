"""The appliance behind the Wi-Fi module: its State, the programme countdown and actions."""

from __future__ import annotations

import copy
from http import HTTPStatus
import json
import math
import time
from typing import TYPE_CHECKING, Any

from .variants import TIME_FIELDS

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from .appliances import ApplianceTemplate, JsonObject

ON, PROGRAMMED, WAITING, RUNNING, PAUSED, END = 2, 3, 4, 5, 6, 7
SUPERFREEZING, SUPERCOOLING, BOTH_SUPER = 13, 14, 146
FULL_REMOTE = 15
_COOLING_STATUS = {
    (False, False): RUNNING,
    (True, False): SUPERFREEZING,
    (False, True): SUPERCOOLING,
    (True, True): BOTH_SUPER,
}
OK = HTTPStatus.NO_CONTENT
BAD_REQUEST = HTTPStatus.BAD_REQUEST
FORBIDDEN = HTTPStatus.FORBIDDEN


def _seconds(value: object) -> float:
    """Convert a time to seconds or raise ValueError.

    ``[hours, minutes]``, or a plain integer of minutes as some appliances send it
    (ha-miele-at-lan issue #31: TWD640WP dryer, WWD380 washer).
    """
    if type(value) is int and value >= 0:
        return value * 60.0
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(type(part) is int and part >= 0 for part in value)
    ):
        raise ValueError(f"a time must be [hours, minutes] or minutes, got {value!r}")
    hours: int = value[0]
    minutes: int = value[1]
    return (hours * 60 + minutes) * 60.0


def _like(previous: object, minutes: int) -> int | list[int]:
    """Return ``minutes`` in the shape of ``previous`` (plain minutes or ``[h, m]``)."""
    if type(previous) is int:
        return minutes
    return [minutes // 60, minutes % 60]


def _first_int(value: object) -> int:
    """Return ``value[0]`` when it is an int (``RemoteEnable``), else 0."""
    if isinstance(value, list) and value and type(value[0]) is int:
        return value[0]
    return 0


class ApplianceModel:
    """State and action rules of one appliance.

    A running programme (Status 5) counts down lazily: every read advances the remaining
    and elapsed time by the real time since the previous read times ``speed``.
    """

    def __init__(
        self,
        template: ApplianceTemplate,
        *,
        speed: float = 1.0,
        writes_allowed: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not speed > 0:
            raise ValueError("speed must be a positive number")
        self.template = template
        self.speed = speed
        self.writes_allowed = (
            template.writes_allowed if writes_allowed is None else writes_allowed
        )
        self._clock = clock
        self._state = template.initial_state()
        self._remaining = _seconds(self._state.get("RemainingTime", 0))
        self._elapsed = _seconds(self._state.get("ElapsedTime", 0))
        self._anchor: float | None = None
        self._sync_anchor()

    @property
    def state(self) -> JsonObject:
        """The current State (a copy), with the countdown brought up to date."""
        self._settle()
        return copy.deepcopy(self._state)

    def update(self, fields: Mapping[str, Any]) -> None:
        """Merge ``fields`` into the State; raise ValueError on values a device never sends."""
        for name in TIME_FIELDS:
            if name in fields:
                _seconds(fields[name])
        if "Status" in fields and type(fields["Status"]) is not int:
            raise ValueError("Status must be an integer")
        try:
            new = json.loads(json.dumps(dict(fields)))
        except (TypeError, ValueError) as err:
            raise ValueError(f"State fields must be plain JSON values: {err}") from None
        self._settle()
        self._state.update(new)
        if "RemainingTime" in new:
            self._remaining = _seconds(new["RemainingTime"])
        if "ElapsedTime" in new:
            self._elapsed = _seconds(new["ElapsedTime"])
        self._sync_anchor()

    def apply(self, payload: object) -> HTTPStatus:
        """Apply one action document; return the HTTP status the appliance answers."""
        if not self.writes_allowed:
            return FORBIDDEN
        if not isinstance(payload, dict) or len(payload) != 1:
            return BAD_REQUEST
        ((key, value),) = payload.items()
        handler = {
            "ProcessAction": self._process_action,
            "DeviceAction": self._device_action,
            "Light": self._light,
        }.get(key)
        if handler is None or type(value) is not int:
            return BAD_REQUEST
        self._settle()
        outcome = handler(value)
        self._sync_anchor()
        return outcome

    @property
    def _status(self) -> int:
        status = self._state.get("Status")
        return status if type(status) is int else 0

    @property
    def _remote(self) -> int:
        return _first_int(self._state.get("RemoteEnable"))

    def _process_action(self, action: int) -> HTTPStatus:
        if action in (4, 5, 6, 7):
            return self._cooling(action)
        if action not in (1, 2, 3) or self.template.finish_phase is None:
            return BAD_REQUEST
        if action == 1:
            return self._start()
        if self._remote == 0:
            return FORBIDDEN
        if action == 2 and self._status in (PROGRAMMED, WAITING, RUNNING, PAUSED):
            self._remaining = self._elapsed = 0.0
            self._state.update(
                Status=ON,
                ProgramType=0,
                ProgramID=0,
                ProgramPhase=self.template.idle_phase,
                RemainingTime=_like(self._state.get("RemainingTime"), 0),
                ElapsedTime=_like(self._state.get("ElapsedTime"), 0),
            )
            return OK
        if action == 3 and self._status == RUNNING:
            self._state["Status"] = PAUSED
            return OK
        return BAD_REQUEST

    def _start(self) -> HTTPStatus:
        if self._remote != FULL_REMOTE:
            return FORBIDDEN
        if self._status not in (PROGRAMMED, WAITING, PAUSED):
            return BAD_REQUEST
        self._state["Status"] = RUNNING
        return OK

    def _cooling(self, action: int) -> HTTPStatus:
        if not self.template.has_cooling:
            return BAD_REQUEST
        if self._remote == 0:
            return FORBIDDEN
        status = self._status
        freeze = status in (SUPERFREEZING, BOTH_SUPER)
        cool = status in (SUPERCOOLING, BOTH_SUPER)
        wanted = (action == 4, cool) if action in (4, 5) else (freeze, action == 6)
        if wanted == (freeze, cool):
            return BAD_REQUEST
        self._state["Status"] = _COOLING_STATUS[wanted]
        return OK

    @staticmethod
    def _device_action(action: int) -> HTTPStatus:
        # Waking an awake module changes nothing visible but is harmless: 204.
        return OK if action == 2 else BAD_REQUEST

    def _light(self, value: int) -> HTTPStatus:
        if not self.template.has_light or value not in (1, 2):
            return BAD_REQUEST
        if self._remote == 0:
            return FORBIDDEN
        if self._state.get("Light") == value:
            return BAD_REQUEST
        self._state["Light"] = value
        return OK

    def _settle(self) -> None:
        """Advance a running programme to now; end it when no time is left."""
        if self._anchor is None:
            return
        now = self._clock()
        step = min((now - self._anchor) * self.speed, self._remaining)
        self._anchor = now
        self._remaining -= step
        self._elapsed += step
        state = self._state
        remaining = math.ceil(self._remaining / 60)
        state["RemainingTime"] = _like(state.get("RemainingTime"), remaining)
        state["ElapsedTime"] = _like(
            state.get("ElapsedTime"), math.floor(self._elapsed / 60)
        )
        if self._remaining <= 0:
            self._state["Status"] = END
            self._state["ProgramPhase"] = self.template.finish_phase
            self._anchor = None

    def _sync_anchor(self) -> None:
        counting = self.template.finish_phase is not None and self._status == RUNNING
        if not counting:
            self._anchor = None
        elif self._anchor is None:
            self._anchor = self._clock()
