"""The example GitHub Actions workflow agrees with the renderer and the CLI contract."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from engine.views.markdown import marker

WORKFLOW = Path(__file__).resolve().parents[3] / "examples" / "ci" / "opspec.yml"


def load() -> dict[Any, Any]:
    data: dict[Any, Any] = yaml.safe_load(WORKFLOW.read_text())
    return data


def steps(job: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = load()["jobs"][job]["steps"]
    return found


def test_triggers_plan_on_pull_requests_and_apply_on_merge() -> None:
    data = load()
    triggers = data["on"] if "on" in data else data[True]  # YAML 1.1 reads a bare `on` as true
    assert set(triggers) == {"pull_request", "push", "workflow_dispatch"}
    assert "pull_request" in data["jobs"]["plan"]["if"]
    assert "push" in data["jobs"]["apply"]["if"]


def test_plan_step_saves_the_plan_and_renders_markdown() -> None:
    script = next(s["run"] for s in steps("plan") if s.get("id") == "plan")
    assert "plan --untrusted" in script
    assert "--format markdown --out plan.bin > plan.md" in script


def test_comment_is_found_by_the_renderers_marker() -> None:
    script = next(
        s["with"]["script"] for s in steps("plan") if "github-script" in s.get("uses", "")
    )
    template = "<!-- opspec-plan: ${process.env.OPSPEC_WORKSPACE} -->"
    assert template in script
    workspace = load()["env"]["OPSPEC_WORKSPACE"]
    assert template.replace("${process.env.OPSPEC_WORKSPACE}", workspace) == marker(workspace)
    assert "updateComment" in script and "createComment" in script


def test_apply_runs_the_saved_plan_of_the_merged_pull_request() -> None:
    apply = steps("apply")
    downloads = [s for s in apply if s.get("uses", "").startswith("actions/download-artifact")]
    assert downloads and downloads[0]["with"]["run-id"]
    run = apply[-1]["run"]
    assert "apply plan.bin" in run and "--override" in run and "--reason" in run
    uploads = [s for s in steps("plan") if s.get("uses", "").startswith("actions/upload-artifact")]
    assert uploads[0]["with"]["name"] == "opspec-plan-${{ github.event.pull_request.head.sha }}"
