"""Robot vacuum cleaners: programme and phase codes."""

from __future__ import annotations

from ._table import table

ROBOT_VACUUM_PROGRAMS = table(
    ("no_program", (0, -1)),
    ("auto", (1,)),
    ("spot", (2,)),
    ("turbo", (3,)),
    ("silent", (4,)),
)

ROBOT_VACUUM_PHASES = table(
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
