"""`scripts/setup` takes its Debian mirror from apt's sources (scripts/debian_mirror.sh)."""

from __future__ import annotations

from pathlib import Path
import shutil
import subprocess

import pytest

REPO = Path(__file__).resolve().parents[1]
LIBRARY = REPO / "scripts" / "debian_mirror.sh"
BASH = shutil.which("bash")

pytestmark = pytest.mark.skipif(BASH is None, reason="needs bash")

DEB822_CLOUD = """\
Types: deb
# http://snapshot.debian.org/archive/debian-security/20250520T000000Z
URIs: http://security.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb deb-src
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://ftp.de.debian.org/debian/
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
"""


def mirror(
    tmp_path: Path,
    sources_list: str | None = None,
    parts: dict[str, str] | None = None,
    env: dict[str, str] | None = None,
) -> str | None:
    """What `debian_mirror` prints for these sources, or None when it finds none."""
    list_file, parts_dir = tmp_path / "sources.list", tmp_path / "sources.list.d"
    parts_dir.mkdir()
    if sources_list is not None:
        list_file.write_text(sources_list)
    for name, text in (parts or {}).items():
        (parts_dir / name).write_text(text)
    assert BASH is not None
    result = subprocess.run(  # noqa: S603  # fixed argv
        [
            BASH, "-c", '. "$1" && debian_mirror "$2" "$3"', "bash",
            str(LIBRARY), str(list_file), str(parts_dir),
        ],
        capture_output=True,
        text=True,
        check=False,
        env={"PATH": "/usr/bin:/bin", "DEBIAN_DISTRO_INFO": "/nonexistent", **(env or {})},
    )  # fmt: skip
    assert result.stderr == ""
    assert result.returncode in {0, 1}, result
    return result.stdout.strip() if result.returncode == 0 else None


def test_deb822_skips_security_and_takes_the_main_archive(tmp_path: Path) -> None:
    assert mirror(tmp_path, parts={"debian.sources": DEB822_CLOUD}) == (
        "http://ftp.de.debian.org/debian"
    )


def test_one_line_format_with_options_and_comments(tmp_path: Path) -> None:
    sources = """\
# deb http://commented.example/debian unstable main
deb-src http://src-only.example/debian bookworm main
deb [arch=amd64 signed-by=/usr/share/keyrings/x.gpg] https://mirror.example/debian trixie main  # mine
"""
    assert mirror(tmp_path, sources) == "https://mirror.example/debian"


def test_sources_list_comes_before_the_parts_directory(tmp_path: Path) -> None:
    found = mirror(
        tmp_path,
        "deb http://first.example/debian sid main\n",
        {"a.sources": DEB822_CLOUD},
    )
    assert found == "http://first.example/debian"


def test_parts_are_read_in_name_order_and_others_ignored(tmp_path: Path) -> None:
    parts = {
        "00-vendor.list": "deb https://packages.vendor.example/apt stable-ish main\n",
        "10-old.list.disabled": "deb http://ignored.example/debian bookworm main\n",
        "20-debian.list": "deb http://second.example/debian/ bookworm-backports main\n",
        "30-debian.sources": DEB822_CLOUD,
    }
    assert mirror(tmp_path, parts=parts) == "http://second.example/debian"


def test_disabled_stanzas_are_skipped_and_fields_are_case_insensitive(
    tmp_path: Path,
) -> None:
    sources = """\
Types: deb
URIs: http://off.example/debian
Suites: unstable
Components: main
Enabled: no

types: deb
uris:
 http://on.example/debian
suites: unstable
components: main
"""
    assert mirror(tmp_path, parts={"x.sources": sources}) == "http://on.example/debian"


def test_a_mirror_list_is_resolved(tmp_path: Path) -> None:
    mirrors = tmp_path / "mirrors.list"
    mirrors.write_text("# ours\nhttps://cdn.example/debian\tpriority:1\n")
    sources = f"Types: deb\nURIs: mirror+file://{mirrors}\nSuites: bookworm\n"
    assert mirror(tmp_path, parts={"debian.sources": sources}) == (
        "https://cdn.example/debian"
    )


def test_ubuntu_or_nothing_configured_finds_no_debian_mirror(tmp_path: Path) -> None:
    (tmp_path / "ubuntu").mkdir()
    ubuntu = "deb http://archive.ubuntu.com/ubuntu noble main universe\n"
    assert mirror(tmp_path / "ubuntu", ubuntu) is None
    (tmp_path / "none").mkdir()
    assert mirror(tmp_path / "none") is None


def test_codenames_from_distro_info_are_known(tmp_path: Path) -> None:
    csv = tmp_path / "debian.csv"
    csv.write_text("version,codename,series,created\n17,Future,future,2031-01-01\n")
    sources = "deb http://new.example/debian future main\n"
    (tmp_path / "no").mkdir()
    assert mirror(tmp_path / "no", sources) is None
    (tmp_path / "yes").mkdir()
    found = mirror(tmp_path / "yes", sources, env={"DEBIAN_DISTRO_INFO": str(csv)})
    assert found == "http://new.example/debian"


def test_setup_names_a_host_only_as_the_fallback() -> None:
    setup = (REPO / "scripts" / "setup").read_text()
    assert "debian_mirror.sh" in setup
    assert setup.count("deb.debian.org") == 1
    (line,) = (line for line in setup.splitlines() if "deb.debian.org" in line)
    assert "debian_mirror" in line


def test_run_directly_it_prints_the_mirror(tmp_path: Path) -> None:
    list_file = tmp_path / "sources.list"
    list_file.write_text("deb http://direct.example/debian unstable main\n")
    assert BASH is not None
    result = subprocess.run(  # noqa: S603  # fixed argv
        [BASH, str(LIBRARY), str(list_file), str(tmp_path / "none")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout == "http://direct.example/debian\n"
