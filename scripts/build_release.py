"""
Build the release archive that HACS installs: `dist/miele_local.zip`.

The archive's root holds the integration's files (`manifest.json` at the top, as HACS's
`zip_release` expects) and the library as the subpackage `mielelocal/`. Every absolute import
of `mielelocal` in it becomes a relative import of that copy. Entries are sorted and carry
fixed timestamps and modes: the same sources give the same bytes.

    scripts/run python scripts/build_release.py [--output PATH]
"""

from __future__ import annotations

import argparse
import ast
from pathlib import Path
import re
import stat
import sys
import zipfile

REPO = Path(__file__).resolve().parent.parent
COMPONENT = REPO / "custom_components" / "miele_local"
LIBRARY = REPO / "mielelocal"
LIBRARY_NAME = "mielelocal"
ARCHIVE_NAME = "miele_local.zip"
DEFAULT_OUTPUT = REPO / "dist" / ARCHIVE_NAME
# The library's files besides its modules: what its wheel ships too (pyproject.toml).
LIBRARY_DATA = frozenset({"py.typed", "README.md"})
TIMESTAMP = (1980, 1, 1, 0, 0, 0)  # the earliest a zip entry can carry
FILE_MODE = stat.S_IFREG | 0o644
UNIX = 3  # ZipInfo.create_system


class ReleaseError(Exception):
    """The sources cannot be turned into a release archive."""


def is_library(module: str | None) -> bool:
    """Whether the dotted `module` is the library or one of its modules."""
    return module is not None and (
        module == LIBRARY_NAME or module.startswith(f"{LIBRARY_NAME}.")
    )


def relative_module(package: tuple[str, ...], target: tuple[str, ...]) -> str:
    """
    The relative module name that reaches `target` from `package`.

    Both are paths inside the archive's root package: `()` is the integration itself,
    `("push",)` its push package, `("mielelocal", "connection")` a library package.
    """
    common = 0
    for ours, theirs in zip(package, target, strict=False):
        if ours != theirs:
            break
        common += 1
    return "." * (len(package) - common + 1) + ".".join(target[common:])


def _line_starts(source: bytes) -> list[int]:
    """The byte offset at which each line of `source` starts (ast counts UTF-8 bytes)."""
    starts = [0]
    starts.extend(match.end() for match in re.finditer(rb"\r\n|\r|\n", source))
    return starts


def _offset(lines: list[int], line: int | None, column: int | None) -> int:
    """The byte offset of a node's (line, column) position."""
    if line is None or column is None:
        raise ReleaseError("an import without a position")
    return lines[line - 1] + column


def _import_from(
    source: bytes, start: int, node: ast.ImportFrom, package: tuple[str, ...]
) -> tuple[int, int, bytes]:
    """The span of `node`'s module name and its relative replacement."""
    module = node.module or ""
    pattern = rb"from[ \t]+(" + re.escape(module.encode()) + rb")(?![\w.])"
    if (match := re.compile(pattern).match(source, start)) is None:
        raise ReleaseError(f"line {node.lineno}: cannot find `from {module}`")
    relative = relative_module(package, tuple(module.split(".")))
    return match.start(1), match.end(1), relative.encode()


def _import(
    source: bytes, span: tuple[int, int], node: ast.Import, package: tuple[str, ...]
) -> tuple[int, int, bytes]:
    """The span of the `import mielelocal...` statement `node` and its replacement."""
    if len(node.names) != 1:
        raise ReleaseError(
            f"line {node.lineno}: import {LIBRARY_NAME} in a statement of its own"
        )
    (alias,) = node.names
    parts = tuple(alias.name.split("."))
    if len(parts) > 1 and alias.asname is None:
        # `import mielelocal.client` binds `mielelocal`: no relative import does that.
        raise ReleaseError(
            f"line {node.lineno}: `import {alias.name}` cannot be made relative; "
            f"write `from {'.'.join(parts[:-1])} import {parts[-1]}`"
        )
    text = f"from {relative_module(package, parts[:-1])} import {parts[-1]}"
    if alias.asname is not None:
        text += f" as {alias.asname}"
    return *span, text.encode()


