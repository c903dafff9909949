"""The library as it was before the hot-path work (issue 13), for side-by-side runs only.

``scripts/bench`` extracts ``custom_components/`` of :data:`BASELINE_REF` from git into
``.bench-baseline/`` (git is not inside the project environment). :meth:`Library.baseline`
imports that copy under the usual module names and then puts the current modules back, so
the old and the new client run in one process against the same simulator. Nothing of the
old code lives in the library itself.
"""

from __future__ import annotations

from dataclasses import dataclass
import importlib
from pathlib import Path
import sys
from typing import Any

BASELINE_REF = "c7d469df658b75992184ca09d903f90c9cecad0e"
BASELINE_DIR = Path(__file__).resolve().parent.parent / ".bench-baseline"
_PACKAGE = "custom_components"
_MIELE = "mielelocal"


def _ours(name: str) -> bool:
    return name == _PACKAGE or name.startswith(f"{_PACKAGE}.")


@dataclass(frozen=True, slots=True)
class Library:
    """The classes a benchmark needs, from one version of the library."""

    label: str
    client: Any  # MieleClient
    manager: Any  # ConnectionManager
    profile: Any  # DeviceProfile
    credentials: Any  # GroupCredentials
    error: Any  # MieleError

    @classmethod
    def current(cls) -> Library:
        """Return the library in this working tree."""
        return cls._from_modules("new")

    @classmethod
    def baseline(cls) -> Library:
        """Return the library at :data:`BASELINE_REF` (extracted by ``scripts/bench``)."""
        if not (BASELINE_DIR / BASELINE_REF).exists():
            raise RuntimeError(
                f"{BASELINE_DIR} does not hold {BASELINE_REF[:12]}: run scripts/bench"
            )
        ours = {name: module for name, module in sys.modules.items() if _ours(name)}
        for name in ours:
            del sys.modules[name]
        sys.path.insert(0, str(BASELINE_DIR))
        try:
            return cls._from_modules("old")
        finally:
            sys.path.remove(str(BASELINE_DIR))
            for name in [name for name in sys.modules if _ours(name)]:
                del sys.modules[name]
            sys.modules.update(ours)

    @classmethod
    def _from_modules(cls, label: str) -> Library:
        def module(name: str) -> Any:
            return importlib.import_module(f"{_MIELE}.{name}")

        return cls(
            label=label,
            client=module("client").MieleClient,
            manager=module("connection.manager").ConnectionManager,
            profile=module("connection.profile").DeviceProfile,
            credentials=module("credentials").GroupCredentials,
            error=module("exceptions").MieleError,
        )

    def group_credentials(self, group_id: str, group_key_hex: str) -> Any:
        """Return this version's ``GroupCredentials`` for the given hex values."""
        return self.credentials.from_hex(group_id, group_key_hex)
