"""
Programme and programme-phase name tables (raw codes -> translation-key style names).

The numbers are those Miele appliances report (the same tables back Home Assistant's cloud
``miele`` integration); the names are snake_case keys for translations. Lookups by
appliance type live in :mod:`.models`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping


def _table(*entries: tuple[str, Iterable[int]]) -> Mapping[int, str]:
    """Build ``code -> name`` from ``(name, codes)`` pairs (several codes may share a name)."""
    return {code: name for name, codes in entries for code in codes}


WASHER_PHASES = _table(
    ("not_running", (0, 256, 65535)),
    ("pre_wash", (257, 259)),
    ("soak", (258,)),
    ("main_wash", (260, 11004)),
    ("rinse", (261, 11005)),
    ("rinse_hold", (262,)),
    ("cleaning", (263,)),
    ("cooling_down", (264,)),
    ("drain", (265,)),
    ("spin", (266, 11010)),
    ("anti_crease", (267, 11029)),
    ("finished", (268, 11012)),
    ("venting", (269,)),
    ("starch_stop", (270,)),
    ("freshen_up_and_moisten", (271,)),
    ("steam_smoothing", (272, 295)),
    ("hygiene", (279,)),
    ("drying", (280,)),
    ("disinfecting", (285,)),
    ("automatic_start", (11044,)),
    ("flex_load_active", (11047,)),
    ("paused", (11052,)),
    ("cancelled", (11053,)),
)

DRYER_PHASES = _table(
    ("not_running", (0, 512, 535, 536, 537, 65535)),
    ("program_running", (513,)),
    ("drying", (514, 11018)),
    ("machine_iron", (515,)),
    ("hand_iron_2", (516,)),
    ("normal", (517,)),
    ("normal_plus", (518,)),
    ("cooling_down", (519,)),
    ("hand_iron_1", (520,)),
    ("anti_crease", (521, 11029)),
    ("finished", (522, 11012)),
    ("extra_dry", (523,)),
    ("hand_iron", (524,)),
    ("hygiene_drying", (525,)),
    ("moisten", (526,)),
    ("thermo_spin", (527,)),
    ("timed_drying", (528,)),
    ("warm_air", (529,)),
    ("steam_smoothing", (530,)),
    ("comfort_cooling", (531, 11055)),
    ("rinse_out_lint", (532,)),
    ("rinses", (533,)),
    ("smoothing", (534,)),
    ("slightly_dry", (538,)),
    ("safety_cooling", (539,)),
    ("automatic_start", (11044,)),
    ("perfect_dry_active", (11054,)),
)

# A washer-dryer reports the washer phases and the dryer phases (512-539).
WASHER_DRYER_PHASES: Mapping[int, str] = {
    **{code: name for code, name in DRYER_PHASES.items() if 512 <= code <= 539},
    **{code: name for code, name in WASHER_PHASES.items() if code < 512},
}

DISHWASHER_PHASES = _table(
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

OVEN_PHASES = _table(
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

WARMING_DRAWER_PHASES = _table(
    ("not_running", (0, 65535)),
    ("heating_up", (3073,)),
    ("door_open", (3075,)),
    ("cooling_down", (3088,)),
    ("keeping_warm", (3094,)),
)

MICROWAVE_PHASES = _table(
    ("not_running", (0, 65535)),
    ("heating", (3329,)),
    ("process_running", (3330,)),
    ("process_finished", (3334,)),
    ("energy_save", (3340,)),
)

OVEN_MICROWAVE_PHASES = _table(
    ("not_running", (0, 65535)),
    ("heating_up_phase", (3329, 7940)),
    ("process_running", (3330, 7938)),
    ("process_finished", (3334, 7942)),
    ("cooling_phase", (3339,)),
    ("energy_save", (3340,)),
    ("steam_reduction", (3863,)),
    ("waiting_for_start", (7939,)),
)

STEAM_OVEN_PHASES = _table(
    ("not_running", (0, 65535)),
    ("steam_reduction", (3863,)),
    ("process_running", (7938,)),
    ("waiting_for_start", (7939,)),
    ("heating_up_phase", (7940,)),
    ("process_finished", (7942,)),
)

STEAM_OVEN_COMBI_PHASES = _table(
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

STEAM_OVEN_MICRO_PHASES = _table(
    ("not_running", (0, 65535)),
    ("heating", (3329,)),
    ("process_running", (3330, 7938, 7942)),
    ("process_finished", (3334,)),
    ("energy_save", (3340,)),
    ("steam_reduction", (3863,)),
    ("waiting_for_start", (7939,)),
    ("heating_up_phase", (7940,)),
)

COFFEE_PHASES = _table(
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

ROBOT_VACUUM_PHASES = _table(
    ("not_running", (0, 65535)),
    ("vacuum_cleaning", (5889,)),
    ("returning", (5890,)),
    ("vacuum_cleaning_paused", (5891,)),
    ("going_to_target_area", (5892,)),
    ("wheel_lifted", (5893,)),
    ("dirty_sensors", (5894,)),
    ("dust_box_missing", (5895,)),
    ("blocked_drive_wheels", (5896,)),
    ("blocked_brushes", (5897,)),
    ("motor_overload", (5898,)),
    ("internal_fault", (5899,)),
    ("blocked_front_wheel", (5900,)),
    ("docked", (5903, 5904)),
    ("remote_controlled", (5910,)),
)

WASHER_PROGRAMS = _table(
    ("no_program", (0, -1)),
    ("cottons", (1, 10001)),
    ("normal", (2,)),
    ("minimum_iron", (3,)),
    ("delicates", (4, 10022)),
    ("woollens", (8, 10040)),
    ("silks", (9, 10042)),
    ("starch", (17,)),
    ("rinse", (18, 10058)),
    ("drain_spin", (21, 10036)),
    ("curtains", (22, 10055)),
    ("shirts", (23, 10038)),
    ("denim", (24, 123)),
    ("proofing", (27, 10057)),
    ("sportswear", (29, 10052)),
    ("automatic_plus", (31,)),
    ("table_linen", (33,)),
    ("outerwear", (37,)),
    ("pillows", (39,)),
    ("towels", (44,)),
    ("cool_air", (45,)),
    ("warm_air", (46,)),
    ("rinse_out_lint", (48,)),
    ("dark_garments", (50,)),
    ("separate_rinse_starch", (52,)),
    ("first_wash", (53, 10053)),
    ("cottons_hygiene", (69,)),
    ("steam_care", (75,)),
    ("freshen_up", (76,)),
    ("trainers", (77, 10056)),
    ("clean_machine", (91, 10067)),
    ("down_duvets", (95, 10050)),
    ("express_20", (122, 10029)),
    ("down_filled_items", (129,)),
    ("cottons_eco", (133,)),
    ("quick_power_wash", (146, 10031)),
    ("quick_intense", (177,)),
    ("eco_40_60", (190, 10007)),
    ("easy_care", (10016,)),
    ("bed_linen", (10047,)),
    ("dark_jeans", (10048,)),
    ("outdoor_garments", (10049,)),
    ("pre_ironing", (10059,)),
    ("cottonrepair", (10065,)),
    ("trainers_refresh", (10066,)),
    ("smartmatic", (10068,)),
    ("stuffed_toys", (10069,)),
    ("game_pieces", (10070,)),
    ("powerfresh", (10075,)),
)

DRYER_PROGRAMS = _table(
    ("no_program", (0, -1)),
    ("automatic_plus", (1,)),
    ("cottons", (2, 20, 90, 10001)),
    ("minimum_iron", (3, 30, 10016)),
    ("woollens_handcare", (4, 40, 10081)),
    ("woollens", (10040,)),
    ("delicates", (5, 50, 10022)),
    ("warm_air", (6, 60, 10025)),
    ("cool_air", (7, 70, 10027)),
    ("express", (8, 80, 10028)),
    ("cottons_eco", (9, 99003)),
    ("gentle_smoothing", (10, 100)),
    ("cottons_hygiene", (11, 23)),
    ("proofing", (12, 120, 10057)),
    ("denim", (13, 130, 10039)),
    ("gentle_denim", (131,)),
    ("shirts", (14, 99004)),
    ("sportswear", (15, 150, 10052)),
    ("outerwear", (16, 160, 10049)),
    ("silks_handcare", (17, 170, 10082)),
    ("standard_pillows", (19, 190)),
    ("basket_program", (22, 220, 10072)),
    ("smoothing", (24, 240, 10073)),
    ("bed_linen", (31, 99002, 10047)),
    ("eco", (66, 10079)),
    ("steam_smoothing", (99001,)),
    ("large_pillows", (99005,)),
    ("quick_power_dry", (10032,)),
    ("automatic", (10044,)),
    ("downs_duvets", (10050,)),
    ("curtains", (10055,)),
    ("quick_hygiene", (10076,)),
    ("hygiene", (10080,)),
    ("pillows_sanitize", (10092,)),
)

DISHWASHER_PROGRAMS = _table(
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
    ("normal", (23, 30, 48, 217)),
    ("pre_wash", (24,)),
    ("pot_rests_and_filters", (25,)),
    ("power_wash", (44, 204)),
    ("comfort_wash", (203,)),
    ("comfort_wash_plus", (209,)),
    ("rinse_salt", (215,)),
    ("rinse_and_hold", (219,)),
)

# The common oven modes; automatic recipes (hundreds of ids) are left unnamed.
OVEN_PROGRAMS = _table(
    ("no_program", (0, -1, 17003)),
    ("defrost", (1, 356)),
    ("eco_fan_heat", (6,)),
    ("auto_roast", (7,)),
    ("steam_cooking", (8, 361)),
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
    ("keeping_warm", (362,)),
)

WARMING_DRAWER_PROGRAMS = _table(
    ("no_program", (0, -1)),
    ("warm_cups_glasses", (1,)),
    ("warm_dishes_plates", (2,)),
    ("keep_warm", (3,)),
    ("slow_roasting", (4,)),
)

ROBOT_VACUUM_PROGRAMS = _table(
    ("no_program", (0, -1)),
    ("auto", (1,)),
    ("spot", (2,)),
    ("turbo", (3,)),
    ("silent", (4,)),
)

# Coffee machines number drinks per user profile: 24000 + 32 * profile + drink.
COFFEE_PROGRAMS = _table(
    ("no_program", (0, -1)),
    ("check_appliance", (17004,)),
    *(
        (drink, range(24000 + offset, 24160, 32))
        for offset, drink in enumerate(
            (
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
        )
    ),
    ("coffee_pot", (24400,)),
    ("barista_assistant", (24407,)),
    ("appliance_rinse", (24750, 24759, 24773, 24787, 24788)),
    ("descaling", (24751,)),
    ("brewing_unit_degrease", (24753,)),
    ("milk_pipework_rinse", (24754,)),
    ("intermediate_rinsing", (24758,)),
    ("automatic_maintenance", (24778,)),
    ("milk_pipework_clean", (24789,)),
)
