"""Canary secrets for the security tests, and the check that no output ever holds one."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from cli_harness import Run

CANARY = "canary-7f3e9d1c-do-not-print"
CANARY_ENV = "SECRET_CI_TOKEN"


def files_under(*folders: Path) -> Iterable[Path]:
    for folder in folders:
        if folder.is_dir() and not folder.is_symlink():
            yield from (p for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def assert_no_canary(runs: Iterable[Run], *folders: Path) -> None:
    """The canary is in no stdout or stderr, and in no file opspec wrote (state, plans, runs)."""
    for run in runs:
        assert CANARY not in run.stdout + run.stderr, run.describe()
        assert "Traceback" not in run.stderr, run.describe()
    for path in files_under(*folders):
        assert CANARY.encode() not in path.read_bytes(), path
