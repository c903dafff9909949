"""Coffee machines: programme (drink, care and settings menu) and phase codes."""

from __future__ import annotations

from ._table import table

DRINKS = (
    "ristretto",
    "espresso",
    "coffee",
    "long_coffee",
    "cappuccino",
    "cappuccino_italiano",
    "latte_macchiato",
    "espresso_macchiato",
    "cafe_au_lait",
    "caffe_latte",
    "caffe_americano",
    "long_black",
    "flat_white",
    "very_hot_water",
    "hot_water",
    "hot_milk",
    "milk_foam",
    "black_tea",
    "herbal_tea",
    "fruit_tea",
    "green_tea",
    "white_tea",
    "japanese_tea",
    "chai_latte",
)
"""Drinks in the order of their programme ids within a user profile."""

PROFILE_BASE = 24000
PROFILE_SIZE = 32
PROFILES = 5
"""Drinks are numbered per user profile: ``24000 + 32 * (profile - 1) + drink``."""

# The appliance's settings menu reports the open entry as the programme.
SETTINGS_MENU = (
    16016,  # display brightness
    16018,  # volume
    16019,  # buttons volume
    16020,  # child lock
    16021,  # water hardness
    16027,  # welcome sound
    16033,  # connection status
    16035,  # remote control
    16037,  # remote update
    24500,  # total dispensed
    24502,  # lights appliance on
    24503,  # lights appliance off
    24504,  # turn off lights after
    24506,  # altitude
    24513,  # performance mode
    24516,  # turn off after
    24537,  # advanced mode
    24542,  # tea timer
    *range(24549, 24559),  # totals: coffee, tea, ristretto ... caffe latte
    24560,  # total espresso macchiato
    *range(24562, 24570),  # totals: flat white, coffee with milk, teas
    *range(
        24571, 24577
    ),  # totals: milk foam, hot milk, hot water, very hot water; counters
    24800,  # maintenance
    24801,  # profiles settings menu
    24813,  # add profile
)

COFFEE_PROGRAMS = table(
    ("no_program", (0, -1)),
    ("check_appliance", (17004,)),
    *(
        (
            drink,
            range(
                PROFILE_BASE + offset,
                PROFILE_BASE + PROFILES * PROFILE_SIZE,
                PROFILE_SIZE,
            ),
        )
        for offset, drink in enumerate(DRINKS)
    ),
    # Home Assistant's table also lists 29054 for Japanese tea (profile 2); kept so a machine
    # that does report it is named.
    ("japanese_tea", (29054,)),
    ("coffee_pot", (24400,)),
    ("barista_assistant", (24407,)),
    ("appliance_settings", SETTINGS_MENU),
    ("appliance_rinse", (24750, 24759, 24773, 24787, 24788)),
    ("descaling", (24751,)),
    ("brewing_unit_degrease", (24753,)),
    ("milk_pipework_rinse", (24754,)),
    ("intermediate_rinsing", (24758,)),
    ("automatic_maintenance", (24778,)),
    ("milk_pipework_clean", (24789,)),
)

COFFEE_PHASES = table(
    ("not_running", (0, 4352, 65535)),
    ("heating_up", (3073,)),
    ("espresso", (4353,)),
    ("hot_milk", (4354,)),
    ("milk_foam", (4355,)),
    ("dispensing", (4361, 4404)),
    ("pre_brewing", (4369,)),
    ("grinding", (4377,)),
    ("second_espresso", (4385,)),
    ("second_pre_brewing", (4393,)),
    ("second_grinding", (4401,)),
    ("rinse", (4405,)),
)
