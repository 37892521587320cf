"""Every `tests/fixtures/plan-error-*` folder is a project whose offending lines carry
`# ERROR: <text>`: `plan` must exit 1 with a diagnostic at that file and line containing the
text, and leave no state behind. `# NAMED: <file>` marks a line another diagnostic must cite."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from engine.cli.main import main
from engine.states.sqlite import SqliteStateStore

FIXTURES = Path(__file__).parents[2] / "fixtures"
CASES = sorted(p for p in FIXTURES.glob("plan-error-*") if p.is_dir())
_MARK = re.compile(r"#\s*(ERROR|NAMED):\s*(.+?)\s*$")
_HEAD = re.compile(r"^(\S+?):(\d+):(\d+): error: ")


def _expectations(project: Path) -> list[tuple[str, str, int, str]]:
    out = []
    for spec in sorted(project.glob("*.ops.yaml")):
        for number, line in enumerate(spec.read_text().splitlines(), start=1):
            m = _MARK.search(line)
            if m:
                out.append((m.group(1), spec.name, number, m.group(2)))
    return out


def _blocks(stderr: str) -> list[tuple[str, int, str]]:
    blocks: list[tuple[str, int, str]] = []
    for line in stderr.splitlines():
        m = _HEAD.match(line)
        if m:
            blocks.append((m.group(1), int(m.group(2)), line))
        elif blocks and line.startswith("  "):
            file, number, text = blocks[-1]
            blocks[-1] = (file, number, text + "\n" + line)
    return blocks


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_plan_reports_error_at_marked_line(
    case: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = tmp_path / case.name
    shutil.copytree(case, project)
    expected = _expectations(project)
    assert any(kind == "ERROR" for kind, *_ in expected), "fixture marks no error"

    code = main(["-C", str(project), "plan"])
    captured = capsys.readouterr()

    assert code == 1, captured.out + captured.err
    blocks = _blocks(captured.err)
    for kind, file, number, text in expected:
        if kind == "ERROR":
            assert any(f == file and n == number and text in body for f, n, body in blocks), (
                f"no diagnostic at {file}:{number} containing {text!r}:\n{captured.err}"
            )
        else:
            assert f"{text}:{number}:" in captured.err, captured.err
    assert not SqliteStateStore(project / ".opspec" / "state.db").read("default").exists
    assert "Traceback" not in captured.err
