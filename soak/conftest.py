"""Options of the soak; its tests run only when given explicitly (``scripts/soak``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register the soak's duration, size, recovery bound and report path."""
    group = parser.getgroup("soak", "fault-injection soak (scripts/soak)")
    group.addoption(
        "--soak-duration", type=float, default=300.0, help="seconds of faults"
    )
    group.addoption(
        "--soak-appliances", type=int, default=20, help="simulated appliances"
    )
    group.addoption(
        "--soak-recovery", type=float, default=120.0, help="seconds allowed to recover"
    )
    group.addoption(
        "--soak-report", default="", help="Markdown file to write the report to"
    )
    group.addoption(
        "--soak-command", default="", help="command line named in the report"
    )
    group.addoption("--soak-seed", type=int, default=None, help="random seed")


def pytest_configure(config: pytest.Config) -> None:
    """Declare the marker."""
    config.addinivalue_line("markers", "soak: long fault-injection soak (scripts/soak)")


@pytest.fixture
def soak_option(request: pytest.FixtureRequest) -> Callable[[str], object]:
    """Read a ``--soak-*`` option by its short name."""
    return lambda name: request.config.getoption(f"--soak-{name}")
