"""Editing a row of a CSV dataset plans the cascade; reverting it plans cache hits (CLI)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]

OPSPEC = (sys.executable, "-m", "engine.cli.main")
SPEC = """
resources:
  dataset.points:
    path: data/points.csv
    target: label
    split: {test: 0.25, seed: 1}
  training_job.lr:
    framework: sklearn
    dataset: ${dataset.points.uri}
    target: label
    estimator: sklearn.linear_model.LogisticRegression
    params: {C: 1.0}
  evaluation.lr:
    model: ${training_job.lr.model_uri}
    dataset: ${dataset.points.uri}
    metrics: [accuracy]
  null.untouched:
    triggers: {a: "1"}
"""


def write_points(path: Path, first_value: str) -> None:
    rows = [f"{first_value},0"] + [f"{i % 9 + (i % 2) * 10}.5,{i % 2}" for i in range(1, 40)]
    path.write_text("x,label\n" + "\n".join(rows) + "\n")


def opspec(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPSPEC_")}
    env["OPSPEC_SECRETS_KEY_FILE"] = str(root.parent / "key")
    return subprocess.run(
        [*OPSPEC, "-C", str(root), *args],
        capture_output=True,
        text=True,
        env=env,
        stdin=subprocess.DEVNULL,
        timeout=300,
    )


def plan(root: Path, *args: str) -> dict[str, dict[str, Any]]:
    done = opspec(root, "plan", "--format", "json", *args)
    assert done.returncode == 0, done.stderr
    return {rc["address"]: rc for rc in json.loads(done.stdout)["resource_changes"]}


def test_editing_a_row_cascades_and_reverting_hits_the_cache(tmp_path: Path) -> None:
    root = tmp_path / "project"
    (root / "data").mkdir(parents=True)
    (root / "main.ops.yaml").write_text(SPEC)
    write_points(root / "data" / "points.csv", "0.5")
    assert opspec(root, "apply", "--auto-approve").returncode == 0

    write_points(root / "data" / "points.csv", "0.75")
    edited = plan(root)
    actions = {a: rc["change"]["actions"] for a, rc in edited.items()}
    assert actions == {
        "dataset.points": ["update"],
        "training_job.lr": ["delete", "create"],
        "evaluation.lr": ["delete", "create"],
        "null.untouched": ["no-op"],
    }
    assert "sha256" in edited["dataset.points"]["reason"]
    assert edited["training_job.lr"]["cache"]["changed_inputs"] == ["dataset"]
    assert edited["training_job.lr"]["cache"]["hit"] is False
    # A pull request's plan sees the same, running no user code.
    assert opspec(root, "plan", "--untrusted").returncode == 0

    write_points(root / "data" / "points.csv", "0.5")
    reverted = plan(root)
    assert {a: rc["change"]["actions"] for a, rc in reverted.items()} == {
        a: ["no-op"] for a in reverted
    }
    write_points(root / "data" / "points.csv", "0.75")
    assert opspec(root, "apply", "--auto-approve").returncode == 0
    write_points(root / "data" / "points.csv", "0.5")
    back = plan(root)
    assert back["training_job.lr"]["cache"]["hit"] is True
    assert back["evaluation.lr"]["cache"]["hit"] is True
