"""The ml-pipeline example through the real command line: crash, no-op, cascade, gate, cache.

One project goes through the issue's acceptance story in order (each step needs the state the
previous one left), driving ``opspec`` in a subprocess as a user does.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "ml-pipeline"
OPSPEC = (sys.executable, "-m", "engine.cli.main")
CRASH = "\ndef train(ctx):\n    raise RuntimeError('digits training crashed')\n"


class Project:
    def __init__(self, root: Path) -> None:
        shutil.copytree(EXAMPLE, root, ignore=shutil.ignore_patterns(".opspec", "__pycache__"))
        self.root = root
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("OPSPEC_")}
        self.env["OPSPEC_SECRETS_KEY_FILE"] = str(root.parent / "key")

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*OPSPEC, "-C", str(self.root), *args],
            capture_output=True,
            text=True,
            env=self.env,
            stdin=subprocess.DEVNULL,
            timeout=300,
        )

    def plan(self, *args: str) -> dict[str, dict[str, Any]]:
        done = self.run("plan", "--format", "json", *args)
        assert done.returncode == 0, done.stderr
        return {rc["address"]: rc for rc in json.loads(done.stdout)["resource_changes"]}

    def edit(self, name: str, old: str, new: str) -> None:
        path = self.root / name
        text = path.read_text()
        assert old in text
        path.write_text(text.replace(old, new))

    def registry(self) -> list[tuple[int, str | None]]:
        with sqlite3.connect(self.root / ".opspec" / "mlflow.db") as db:
            return db.execute(
                "SELECT v.version, a.alias FROM model_versions v LEFT JOIN "
                "registered_model_aliases a ON a.name = v.name AND a.version = v.version "
                "ORDER BY v.version"
            ).fetchall()


def changes(plan: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    return {
        a: rc["change"]["actions"] for a, rc in plan.items() if rc["change"]["actions"] != ["no-op"]
    }


def test_ml_pipeline_example(tmp_path: Path) -> None:
    p = Project(tmp_path / "ml-pipeline")
    first = p.plan()
    assert set(changes(first)) == set(first) and len(first) == 7
    assert first["training_job.cancer_rf"]["cache"]["hit"] is False

    # A crashing job fails only its branch; its log is kept; the other branch registers.
    original = (p.root / "digits_net.py").read_text()
    crashing = original.replace("def train(ctx):", "def _unused(ctx):") + CRASH
    (p.root / "digits_net.py").write_text(crashing)
    done = p.run("apply", "--auto-approve")
    assert done.returncode == 1
    logs = list((p.root / ".opspec" / "runs" / "training_job.digits_mlp").glob("*/log.txt"))
    assert any("digits training crashed" in log.read_text() for log in logs)
    assert p.registry() == [(1, "champion")]
    (p.root / "digits_net.py").write_text(original)
    assert p.run("apply", "--auto-approve").returncode == 0  # re-apply retries it
    assert p.run("plan", "--detailed-exitcode").returncode == 0

    # One hyperparameter: that job, its evaluation and a new model version; the reason names it.
    p.edit("main.ops.yaml", "n_estimators: 100", "n_estimators: 60")
    plan = p.plan()
    assert changes(plan) == {
        "training_job.cancer_rf": ["delete", "create"],
        "evaluation.cancer_rf": ["delete", "create"],
        "model.cancer_classifier": ["update"],
    }
    assert "params.n_estimators" in plan["training_job.cancer_rf"]["reason"]
    assert plan["training_job.cancer_rf"]["cache"]["changed_inputs"] == ["params"]

    # A gate that fails stops registration: exit 1, measured value, registry untouched.
    done = p.run("apply", "--auto-approve", "--var", "min_accuracy=0.999")
    assert done.returncode == 1
    assert "accuracy = 0.9" in done.stdout + done.stderr
    assert p.registry() == [(1, "champion")]

    # Reverting plans cache hits: nothing trains again.
    p.edit("main.ops.yaml", "n_estimators: 60", "n_estimators: 100")
    plan = p.plan()
    assert plan["training_job.cancer_rf"]["cache"]["hit"] is True
    assert p.run("apply", "--auto-approve").returncode == 0
    assert p.run("plan", "--detailed-exitcode").returncode == 0

    # Destroy removes the registered versions; the cache survives it.
    assert p.run("destroy", "--auto-approve").returncode == 0
    assert p.registry() == []
    plan = p.plan()
    jobs = [a for a in plan if a.startswith(("training_job.", "evaluation."))]
    assert len(jobs) == 4 and all(plan[a]["cache"]["hit"] for a in jobs)
