"""The pre-commit hooks run exactly the checks of scripts/lint."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).parent.parent


def test_pre_commit_runs_the_checks_of_scripts_lint() -> None:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    (repo,) = config["repos"]
    hooks = [hook["entry"].removeprefix("scripts/run ") for hook in repo["hooks"]]
    lint = [
        line.removeprefix('"$repo/scripts/run" ').strip()
        for line in (ROOT / "scripts" / "lint").read_text().splitlines()
        if line.startswith('"$repo/scripts/run" ')
    ]
    # ruff runs on the staged files in pre-commit and on the whole tree ("." ) in lint.
    assert [entry.removesuffix(" .") for entry in lint] == hooks
    assert all(hook["language"] == "system" for hook in repo["hooks"])
