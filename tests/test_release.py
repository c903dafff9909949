"""The release archive (scripts/build_release.py) and the library's wheel (pyproject.toml)."""

from __future__ import annotations

import ast
import email.parser
import importlib.util
import os
from pathlib import Path
import shutil
import subprocess
import sys
from typing import TYPE_CHECKING
import zipfile

import pytest

if TYPE_CHECKING:
    from types import ModuleType

ROOT = Path(__file__).parent.parent
LIBRARY = ROOT / "mielelocal"
COMPONENT = ROOT / "custom_components" / "miele_local"


def _load_build_release() -> ModuleType:
    """`scripts/build_release.py` as a module (scripts/ is no package)."""
    if (loaded := sys.modules.get("build_release")) is not None:
        return loaded
    spec = importlib.util.spec_from_file_location(
        "build_release", ROOT / "scripts" / "build_release.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_release"] = module
    spec.loader.exec_module(module)
    return module


release = _load_build_release()

SAMPLE = b'''\
"""A module."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mielelocal import codes
from mielelocal.client import MieleClient
from mielelocal.connection.health import (
    ConnectionState,
    DeviceHealth,
)
from mielelocalish import other
from custom_components.miele_local.const import DOMAIN
from .const import LOGGER

if TYPE_CHECKING:
    from mielelocal.models import State


def later() -> None:
    """Say "from mielelocal.client import MieleClient"."""
    from mielelocal.exceptions import MieleError  # noqa: PLC0415
'''


REWRITTEN_LINES = (7, 8, 9, 18, 23)  # not the docstring's import on line 22


def _rewritten(prefix: str, root: str) -> bytes:
    """SAMPLE as rewritten: `prefix` reaches into the library, `root` is its top."""
    lines = SAMPLE.decode().splitlines(keepends=True)
    for number in REWRITTEN_LINES:
        lines[number - 1] = (
            lines[number - 1]
            .replace("from mielelocal import", f"from {root} import")
            .replace("from mielelocal.", f"from {prefix}")
        )
    return "".join(lines).encode()


@pytest.mark.parametrize(
    ("package", "prefix", "root"),
    [
        ((), ".mielelocal.", ".mielelocal"),  # custom_components/miele_local/x.py
        (("push",), "..mielelocal.", "..mielelocal"),  # push/x.py
        (("mielelocal",), ".", "."),  # the library's own modules
        (("mielelocal", "codes"), "..", ".."),  # mielelocal/codes/x.py
    ],
)
def test_library_imports_become_relative_at_the_module_depth(
    package: tuple[str, ...], prefix: str, root: str
) -> None:
    result = release.rewrite_imports(SAMPLE, package)

    assert result == _rewritten(prefix, root)
    assert release.absolute_library_imports(result) == []
    assert release.absolute_library_imports(SAMPLE) == list(REWRITTEN_LINES)


def test_imports_within_a_library_package_stay_inside_it() -> None:
    source = b"from mielelocal.connection.pool import X\nfrom mielelocal.connection import Y\n"

    assert release.rewrite_imports(source, ("mielelocal", "connection")) == (
        b"from .pool import X\nfrom . import Y\n"
    )


