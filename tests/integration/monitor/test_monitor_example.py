"""examples/monitors on a fresh copy, with no server: apply, then `monitor run --once`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.slow

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "monitors"


def opspec(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "engine.cli.main", "-C", str(project), *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, f"opspec {' '.join(args)}\n{proc.stdout}\n{proc.stderr}"
    return proc


def test_example_applies_without_services_and_reports_incidents(tmp_path: Path) -> None:
    project = tmp_path / "monitors"
    shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns(".opspec"))
    opspec(project, "apply", "--auto-approve")
    rules = sorted(p.name for p in (project / ".opspec" / "prometheus" / "rules").iterdir())
    assert rules == ["checkout_error_rate.yml", "frontend_down.yml"]
    config = yaml.safe_load((project / ".opspec" / "alertmanager" / "alertmanager.yml").read_text())
    assert len(config["route"]["routes"]) == 3

    report = json.loads(opspec(project, "monitor", "run", "--once", "--format", "json").stdout)
    assert report["unreadable_sources"] == []
    by_root = {}
    for incident in report["incidents"]:
        by_root.setdefault(incident["root_cause"], []).append(incident)
    cascade = [i for i in by_root["db"] if len(i["alerts"]) == 3]
    assert len(cascade) == 1
    incident = cascade[0]
    assert [a["service"] for a in incident["alerts"]] == ["db", "checkout", "frontend"]
    assert (incident["owner"], incident["route"]) == ("data-team", "data-oncall")
    assert "frontend -> checkout -> db" in incident["evidence"][0]
    kinds = {a["type"] for i in report["incidents"] for a in i["alerts"]}
    assert kinds == {"anomaly", "forecast", "drift"}
    assert any(i["root_cause"] == "search" and len(i["alerts"]) == 1 for i in by_root["search"])

    text = opspec(project, "monitor", "run", "--once").stdout
    assert "root cause db, owner data-team, route data-oncall, 3 alert(s)" in text
