"""Ovens, microwaves, steam ovens and warming drawers: programme phase codes."""

from __future__ import annotations

from ._table import table

OVEN_PHASES = table(
    ("not_running", (0, 3072, 65535)),
    ("heating_up", (3073,)),
    ("process_running", (3074,)),
    ("process_finished", (3078,)),
    ("searing", (3080,)),
    ("roasting", (3081,)),
    ("cooling_down", (3083,)),
    ("energy_save", (3084,)),
    ("pre_heating", (3099,)),
)

MICROWAVE_PHASES = table(
    ("not_running", (0, 65535)),
    ("heating", (3329,)),
    ("process_running", (3330,)),
    ("process_finished", (3334,)),
    ("energy_save", (3340,)),
)

OVEN_MICROWAVE_PHASES = table(
    ("not_running", (0, 65535)),
    ("steam_reduction", (3863,)),
    ("process_running", (3330, 7938)),
    ("waiting_for_start", (7939,)),
    ("heating_up_phase", (3329, 7940)),
    ("process_finished", (3334, 7942)),
    ("cooling_phase", (3339,)),
    ("energy_save", (3340,)),
)

STEAM_OVEN_PHASES = table(
    ("not_running", (0, 65535)),
    ("steam_reduction", (3863,)),
    ("process_running", (7938,)),
    ("waiting_for_start", (7939,)),
    ("heating_up_phase", (7940,)),
    ("process_finished", (7942,)),
)

STEAM_OVEN_COMBI_PHASES = table(
    ("not_running", (0, 65535)),
    ("heating_up", (3073,)),
    ("process_running", (3074, 7938)),
    ("process_finished", (3078, 7942)),
    ("searing", (3080,)),
    ("roasting", (3081,)),
    ("energy_save", (3084,)),
    ("pre_heating", (3099,)),
    ("steam_reduction", (3863, 7959)),
    ("waiting_for_start", (7939,)),
    ("heating_up_phase", (7940,)),
    ("drying", (7961,)),
    ("rinse", (7962,)),
)

STEAM_OVEN_MICRO_PHASES = table(
    ("not_running", (0, 65535)),
    ("heating", (3329,)),
    ("process_running", (3330, 7938, 7942)),
    ("process_finished", (3334,)),
    ("energy_save", (3340,)),
    ("steam_reduction", (3863,)),
    ("waiting_for_start", (7939,)),
    ("heating_up_phase", (7940,)),
)

WARMING_DRAWER_PHASES = table(
    ("not_running", (0, 65535)),
    ("heating_up", (3073,)),
    ("door_open", (3075,)),
    ("keeping_warm", (3094,)),
    ("cooling_down", (3088,)),
)
