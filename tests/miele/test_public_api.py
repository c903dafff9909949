"""The library's public API is importable from the package, as the guide shows."""

from __future__ import annotations

import ast
from pathlib import Path

import mielelocal as miele

LIBRARY = Path(miele.__file__).parent


def test_public_names_resolve() -> None:
    for name in miele.__all__:
        assert getattr(miele, name) is not None, name
    assert miele.ConnectionState.HEALTHY == "healthy"


def test_library_never_imports_home_assistant() -> None:
    for path in LIBRARY.rglob("*.py"):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(n.split(".")[0] == "homeassistant" for n in names), path
