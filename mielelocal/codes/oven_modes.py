"""Ovens, steam ovens and warming drawers: operating modes, custom and care programmes."""

from __future__ import annotations

from ._table import numbered, table

OVEN_MODES = table(
    ("no_program", (0, -1, 17003)),
    ("defrost", (1, 356)),
    ("eco_fan_heat", (6,)),
    ("auto_roast", (7,)),
    ("grill", (9,)),
    ("full_grill", (10,)),
    ("economy_grill", (11,)),
    ("fan_plus", (13,)),
    ("intensive_bake", (14,)),
    ("microwave", (19,)),
    ("microwave_auto_roast", (20,)),
    ("microwave_grill", (21,)),
    ("microwave_fan_plus", (22,)),
    ("microwave_fan_grill", (23,)),
    ("conventional_heat", (24,)),
    ("top_heat", (25,)),
    ("booster", (27,)),
    ("fan_grill", (29,)),
    ("bottom_heat", (31,)),
    ("moisture_plus_auto_roast", (35, 48)),
    ("moisture_plus_fan_plus", (40, 49)),
    ("moisture_plus_intensive_bake", (50, 74)),
    ("moisture_plus_conventional_heat", (51, 76)),
    ("popcorn", (53,)),
    ("quick_microwave", (54,)),
    ("airfry", (95,)),
    *numbered("custom_program", first=97, count=20),
    ("pyrolytic", (323,)),
    ("descale", (326,)),
    ("evaporate_water", (327,)),
    ("rinse", (333,)),
    ("shabbat_program", (335,)),
    ("yom_tov", (336,)),
    ("hydroclean", (341, 2434)),
    ("drying", (357, 2028)),
    ("heat_crockery", (358,)),
    ("prove_dough", (359, 2023)),
    ("low_temperature_cooking", (360,)),
    ("steam_cooking", (8, 361)),
    ("keeping_warm", (362,)),
)

WARMING_DRAWER_PROGRAMS = table(
    ("no_program", (0, -1)),
    ("warm_cups_glasses", (1,)),
    ("warm_dishes_plates", (2,)),
    ("keep_warm", (3,)),
    ("slow_roasting", (4,)),
)
