"""Appliance families: sets of ``DeviceType`` that share entities and controls."""

from __future__ import annotations

from .models import DeviceType

WASHERS = frozenset(
    {
        DeviceType.WASHING_MACHINE,
        DeviceType.WASHING_MACHINE_SEMI_PROFESSIONAL,
        DeviceType.WASHING_MACHINE_PROFESSIONAL,
        DeviceType.WASHER_DRYER,
    }
)
DRYERS = frozenset(
    {
        DeviceType.TUMBLE_DRYER,
        DeviceType.TUMBLE_DRYER_SEMI_PROFESSIONAL,
        DeviceType.DRYER_PROFESSIONAL,
        DeviceType.WASHER_DRYER,
    }
)
DISHWASHERS = frozenset(
    {
        DeviceType.DISHWASHER,
        DeviceType.DISHWASHER_SEMI_PROFESSIONAL,
        DeviceType.DISHWASHER_PROFESSIONAL,
    }
)
OVENS = frozenset(
    {
        DeviceType.OVEN,
        DeviceType.OVEN_MICROWAVE,
        DeviceType.STEAM_OVEN,
        DeviceType.MICROWAVE,
        DeviceType.STEAM_OVEN_COMBI,
        DeviceType.STEAM_OVEN_MICRO,
        DeviceType.DIALOG_OVEN,
        DeviceType.STEAM_OVEN_MK2,
        DeviceType.DISH_WARMER,
    }
)
FRIDGES = frozenset({DeviceType.FRIDGE, DeviceType.FRIDGE_FREEZER})
FREEZERS = frozenset({DeviceType.FREEZER, DeviceType.FRIDGE_FREEZER})
WINE_CABINETS = frozenset(
    {
        DeviceType.WINE_CABINET,
        DeviceType.WINE_CONDITIONING_UNIT,
        DeviceType.WINE_STORAGE_CONDITIONING_UNIT,
        DeviceType.WINE_CABINET_FREEZER,
    }
)
SUPERCOOL_APPLIANCES = FRIDGES
"""Appliances with supercooling (as core: never wine cabinets)."""
SUPERFREEZE_APPLIANCES = FREEZERS | {DeviceType.WINE_CABINET_FREEZER}
"""Appliances with superfreezing (as core: of the wine cabinets only the one with a freezer)."""
HOODS = frozenset({DeviceType.HOOD, DeviceType.HOB_INDUCTION_EXTRACTION})
HOBS = frozenset(
    {
        DeviceType.HOB_HIGHLIGHT,
        DeviceType.HOB_INDUCTION,
        DeviceType.HOB_INDUCTION_EXTRACTION,
    }
)
LIGHT_APPLIANCES = frozenset(
    {
        DeviceType.OVEN,
        DeviceType.OVEN_MICROWAVE,
        DeviceType.STEAM_OVEN,
        DeviceType.MICROWAVE,
        DeviceType.COFFEE_SYSTEM,
        DeviceType.HOOD,
        DeviceType.STEAM_OVEN_COMBI,
        DeviceType.STEAM_OVEN_MICRO,
        DeviceType.STEAM_OVEN_MK2,
        *WINE_CABINETS,
    }
)
"""Appliances with a switchable light (core's list), whatever their first State says."""
CORE_PROBE_APPLIANCES = frozenset(
    {
        DeviceType.OVEN,
        DeviceType.OVEN_MICROWAVE,
        DeviceType.STEAM_OVEN_COMBI,
        DeviceType.STEAM_OVEN_MK2,
    }
)
"""Ovens with a food probe: their second temperature is the core temperature."""

CYCLE_APPLIANCES = WASHERS | DRYERS | DISHWASHERS | OVENS
"""Appliances that run a timed programme which can be started, paused and stopped."""
PROGRAM_APPLIANCES = CYCLE_APPLIANCES | {
    DeviceType.COFFEE_SYSTEM,
    DeviceType.ROBOT_VACUUM_CLEANER,
}
COOLING_APPLIANCES = FRIDGES | FREEZERS | WINE_CABINETS
DOOR_APPLIANCES = CYCLE_APPLIANCES | COOLING_APPLIANCES | {DeviceType.COFFEE_SYSTEM}
"""Appliances whose door is shown (``SignalDoor``)."""
TEMPERATURE_APPLIANCES = OVENS | COOLING_APPLIANCES
TWO_ZONE_APPLIANCES = WINE_CABINETS | {DeviceType.FRIDGE_FREEZER}
"""Appliances with a second temperature zone (core's list)."""
THREE_ZONE_APPLIANCES = WINE_CABINETS
"""Appliances with a third temperature zone (core's list)."""
