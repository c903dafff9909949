"""Dishwashers: programme and phase codes."""

from __future__ import annotations

from ._table import table

DISHWASHER_PROGRAMS = table(
    ("no_program", (0, -1)),
    ("intensive", (1, 26, 205)),
    ("maintenance", (2, 27, 214)),
    ("eco", (3, 22, 28, 200)),
    ("automatic", (6, 7, 31, 32, 201, 202)),
    ("solar_save", (9, 34)),
    ("gentle", (10, 35, 210)),
    ("extra_quiet", (11, 36, 207)),
    ("hygiene", (12, 37, 206)),
    ("quick_power_wash", (13, 38, 216)),
    ("pasta_paela", (14,)),
    ("tall_items", (17, 42)),
    ("glasses_warm", (19,)),
    ("quick_intense", (21, 46)),
    ("normal", (5, 23, 30, 48, 217)),  # 5: a G7310 running "Normal" (field report)
    ("pre_wash", (24,)),
    ("pot_rests_and_filters", (25,)),
    ("power_wash", (44, 204)),
    ("comfort_wash", (203,)),
    ("comfort_wash_plus", (209,)),
    ("rinse_salt", (215,)),
    ("rinse_and_hold", (219,)),
)

DISHWASHER_PHASES = table(
    ("not_running", (0, 1792, 65535)),
    ("reactivating", (1793,)),
    ("pre_dishwash", (1794, 1801)),
    ("main_dishwash", (1795,)),
    ("rinse", (1796,)),
    ("interim_rinse", (1797,)),
    ("final_rinse", (1798,)),
    ("drying", (1799,)),
    ("finished", (1800,)),
)
