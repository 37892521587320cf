"""Golden plan output: every `tests/fixtures/plan-golden-*` folder is a project (and, when it
has `state.json`, the state to plan against); its `plan.txt` and `plan.json` pin the text and
JSON plans. Regenerate after an intended change with OPSPEC_UPDATE_GOLDEN=1."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from engine.cli.main import main
from engine.states.sqlite import SqliteStateStore
from engine.states.store import StateSnapshot

FIXTURES = Path(__file__).parents[2] / "fixtures"
CASES = sorted(p for p in FIXTURES.glob("plan-golden-*") if p.is_dir())
UPDATE = os.environ.get("OPSPEC_UPDATE_GOLDEN") == "1"


def _project(case: Path, tmp_path: Path) -> Path:
    project = tmp_path / case.name
    shutil.copytree(case, project, ignore=shutil.ignore_patterns("plan.*", "state.json"))
    state = case / "state.json"
    if state.exists():
        snapshot = StateSnapshot.from_json(json.loads(state.read_text()))
        SqliteStateStore(project / ".opspec" / "state.db").push("default", snapshot)
    return project


def _run(project: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    code = main(["-C", str(project), "plan", "--refresh", "false", *extra])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return captured.out


def _compare(expected: Path, actual: str) -> None:
    if UPDATE:
        expected.write_text(actual)
    assert expected.exists(), f"missing golden {expected}; run with OPSPEC_UPDATE_GOLDEN=1"
    assert actual == expected.read_text()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_text_plan(case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _compare(case / "plan.txt", _run(_project(case, tmp_path), capsys))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_json_plan(case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = _run(_project(case, tmp_path), capsys, "--format", "json")
    doc = json.loads(out)  # exactly one JSON document on stdout
    assert doc["format_version"] == "1.0"
    _compare(case / "plan.json", out)