def test_plain_imports_are_rewritten_when_they_bind_the_same_name() -> None:
    source = (
        "import mielelocal\n"
        "import mielelocal as ml\n"
        "import mielelocal.connection.pool as pool  # ok\n"
        "x = 'é'; import mielelocal.client as c\n"
    ).encode()

    assert release.rewrite_imports(source, ("push",)).decode() == (
        "from .. import mielelocal\n"
        "from .. import mielelocal as ml\n"
        "from ..mielelocal.connection import pool as pool  # ok\n"
        "x = 'é'; from ..mielelocal import client as c\n"
    )
    assert release.rewrite_imports(b"import mielelocal\n", ("mielelocal", "codes")) == (
        b"from ... import mielelocal\n"
    )


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (b"import mielelocal.client\n", "cannot be made relative"),
        (b"import os, mielelocal\n", "statement of its own"),
        (b"from \\\n    mielelocal.client import X\n", "cannot find"),
        (b"from mielelocal import (\n", "never closed"),
    ],
)
def test_imports_that_cannot_be_rewritten_safely_are_refused(
    source: bytes, message: str
) -> None:
    with pytest.raises(release.ReleaseError, match=message):
        release.rewrite_imports(source, (), "x.py")


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The release archive built from the working tree."""
    built: Path = release.build_archive(
        tmp_path_factory.mktemp("release") / "miele_local.zip"
    )
    return built


def test_archive_holds_the_integration_at_its_root_and_the_library_inside(
    archive: Path,
) -> None:
    with zipfile.ZipFile(archive) as zipped:
        names = zipped.namelist()
        sources = {name: zipped.read(name) for name in names if name.endswith(".py")}
    assert names == sorted(names)
    assert {"manifest.json", "__init__.py", "push/hub.py", "brand/icon.png"} <= set(
        names
    )
    assert {"mielelocal/__init__.py", "mielelocal/py.typed"} <= set(names)
    assert {
        f"mielelocal/{path.relative_to(LIBRARY).as_posix()}"
        for path in LIBRARY.rglob("*.py")
        if "__pycache__" not in path.parts
    } <= set(names)
    assert not [name for name in names if name.endswith((".pyc", "ruff.toml"))]
    assert not [
        name
        for name in names
        if name.split("/")[0]
        in {"custom_components", "tests", "simulator", "bench", "soak", "scripts"}
        or "__pycache__" in name
        or "/." in f"/{name}"
    ]
    for name, source in sources.items():
        assert release.absolute_library_imports(source, name) == [], name
        tree = ast.parse(source)
        assert not [
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom)
            and node.module is not None
            and node.module.split(".")[0] == "mielelocal"
            and node.level == 0
        ]


def test_archive_keeps_other_files_byte_for_byte(archive: Path) -> None:
    with zipfile.ZipFile(archive) as zipped:
        assert (
            zipped.read("manifest.json") == (COMPONENT / "manifest.json").read_bytes()
        )
        assert zipped.read("mielelocal/py.typed") == (LIBRARY / "py.typed").read_bytes()
        pool = zipped.read("mielelocal/connection/pool.py").decode()
    assert "from ..credentials import validate_host" in pool


def test_unpacked_archive_imports_without_the_repository(
    archive: Path, tmp_path: Path
) -> None:
    """Every module loads from the unpacked copy; the library is the vendored one."""
    target = tmp_path / "custom_components" / "miele_local"
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(target)
        modules = [
            "custom_components.miele_local."
            + name.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
            for name in zipped.namelist()
            if name.endswith(".py") and not name.endswith("__main__.py")
        ]
    script = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "assert 'mielelocal' not in sys.modules, 'the repository library was imported'\n"
        "print(len(sys.modules))\n"
    )
    environ = {
        name: value for name, value in os.environ.items() if name != "PYTHONPATH"
    }
    result = subprocess.run(  # noqa: S603  # our own python
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def _copy_sources(destination: Path) -> tuple[Path, Path]:
    """The integration and the library copied to `destination`, caches included."""
    component = destination / "miele_local"
    library = destination / "mielelocal"
    shutil.copytree(COMPONENT, component, symlinks=True)
    shutil.copytree(LIBRARY, library, symlinks=True)
    return component, library


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    component, library = _copy_sources(tmp_path / "src")
    first = release.build_archive(tmp_path / "one.zip", component, library)
    for path in (*component.rglob("*"), *library.rglob("*")):
        os.utime(path, (1_900_000_000, 1_900_000_000))
    (library / "__pycache__").mkdir(exist_ok=True)
    (library / "__pycache__" / "client.cpython-314.pyc").write_bytes(b"\0")
    (component / ".DS_Store").write_bytes(b"\0")
    second = release.build_archive(tmp_path / "two.zip", component, library)

    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(second) as zipped:
        infos = zipped.infolist()
    assert {info.date_time for info in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {info.external_attr >> 16 for info in infos} == {0o100644}


def test_main_builds_the_archive_or_reports_a_refused_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "dist" / "miele_local.zip"
    assert release.main(["--output", str(output)]) == 0
    assert f"{output}: " in capsys.readouterr().out

    component, library = _copy_sources(tmp_path / "src")
    (component / "bad.py").write_text("import mielelocal.client\n")
    monkeypatch.setattr(release, "COMPONENT", component)
    monkeypatch.setattr(release, "LIBRARY", library)
    assert release.main(["--output", str(tmp_path / "bad.zip")]) == 1
    assert "bad.py, line 1: `import mielelocal.client`" in capsys.readouterr().err
    assert not (tmp_path / "bad.zip").exists()


def test_a_component_without_manifest_or_with_its_own_mielelocal_is_refused(
    tmp_path: Path,
) -> None:
    component, library = _copy_sources(tmp_path / "src")
    (component / "mielelocal").mkdir()
    with pytest.raises(release.ReleaseError, match="clash"):
        release.build_archive(tmp_path / "x.zip", component, library)
    (component / "mielelocal").rmdir()
    (component / "manifest.json").unlink()
    with pytest.raises(release.ReleaseError, match=r"no manifest\.json"):
        release.build_archive(tmp_path / "x.zip", component, library)


def test_wheel_holds_only_the_library(tmp_path: Path) -> None:
    """
    `pip wheel .` packages mielelocal/ with py.typed and README, and the console script.

    The build runs on a copy: the library itself and a stand-in package for each other
    folder of the repository, which must stay out of the wheel.
    """
    source = tmp_path / "source"
    shutil.copytree(LIBRARY, source / "mielelocal", symlinks=True)
    shutil.copy(ROOT / "pyproject.toml", source)
    for folder in ROOT.iterdir():
        if folder.is_dir() and folder.name not in {"mielelocal", "build", "dist"}:
            (source / folder.name).mkdir(exist_ok=True)
            (source / folder.name / "__init__.py").write_text("")
    subprocess.run(  # noqa: S603  # our own python
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q",
         "-w", str(tmp_path / "wheels")],
        check=True,
        timeout=180,
    )  # fmt: skip
    (wheel,) = (tmp_path / "wheels").glob("mielelocal-*-py3-none-any.whl")
    with zipfile.ZipFile(wheel) as zipped:
        names = zipped.namelist()
        info = next(name.split("/")[0] for name in names if "dist-info" in name)
        metadata = email.parser.Parser().parsestr(
            zipped.read(f"{info}/METADATA").decode()
        )
        entry_points = zipped.read(f"{info}/entry_points.txt").decode()

    library = {
        f"mielelocal/{path.relative_to(LIBRARY).as_posix()}"
        for path in LIBRARY.rglob("*")
        if path.is_file()
        and "__pycache__" not in path.parts
        and not any(part.startswith(".") for part in path.relative_to(LIBRARY).parts)
        and path.name != "ruff.toml"
    }
    assert {name for name in names if not name.startswith(f"{info}/")} == library
    assert {"mielelocal/py.typed", "mielelocal/README.md"} <= library
    assert metadata["Name"] == "mielelocal"
    assert metadata["Requires-Python"] == ">=3.14"
    assert {
        requirement.split(">")[0]
        for requirement in metadata.get_all("Requires-Dist", [])
    } == {"aiohttp", "cryptography", "yarl"}
    assert "mielelocal = mielelocal.cli:main" in entry_points