def rewrite_imports(
    source: bytes, package: tuple[str, ...], filename: str = "<source>"
) -> bytes:
    """
    `source` with its absolute imports of the library made relative to `package`.

    `package` is the source's package inside the archive (see `relative_module`). Imports
    are found anywhere (functions, `if TYPE_CHECKING:` blocks); `import mielelocal.x`
    without `as` binds `mielelocal` itself and is refused, as is any import the rewrite
    cannot place safely.
    """
    try:
        tree = ast.parse(source, filename)
    except SyntaxError as err:
        raise ReleaseError(f"{filename}: {err}") from err
    lines = _line_starts(source)
    edits: list[tuple[int, int, bytes]] = []
    try:
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                if node.level == 0 and is_library(node.module):
                    start = _offset(lines, node.lineno, node.col_offset)
                    edits.append(_import_from(source, start, node, package))
            elif isinstance(node, ast.Import) and any(
                is_library(alias.name) for alias in node.names
            ):
                span = (
                    _offset(lines, node.lineno, node.col_offset),
                    _offset(lines, node.end_lineno, node.end_col_offset),
                )
                edits.append(_import(source, span, node, package))
    except ReleaseError as err:
        raise ReleaseError(f"{filename}, {err}") from err
    for begin, end, replacement in sorted(edits, reverse=True):
        source = source[:begin] + replacement + source[end:]
    return source


def absolute_library_imports(source: bytes, filename: str = "<source>") -> list[int]:
    """The lines of `source` that import the library absolutely."""
    return sorted(
        node.lineno
        for node in ast.walk(ast.parse(source, filename))
        if (
            isinstance(node, ast.ImportFrom)
            and node.level == 0
            and is_library(node.module)
        )
        or (
            isinstance(node, ast.Import)
            and any(is_library(alias.name) for alias in node.names)
        )
    )


def _shipped(relative: Path) -> bool:
    """Whether a file is source, not a cache, hidden file or compiled module."""
    return not any(
        part.startswith(".") or part == "__pycache__" for part in relative.parts
    ) and relative.suffix not in {".pyc", ".pyo"}


def archive_files(
    component: Path = COMPONENT, library: Path = LIBRARY
) -> dict[str, Path]:
    """The archive's file names (sorted) and the sources they come from."""
    files: dict[str, Path] = {}
    for path in component.rglob("*"):
        relative = path.relative_to(component)
        if relative.parts[0] == LIBRARY_NAME:
            raise ReleaseError(f"{path} would clash with the vendored library")
        if path.is_file() and _shipped(relative):
            files[relative.as_posix()] = path
    for path in library.rglob("*"):
        relative = path.relative_to(library)
        if (
            path.is_file()
            and _shipped(relative)
            and (relative.suffix == ".py" or relative.name in LIBRARY_DATA)
        ):
            files[f"{LIBRARY_NAME}/{relative.as_posix()}"] = path
    if "manifest.json" not in files:
        raise ReleaseError(f"{component} has no manifest.json")
    return dict(sorted(files.items()))


def archive_entries(
    component: Path = COMPONENT, library: Path = LIBRARY
) -> dict[str, bytes]:
    """The archive's file names (sorted) and contents, imports rewritten."""
    entries: dict[str, bytes] = {}
    for name, path in archive_files(component, library).items():
        data = path.read_bytes()
        if name.endswith(".py"):
            package = tuple(name.split("/")[:-1])
            data = rewrite_imports(data, package, str(path))
            if lines := absolute_library_imports(data, str(path)):
                raise ReleaseError(f"{path}: absolute import left on lines {lines}")
        entries[name] = data
    return entries


def build_archive(
    output: Path = DEFAULT_OUTPUT, component: Path = COMPONENT, library: Path = LIBRARY
) -> Path:
    """Write the release archive to `output` (replacing it only once complete)."""
    entries = archive_entries(component, library)
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(f".{output.name}.partial")
    with zipfile.ZipFile(partial, "w") as archive:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name, date_time=TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = UNIX
            info.external_attr = FILE_MODE << 16
            archive.writestr(info, data, compresslevel=9)
    partial.replace(output)
    return output


def main(argv: list[str] | None = None) -> int:
    """Build the archive; print where it is and how many files it holds."""
    parser = argparse.ArgumentParser(
        description="Build the release archive that HACS installs."
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=DEFAULT_OUTPUT,
        help=f"where to write it (default: dist/{ARCHIVE_NAME})",
    )
    args = parser.parse_args(argv)
    try:
        output = build_archive(args.output, COMPONENT, LIBRARY)
    except ReleaseError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    with zipfile.ZipFile(output) as archive:
        count = len(archive.namelist())
    print(f"{output}: {count} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
