"""Rendering a plan JSON document as a Markdown pull-request comment.

The comment is for a reviewer who has ten seconds: a hidden marker line first (CI finds and
updates its one sticky comment by it), then the counts by action, a warning block for what is
destroyed or replaced, what will retrain/re-compress/re-benchmark and which input changed (or
that the cache hits), policy results, the cost delta, and last the per-resource diffs in
collapsible ``<details>`` blocks. GitHub refuses comments over 65,536 characters, so when the
whole does not fit, the largest diffs are elided first, with a note; the summary is never cut
(its lists shorten to "... and N more" before that). Values flagged sensitive are masked even if
a caller forgot to, and unknown values show as ``(known after apply)``: the diffs are
:mod:`engine.views.markdown_diff`, the policy and cost sections those the text plan shares.

It works over the plan JSON alone (the shape of ``opspec plan --format json``), so a saved
plan, a CI artifact or a plan from another machine render the same.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from engine.views.cost_section import delta_line, render_cost_markdown
from engine.views.markdown_diff import action_of, elided_block, output_block, resource_block
from engine.views.markup import cell, code, details, more, plural
from engine.views.policy_section import blocking_line, render_policy_markdown, views

GITHUB_COMMENT_LIMIT = 65536
JOB_VERBS = {
    "training_job": ("train", "retrain"),
    "fine_tune": ("fine-tune", "re-fine-tune"),
    "compression": ("compress", "re-compress"),
    "benchmark": ("benchmark", "re-benchmark"),
    "evaluation": ("evaluate", "re-evaluate"),
}
ACTION_ORDER = ("create", "update", "replace", "delete", "read", "no-op")
ACTION_WORDS = {"create": "to create", "update": "to update", "replace": "to replace",
                "delete": "to destroy", "read": "to read", "no-op": "unchanged"}  # fmt: skip


def marker(workspace: str) -> str:
    """The hidden first line that identifies the sticky comment of ``workspace``."""
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", workspace or "default")
    return f"<!-- opspec-plan: {safe} -->"


# ---- summary sections -----------------------------------------------------------------------


def _counts(changes: list[dict[str, Any]]) -> str:
    counts = {a: 0 for a in ACTION_ORDER}
    for change in changes:
        counts[action_of(change)] = counts.get(action_of(change), 0) + 1
    if not any(counts[a] for a in ACTION_ORDER if a != "no-op"):
        return f"**No changes.** {counts['no-op']} resources match the configuration."
    parts = [f"{counts[a]} {ACTION_WORDS[a]}" for a in ACTION_ORDER if counts.get(a)]
    return "**Plan:** " + ", ".join(parts) + "."


def _warnings(changes: list[dict[str, Any]], limit: int) -> list[str]:
    risky = [c for c in changes if action_of(c) in ("delete", "replace")]
    if not risky:
        return []
    items = []
    for change in risky:
        verb = "destroyed" if action_of(change) == "delete" else "replaced"
        why = change.get("reason") or change.get("action_reason") or ""
        items.append(f"- {code(change.get('address'))} will be **{verb}**"
                     + (f": {cell(why)}" if why else ""))  # fmt: skip
    head = f"**{plural(len(risky), 'resource', 'resources')} will be destroyed or replaced.**"
    body = [head, *more(items, limit, "resources")]
    return ["> [!CAUTION]", *("> " + line for line in body)]


def _recompute(changes: list[dict[str, Any]], limit: int) -> list[str]:
    rows = []
    for change in changes:
        verbs = JOB_VERBS.get(str(change.get("type")))
        action = action_of(change)
        if verbs is None or action not in ("create", "update", "replace"):
            continue
        cache = change.get("cache") or {}
        body = change.get("change") or {}
        verb = verbs[0] if body.get("before") is None else verbs[1]
        inputs = ", ".join(code(i) for i in cache.get("changed_inputs") or [])
        why = cell(change.get("reason") or change.get("action_reason") or "")
        why += f"; changed inputs: {inputs}" if inputs else ""
        hit = cache.get("hit")
        state = ":zap: hit, nothing reruns" if hit else "miss" if "hit" in cache else ""
        rows.append(
            f"| {code(change.get('address'))} | {'reuse' if hit else verb} | {why} | {state} |"
        )
    if not rows:
        return []
    runs = sum(1 for r in rows if "| reuse |" not in r)
    reused = len(rows) - runs
    head = f"{plural(runs, 'job', 'jobs')} will run" + (
        f"; {reused} will reuse cached results." if reused else "."
    )
    table = ["| Resource | Will | Why | Cache |", "|---|---|---|---|", *rows[:limit]]
    if len(rows) > limit:
        table.append(f"| ... | | and {len(rows) - limit} more | |")
    return ["### What will recompute", "", head, "", *table]


def _glance(plan: dict[str, Any]) -> list[str]:
    """One line each for what blocks the plan and what it costs, under the counts."""
    return blocking_line(views(plan.get("policy_results"))) + delta_line(plan.get("cost"))


def _header(plan: dict[str, Any]) -> list[str]:
    workspace = str(plan.get("workspace") or "default")
    flags = plan.get("flags") or {}
    kinds = [k for k, on in (("destroy", flags.get("destroy")),
                             ("refresh-only", flags.get("refresh_only"))) if on]  # fmt: skip
    title = f"## opspec plan: workspace `{cell(workspace)}`" + (
        f" ({', '.join(kinds)})" if kinds else ""
    )
    lines = [marker(workspace), title, "", _counts(plan.get("resource_changes") or [])]
    glance = _glance(plan)
    lines += ["", *(f"{g}  " for g in glance)] if glance else []
    if flags.get("untrusted"):
        lines += ["", "_Planned with `--untrusted`: no code from this change ran._"]
    return lines


def summary(plan: dict[str, Any], limit: int) -> str:
    changes = [c for c in plan.get("resource_changes") or [] if isinstance(c, dict)]
    sections = [
        _header(plan),
        _warnings(changes, limit),
        _recompute(changes, limit),
        render_policy_markdown(views(plan.get("policy_results")), limit),
        render_cost_markdown(plan.get("cost"), limit),
    ]
    return "\n\n".join("\n".join(s) for s in sections if s)


# ---- assembly -------------------------------------------------------------------------------


def _changed(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for change in plan.get("resource_changes") or []:
        if isinstance(change, dict) and action_of(change) != "no-op":
            yield change


def render_markdown(plan: dict[str, Any], *, max_chars: int = GITHUB_COMMENT_LIMIT) -> str:
    """The pull-request comment for ``plan``, at most ``max_chars`` characters long.

    Raises ``ValueError`` only when ``max_chars`` cannot hold even the shortest summary.
    """
    changes = list(_changed(plan))
    blocks = [resource_block(c) for c in changes]
    outputs = output_block(plan)
    for limit in (50, 10, 0):
        head = summary(plan, limit)
        parts = [head, "### Changes" if blocks or outputs else "", *blocks, outputs or ""]
        text = "\n\n".join(p for p in parts if p) + "\n"
        if len(text) <= max_chars:
            return text
        fitted = _elide(head, changes, blocks, outputs, max_chars)
        if fitted is not None:
            return fitted
    raise ValueError(f"max_chars={max_chars} is too small for the plan's summary")


def _elide(head: str, changes: list[dict[str, Any]], blocks: list[str], outputs: str | None,
           max_chars: int) -> str | None:  # fmt: skip
    """Replace the largest diffs by short notes until the comment fits, or ``None``."""
    shown = list(blocks)
    extra = outputs or ""
    budget = max_chars - 200 - len(head) - len("### Changes") - 8  # 200: room for the note
    size = sum(len(b) + 2 for b in shown) + len(extra) + 2
    elided: set[int] = set()
    for i in sorted(range(len(blocks)), key=lambda i: (-len(blocks[i]), i)):
        if size <= budget:
            break
        stub = elided_block(changes[i], len(blocks[i]))
        if len(stub) >= len(blocks[i]):  # the rest are smaller than a note about them
            break
        shown[i] = stub
        size += len(stub) - len(blocks[i])
        elided.add(i)
    if size > budget and outputs:
        extra = details("<b>Outputs</b>", "_Elided to fit the comment._")
        size += len(extra) - len(outputs)
    dropped = 0
    while size > budget and shown:  # even the notes do not fit: list fewer resources
        size -= len(shown.pop()) + 2
        elided.discard(len(shown))
        dropped += 1
    note = (f"> [!NOTE]\n> {plural(len(elided), 'diff', 'diffs')} elided (largest first) to "
            f"stay under GitHub's {GITHUB_COMMENT_LIMIT:,}-character comment limit"
            + (f"; {dropped} resource(s) not listed" if dropped else "") + ".")  # fmt: skip
    text = "\n\n".join(p for p in [head, note, "### Changes", *shown, extra] if p) + "\n"
    return text if len(text) <= max_chars else None
