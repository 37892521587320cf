"""Golden Markdown comments for representative plans (tests/fixtures/markdown-*/).

Each fixture folder holds ``plan.json`` (a plan document written by hand following the plan
JSON shape) and ``expected.md``; ``markdown-large`` builds its plan here because its point is
its size. Regenerate the goldens with ``OPSPEC_UPDATE_GOLDEN=1`` and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from engine.views.markdown import GITHUB_COMMENT_LIMIT, marker, render_markdown, summary

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
CASES = sorted(p.name for p in FIXTURES.glob("markdown-*") if p.is_dir())


def large_plan() -> dict[str, Any]:
    """A plan whose diffs add up to ~4x GitHub's limit, with one very large resource."""
    changes: list[dict[str, Any]] = [
        {
            "address": "training_job.intent", "type": "training_job", "name": "intent",
            "dependencies": [], "action_reason": "replace_because_cannot_update",
            "reason": "input `params.C` changed (1.0 → 10.0)",
            "cache": {"key": "k", "hit": False, "changed_inputs": ["params"]},
            "change": {"actions": ["delete", "create"], "before": {"params": {"C": 1.0}},
                       "after": {"params": {"C": 10.0}}, "after_unknown": {},
                       "replace_paths": [["params"]]},
        },
        {
            "address": "command.huge", "type": "command", "name": "huge", "dependencies": [],
            "action_reason": "create", "reason": "",
            "change": {"actions": ["create"], "before": None, "after_unknown": {},
                       "after": {"environment": {f"VAR_{i:04d}": f"value-{i:04d}-" + "x" * 20
                                                 for i in range(2000)}}},
        },
    ]  # fmt: skip
    for i in range(150):
        changes.append(
            {
                "address": f'file.config["{i:03d}"]', "type": "file", "name": "config",
                "index": f"{i:03d}", "dependencies": [], "action_reason": "create", "reason": "",
                "change": {"actions": ["create"], "before": None, "after_unknown": {"sha256": True},
                           "after": {"path": f"conf/{i:03d}.yaml", "sha256": None,
                                     "content": f"# config {i}\n" + "key: value\n" * (i * 2)}},
            }
        )  # fmt: skip
    passed = {
        "policy": "no-plaintext-secrets",
        "pack": "builtin",
        "enforcement": "mandatory",
        "passed": True,
        "violations": [],
        "overridden": False,
        "evaluated": True,
    }
    return {"format_version": "1.0", "workspace": "default", "resource_changes": changes,
            "output_changes": {}, "policy_results": [passed]}  # fmt: skip


def load_plan(case: str) -> dict[str, Any]:
    if case == "markdown-large":
        return large_plan()
    plan: dict[str, Any] = json.loads((FIXTURES / case / "plan.json").read_text())
    return plan


@pytest.mark.parametrize("case", CASES)
def test_golden(case: str) -> None:
    rendered = render_markdown(load_plan(case))
    golden = FIXTURES / case / "expected.md"
    if os.environ.get("OPSPEC_UPDATE_GOLDEN"):
        golden.write_text(rendered)
    assert rendered == golden.read_text()
    assert rendered.startswith(marker(load_plan(case).get("workspace", "default")) + "\n")


def test_there_are_golden_cases() -> None:
    assert {"markdown-ml-pipeline", "markdown-llm-serving", "markdown-secrets",
            "markdown-large"} <= set(CASES)  # fmt: skip


def test_large_plan_stays_under_the_limit_and_keeps_the_summary() -> None:
    plan = large_plan()
    raw = render_markdown(plan, max_chars=10**9)
    assert len(raw) > 3 * GITHUB_COMMENT_LIMIT
    rendered = render_markdown(plan)
    assert len(rendered) <= GITHUB_COMMENT_LIMIT
    assert rendered.startswith(summary(plan, 50))  # the summary is never cut
    assert "**Plan:** 151 to create, 1 to replace." in rendered
    assert "diffs elided (largest first)" in rendered
    assert "<code>+ command.huge</code> create <em>(diff elided: " in rendered
    # Smaller diffs are kept: the smallest file is still shown in full.
    assert '+ path = "conf/000.yaml"' in rendered


@pytest.mark.parametrize("limit", [4000, 8000, 20000, 40000])
def test_any_limit_above_the_summary_is_respected(limit: int) -> None:
    for case in CASES:
        plan = load_plan(case)
        rendered = render_markdown(plan, max_chars=limit)
        assert len(rendered) <= limit, case
        assert rendered.splitlines()[0] == marker(str(plan.get("workspace", "default")))
        assert "**Plan:**" in rendered or "**No changes.**" in rendered


def test_secrets_never_appear() -> None:
    for case in CASES:
        rendered = render_markdown(load_plan(case), max_chars=10**9)
        assert "UNMASKED" not in rendered and "LEAKED" not in rendered, case
    secrets = render_markdown(load_plan("markdown-secrets"))
    assert "+ environment.SLACK_API_TOKEN = (sensitive)" in secrets
    assert "+ headers[0].value = (sensitive)" in secrets


def test_marker_is_safe_in_an_html_comment() -> None:
    assert marker("prod") == "<!-- opspec-plan: prod -->"
    assert marker("a-->b <x>").count("-->") == 1


def test_thousands_of_resources_fit_and_say_what_is_not_listed() -> None:
    changes = [
        {"address": f"null.n{i}", "type": "null", "name": f"n{i}", "dependencies": [],
         "change": {"actions": ["create"], "before": None, "after": {"triggers": {"i": str(i)}},
                    "after_unknown": {}}}
        for i in range(3000)
    ]  # fmt: skip
    rendered = render_markdown({"workspace": "default", "resource_changes": changes})
    assert len(rendered) <= GITHUB_COMMENT_LIMIT
    assert "**Plan:** 3000 to create." in rendered
    assert "resource(s) not listed" in rendered and "<code>+ null.n0</code>" in rendered
