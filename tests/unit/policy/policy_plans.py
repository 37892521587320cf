"""Plan JSON documents built by hand for policy tests, following the plan document's shape."""

from __future__ import annotations

from typing import Any

Change = dict[str, Any]


def change(
    address: str,
    after: dict[str, Any] | None = None,
    *,
    deps: list[str] | None = None,
    actions: list[str] | None = None,
    before: dict[str, Any] | None = None,
    **extra: Any,
) -> Change:
    type_, name = address.split("[", 1)[0].split(".", 1)
    return {
        "address": address,
        "type": type_,
        "name": name,
        "index": None,
        "mode": "managed",
        "pos": None,
        "dependencies": deps or [],
        "change": {
            "actions": actions or ["create"],
            "before": before,
            "after": after if after is not None else {},
            "after_unknown": {},
            "before_sensitive": {},
            "after_sensitive": {},
            "replace_paths": [],
        },
        "action_reason": "create",
        "reason": "",
        **extra,
    }


def plan(*changes: Change, **extra: Any) -> dict[str, Any]:
    return {
        "format_version": "1.0",
        "workspace": "default",
        "variables": {},
        "resource_changes": list(changes),
        "output_changes": {},
        **extra,
    }


def gated_pipeline() -> list[Change]:
    """data -> training -> gated evaluation -> model with an alias and prevent_destroy."""
    return [
        change("dataset.tickets", {"path": "data/t.csv"}),
        change("training_job.intent", {"framework": "sklearn"}, deps=["dataset.tickets"]),
        change(
            "evaluation.intent",
            {"metrics": ["accuracy"], "gates": {"accuracy": ">= 0.9"}},
            deps=["training_job.intent", "dataset.tickets"],
        ),
        change(
            "model.intent",
            {"name": "intent", "artifact": "art://x", "aliases": ["champion"]},
            deps=["training_job.intent", "evaluation.intent"],
            lifecycle={"prevent_destroy": True},
        ),
    ]
