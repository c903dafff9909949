"""
Ident and State templates of the simulated appliance types.

States come from real captures wherever one is public; each template names its source and
tests/fixtures/captures/ pins the capture. Fields a capture lacks take the values every
appliance reports (``_state``).
"""

from __future__ import annotations

from dataclasses import dataclass
import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping

NO_TEMPERATURE = -32768
_NONE3 = [NO_TEMPERATURE, NO_TEMPERATURE, NO_TEMPERATURE]

type JsonObject = dict[str, Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class ApplianceTemplate:
    """What one appliance type looks like and which actions it supports."""

    name: str
    device_type: int
    tech_type: str
    mat_number: str
    xkm_tech_type: str
    xkm_release: str
    state: Mapping[str, Any]
    finish_phase: int | None = None  # None: no programme countdown (fridge, hood)
    idle_phase: int = 0  # ProgramPhase once a programme is stopped
    has_light: bool = False
    has_cooling: bool = False  # superfreeze / supercool
    writes_allowed: bool = True

    def ident(self, fab_number: str) -> JsonObject:
        """Return the Ident document for one appliance of this type."""
        return {
            "DeviceType": self.device_type,
            "DeviceName": "",
            "ProtocolVersion": 4,
            "DeviceIdentLabel": {
                "FabNumber": fab_number,
                "FabIndex": "64",
                "TechType": self.tech_type,
                "MatNumber": self.mat_number,
                "SWIDs": ["5411", "20369", "25226", "20556"],
            },
            "XKMIdentLabel": {
                "TechType": self.xkm_tech_type,
                "ReleaseVersion": self.xkm_release,
            },
        }

    def initial_state(self) -> JsonObject:
        """Return a fresh deep copy of the initial State."""
        copied: JsonObject = json.loads(json.dumps(self.state))
        return copied


def _state(**fields: Any) -> JsonObject:
    """Return a State with the fields every appliance reports, overridden by ``fields``."""
    base: JsonObject = {
        "Status": 1,
        "ProgramType": 0,
        "ProgramID": 0,
        "ProgramPhase": 0,
        "RemainingTime": [0, 0],
        "StartTime": [0, 0],
        "TargetTemperature": list(_NONE3),
        "Temperature": list(_NONE3),
        "SignalInfo": False,
        "SignalFailure": False,
        "SignalDoor": False,
        "RemoteEnable": [15, 0, 0],
        "ProcessAction": 0,
        "DeviceAction": 0,
        "Light": 0,
        "StandbyState": 1,
        "ElapsedTime": [0, 0],
    }
    base.update(fields)
    return base


_TEMPLATES: tuple[ApplianceTemplate, ...] = (
    ApplianceTemplate(
        name="washer",
        device_type=1,
        tech_type="WWV980",
        mat_number="11385650",
        xkm_tech_type="EK037",
        xkm_release="03.87",
        finish_phase=268,
        idle_phase=256,
        state=_state(
            Status=5,
            ProgramType=1,
            ProgramID=1,
            ProgramPhase=260,
            RemainingTime=[0, 55],
            TargetTemperature=[4000, NO_TEMPERATURE, NO_TEMPERATURE],
            ElapsedTime=[0, 19],
            SpinningSpeed=1600,
        ),
    ),
    ApplianceTemplate(
        name="tumble_dryer",
        device_type=2,
        tech_type="TWV780WP",
        mat_number="11404120",
        xkm_tech_type="EK037",
        xkm_release="03.87",
        finish_phase=522,
        idle_phase=512,
        state=_state(
            Status=5,
            ProgramType=1,
            ProgramID=3,
            ProgramPhase=514,
            RemainingTime=[1, 10],
            ElapsedTime=[0, 30],
            DryingStep=2,
        ),
    ),
    ApplianceTemplate(
        name="dishwasher",
        device_type=7,
        tech_type="G7965SCVi",
        mat_number="11214740",
        xkm_tech_type="EK039W",
        xkm_release="08.11",
        finish_phase=1800,
        idle_phase=1792,
        state=_state(
            Status=4,
            ProgramType=1,
            ProgramID=6,
            ProgramPhase=1792,
            RemainingTime=[2, 39],
        ),
    ),
    ApplianceTemplate(
        name="oven",
        device_type=12,
        tech_type="H7860BP",
        mat_number="11097530",
        xkm_tech_type="EK057",
        xkm_release="08.32",
        finish_phase=3078,
        idle_phase=3072,
        has_light=True,
        state=_state(
            Status=5,
            ProgramType=1,
            ProgramID=13,
            ProgramPhase=3074,
            RemainingTime=[0, 40],
            TargetTemperature=[18000, NO_TEMPERATURE, NO_TEMPERATURE],
            Temperature=[17550, NO_TEMPERATURE, NO_TEMPERATURE],
            Light=1,
            ElapsedTime=[0, 20],
        ),
    ),
    ApplianceTemplate(
        # Capture: droman42/asyncmiele docs/COMPLETE_SOLUTION_SUMMARY.md (H 7464 BPX, off).
        name="oven_off",
        device_type=12,
        tech_type="H7464BPX",
        mat_number="11224420",
        xkm_tech_type="EK057",
        xkm_release="08.32",
        finish_phase=3078,
        idle_phase=3072,
        has_light=True,
        state=_state(
            Status=1,
            StandbyState=1,
            Light=0,
            RemoteEnable=[15, 0, 0],
            SignalFailure=False,
        ),
    ),
    ApplianceTemplate(
        # Capture: droman42/asyncmiele docs/COMPLETE_SOLUTION_SUMMARY.md (induction hob).
        name="hob",
        device_type=27,
        tech_type="KM7464FL",
        mat_number="11253050",
        xkm_tech_type="EK039W",
        xkm_release="08.11",
        state=_state(
            Status=1,
            InternalState=1,
            PlateStep=[0, 0, 0, 0],
            PlateRemainingHeat=[0, 0, 0, 0],
            PlateRemainingMinutes=[0, 0, 0, 0],
            PlateElapsedMinutes=[0, 0, 0, 0],
            RemoteEnable=[7, 0, 0],
        ),
    ),
    ApplianceTemplate(
        # Capture: Grizzelbee/ioBroker.mielecloudservice#127 (KFN 37452 iDE on EK044W).
        name="fridge_freezer_ek044w",
        device_type=21,
        tech_type="KFN37452iDE",
        mat_number="09360040",
        xkm_tech_type="EK044W",
        xkm_release="02.72",
        has_cooling=True,
        state=_state(
            Status=5,
            TargetTemperature=[400, -1800],
            Temperature=[400, -1800, NO_TEMPERATURE],
            RemoteEnable=[15, 0, 0],
        ),
    ),
    ApplianceTemplate(
        # No public capture of a wine cabinet: the EK057 fridge-freezer's shape with
        # three zones, as core reads wine cabinets.
        name="wine_cabinet",
        device_type=32,
        tech_type="KWT6834SGS",
        mat_number="11063670",
        xkm_tech_type="EK057",
        xkm_release="08.32",
        has_light=True,
        writes_allowed=False,
        state=_state(
            Status=5,
            TargetTemperature=[1200, 1600, 600],
            Temperature=[1210, 1590, 610],
            Light=2,
        ),
    ),
    ApplianceTemplate(
        name="fridge_freezer",
        device_type=21,
        tech_type="KFN7774D",
        mat_number="12152870",
        xkm_tech_type="EK057",
        xkm_release="08.32",
        has_cooling=True,
        writes_allowed=False,
        state=_state(
            Status=5,
            TargetTemperature=[400, -1800, NO_TEMPERATURE],
            Temperature=[420, -1790, NO_TEMPERATURE],
            RemoteEnable=[15, 0, 0],
        ),
    ),
    ApplianceTemplate(
        name="hood",
        device_type=18,
        tech_type="DA6708D",
        mat_number="11125830",
        xkm_tech_type="EK057",
        xkm_release="08.32",
        has_light=True,
        state=_state(Status=5, VentilationStep=2, Light=1),
    ),
    ApplianceTemplate(
        name="coffee_machine",
        device_type=17,
        tech_type="CM7750",
        mat_number="11472410",
        xkm_tech_type="EK057",
        xkm_release="08.32",
        finish_phase=4352,
        idle_phase=4352,
        state=_state(Status=2, ProgramPhase=4352),
    ),
)

APPLIANCES: Mapping[str, ApplianceTemplate] = {t.name: t for t in _TEMPLATES}
"""The simulated appliance types by name."""


def get_template(name: str) -> ApplianceTemplate:
    """Return the template of an appliance type or raise ValueError naming the valid ones."""
    try:
        return APPLIANCES[name]
    except KeyError:
        valid = ", ".join(APPLIANCES)
        raise ValueError(f"unknown appliance {name!r}; choose one of {valid}") from None
