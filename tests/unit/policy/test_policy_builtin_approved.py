"""The gated-upstream rule accepts models the project lists as evaluated elsewhere."""

from __future__ import annotations

from typing import Any

from engine.policy import evaluate
from engine.policy.builtin import builtin_policies, parse_settings


def _plan(model: str) -> dict[str, Any]:
    return {
        "format_version": "1.0",
        "variables": {},
        "resource_changes": [
            {
                "address": "llm_service.chat",
                "type": "llm_service",
                "name": "chat",
                "index": None,
                "dependencies": [],
                "change": {
                    "actions": ["create"],
                    "before": None,
                    "after": {"model": model},
                    "after_unknown": {},
                },
            }
        ],
    }


def _result(model: str, approved: list[str]) -> Any:
    settings = {
        "gated-evaluation-upstream": parse_settings(
            "gated-evaluation-upstream", {"approved_models": approved}
        )
    }
    results = evaluate(_plan(model), builtin_policies(settings))
    return next(r for r in results if r.policy == "gated-evaluation-upstream")


def test_unlisted_model_is_a_violation() -> None:
    result = _result("org/unvetted", ["org/vetted"])
    assert not result.passed
    assert result.violations[0].address == "llm_service.chat"
    assert result.violations[0].field == "model"


def test_listed_model_passes() -> None:
    assert _result("org/vetted", ["org/vetted"]).passed
