"""Rendering a plan JSON document as a Markdown pull-request comment.

The comment is for a reviewer who has ten seconds: a hidden marker line first (CI finds and
updates its one sticky comment by it), then the counts by action, a warning block for what is
destroyed or replaced, what will retrain/re-compress/re-benchmark and which input changed (or
that the cache hits), policy results, the cost delta, and last the per-resource diffs in
collapsible ``<details>`` blocks. GitHub refuses comments over 65,536 characters, so when the
whole does not fit, the largest diffs are elided first, with a note; the summary is never cut
(its lists shorten to "... and N more" before that). Values flagged sensitive are masked even if
a caller forgot to, and unknown values show as ``(known after apply)``.

It works over the plan JSON alone (the shape of ``opspec plan --format json``), so a saved
plan, a CI artifact or a plan from another machine render the same.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from typing import Any

from engine.policy.secrets import is_plaintext, looks_like_secret_name

GITHUB_COMMENT_LIMIT = 65536
MASK = "(sensitive)"
UNKNOWN = "(known after apply)"
LONG_VALUE = 1000
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
SIGILS = {"create": "+", "update": "~", "replace": "-/+", "delete": "-", "read": "<=", "no-op": " "}


def marker(workspace: str) -> str:
    """The hidden first line that identifies the sticky comment of ``workspace``."""
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", workspace or "default")
    return f"<!-- opspec-plan: {safe} -->"


def action_of(change: dict[str, Any]) -> str:
    actions = (change.get("change") or {}).get("actions") or ["no-op"]
    return "replace" if len(actions) == 2 else str(actions[0])


def _cell(text: Any) -> str:
    return str(text).replace("\r", " ").replace("\n", " ").replace("|", "\\|").strip()


def _code(text: Any) -> str:
    return f"`{_cell(text).replace('`', '')}`"


def _n(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _more(items: list[str], limit: int, what: str) -> list[str]:
    shown = items[:limit]
    if len(items) > limit:
        shown.append(f"- ... and {len(items) - limit} more {what}")
    return shown


# ---- values and diffs -----------------------------------------------------------------------


def _scalar(value: Any) -> str:
    if isinstance(value, dict | list):  # only empty ones reach here
        return "{}" if isinstance(value, dict) else "[]"
    text = json.dumps(value, ensure_ascii=False)
    if len(text) > LONG_VALUE:
        text = f"{text[:LONG_VALUE]}... ({len(text) - LONG_VALUE:,} more characters)"
    return text


def _sub(marks: Any, key: str | int) -> Any:
    if isinstance(marks, dict):
        return marks.get(key)
    if isinstance(marks, list) and isinstance(key, int) and key < len(marks):
        return marks[key]
    return None


def _secret_pair(key: str, item: Any, parent: dict[str, Any]) -> bool:
    """A plaintext value at a secret-looking key, or the value of a secret-named pair."""
    if not is_plaintext(item):
        return False
    name = parent.get("name") if key == "value" else key
    return isinstance(name, str) and looks_like_secret_name(name)


def flatten(
    value: Any, sensitive: Any = None, unknown: Any = None, path: str = ""
) -> dict[str, str]:
    """Leaf paths of ``value`` to display text, masking sensitive and unknown values."""
    if sensitive is True:
        return {path: MASK}
    if unknown is True:
        return {path: UNKNOWN}
    out: dict[str, str] = {}
    if isinstance(value, dict) and (value or (isinstance(unknown, dict) and unknown)):
        keys = list(value) + [k for k in (unknown or {}) if k not in value]
        for key in keys:
            where = f"{path}.{key}" if path else str(key)
            item = value.get(key)
            if _secret_pair(str(key), item, value):
                out[where] = MASK  # unflagged, but a secret by its name: never print it
                continue
            out.update(flatten(item, _sub(sensitive, key), _sub(unknown, key), where))
    elif isinstance(value, list) and value:
        for i, item in enumerate(value):
            out.update(flatten(item, _sub(sensitive, i), _sub(unknown, i), f"{path}[{i}]"))
    else:
        out[path] = _scalar(value)
    return out


def _forces(path: str, replace_paths: list[Any]) -> bool:
    for parts in replace_paths:
        prefix = ".".join(str(p) for p in parts) if isinstance(parts, list) else str(parts)
        if prefix and (path == prefix or path.startswith((prefix + ".", prefix + "["))):
            return True
    return False


def diff_lines(change: dict[str, Any], changed: list[Any] | None = None) -> list[str]:
    """The ``diff``-fenced lines of one resource change.

    Two masked values compare equal, so a masked path is shown as changed when it forces the
    replacement or is named in ``changed``.
    """
    body = change.get("change") or {}
    before = flatten(body.get("before"), body.get("before_sensitive"))
    after = flatten(body.get("after"), body.get("after_sensitive"), body.get("after_unknown"))
    before = {} if body.get("before") is None else before
    after = {} if body.get("after") is None and body.get("after_unknown") is not True else after
    replace_paths = body.get("replace_paths") or []
    lines: list[str] = []
    unchanged = 0
    for path in list(before) + [p for p in after if p not in before]:
        old, new = before.get(path), after.get(path)
        masked_change = old == MASK and _forces(path, [*replace_paths, *(changed or [])])
        if old == new and not masked_change:
            unchanged += 1
            continue
        note = "  # forces replacement" if _forces(path, replace_paths) else ""
        if old is not None:
            lines.append(f"- {path or '(value)'} = {old}{note if new is None else ''}")
        if new is not None:
            lines.append(f"+ {path or '(value)'} = {new}{note}")
    if unchanged and lines:
        lines.append(f"# ({_n(unchanged, 'unchanged attribute', 'unchanged attributes')} hidden)")
    return lines


def _fenced(lines: list[str]) -> str:
    text = "\n".join(lines)
    runs = [len(m) for m in re.findall(r"`+", text)]
    fence = "`" * max(3, max(runs, default=0) + 1)
    return f"{fence}diff\n{text}\n{fence}"


def _details(summary: str, body: str) -> str:
    return f"<details><summary>{summary}</summary>\n\n{body}\n\n</details>"


def _diff_summary(change: dict[str, Any], note: str = "") -> str:
    action = action_of(change)
    address = html.escape(str(change.get("address", "")), quote=False)
    why = change.get("reason") or ""
    tail = f" ({html.escape(_cell(why), quote=False)})" if why and action != "create" else ""
    return f"<code>{SIGILS.get(action, '?')} {address}</code> {action}{tail}{note}"


def resource_block(change: dict[str, Any]) -> str:
    lines = diff_lines(change)
    body = _fenced(lines) if lines else "_No attribute changes._"
    return _details(_diff_summary(change), body)


def elided_block(change: dict[str, Any], size: int) -> str:
    note = f" <em>(diff elided: {size:,} characters)</em>"
    body = "Too large for a comment; run `opspec show PLANFILE` on the saved plan to see it."
    return _details(_diff_summary(change, note), body)


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
        items.append(f"- {_code(change.get('address'))} will be **{verb}**"
                     + (f": {_cell(why)}" if why else ""))  # fmt: skip
    head = f"**{_n(len(risky), 'resource', 'resources')} will be destroyed or replaced.**"
    body = [head, *_more(items, limit, "resources")]
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
        inputs = ", ".join(_code(i) for i in cache.get("changed_inputs") or [])
        why = _cell(change.get("reason") or change.get("action_reason") or "")
        why += f"; changed inputs: {inputs}" if inputs else ""
        hit = cache.get("hit")
        state = ":zap: hit, nothing reruns" if hit else "miss" if "hit" in cache else ""
        rows.append(
            f"| {_code(change.get('address'))} | {'reuse' if hit else verb} | {why} | {state} |"
        )
    if not rows:
        return []
    runs = sum(1 for r in rows if "| reuse |" not in r)
    reused = len(rows) - runs
    head = f"{_n(runs, 'job', 'jobs')} will run" + (
        f"; {reused} will reuse cached results." if reused else "."
    )
    table = ["| Resource | Will | Why | Cache |", "|---|---|---|---|", *rows[:limit]]
    if len(rows) > limit:
        table.append(f"| ... | | and {len(rows) - limit} more | |")
    return ["### What will recompute", "", head, "", *table]


def _policy_line(result: dict[str, Any], limit: int) -> list[str]:
    name = _code(f"{result.get('pack')}/{result.get('policy')}")
    level = result.get("enforcement", "")
    if result.get("overridden"):
        icon, state = ":unlock:", f"overridden: {_cell(result.get('override_reason') or '')}"
    elif result.get("error") or not result.get("evaluated", True):
        icon, state = ":grey_question:", _cell(result.get("error") or "not evaluated")
    else:
        icon = ":x:" if level == "mandatory" else ":warning:"
        state = "failed"
    lines = [f"- {icon} {name} ({level}): {state}"]
    found = [
        f"  - {_code(v.get('address') or 'plan')}"
        + (f" {_code(v.get('field'))}" if v.get("field") else "")
        + f": {_cell(v.get('message', ''))}"
        for v in result.get("violations") or []
    ]
    lines += [f"  {line}" if line.startswith("- ") else line for line in _more(found, limit, "")]
    return lines


def _policies(results: list[dict[str, Any]], limit: int) -> list[str]:
    if not results:
        return []
    failed = [r for r in results if not r.get("passed")]
    blocking = [
        r for r in failed if r.get("enforcement") == "mandatory" and not r.get("overridden")
    ]
    passed = [r for r in results if r.get("passed") and r.get("evaluated", True)]
    disabled = [r for r in results if r.get("enforcement") == "disabled"]
    if blocking:
        head = f":x: **{_n(len(blocking), 'mandatory policy', 'mandatory policies')} " \
               "failed**: apply will refuse this plan unless overridden."  # fmt: skip
    elif failed:
        head = f":warning: No blocking failures; {_n(len(failed), 'policy', 'policies')} to review."
    else:
        head = f":white_check_mark: {_n(len(passed), 'policy', 'policies')} evaluated, all passed."
    order = {"mandatory": 0, "advisory": 1}
    failed.sort(key=lambda r: (bool(r.get("overridden")), order.get(r.get("enforcement", ""), 2)))
    lines = ["### Policies", "", head, ""]
    for result in failed[: max(limit, 1)]:
        lines += _policy_line(result, max(limit // 10, 3))
    if len(failed) > max(limit, 1):
        lines.append(f"- ... and {len(failed) - max(limit, 1)} more failed policies")
    if passed:
        names = ", ".join(_code(f"{r.get('pack')}/{r.get('policy')}") for r in passed[:limit])
        more = f" and {len(passed) - limit} more" if len(passed) > limit else ""
        lines += ([""] if lines[-1] else []) + [_details(f"{len(passed)} passed", names + more)]
    if disabled:
        lines.append(
            f"\n{len(disabled)} disabled: "
            + ", ".join(_code(r.get("policy")) for r in disabled[:limit])
        )
    return lines


def _money(value: Any, currency: str, *, sign: bool = False) -> str:
    if value is None:
        return "n/a"
    amount = float(value)
    text = f"${abs(amount):,.2f}" if currency == "USD" else f"{abs(amount):,.2f} {currency}"
    if amount < 0:
        return "-" + text
    return ("+" + text) if sign and amount > 0 else text


def _cost(cost: dict[str, Any] | None, limit: int) -> list[str]:
    if not cost or not (cost.get("resources") or cost.get("gpu_hours")):
        return []
    cur = str(cost.get("currency", "USD"))
    lines = ["### Cost (estimate)", "", "| | Hourly | Monthly |", "|---|---:|---:|"]
    for label, key, sign in (("Before", "before", False), ("After", "after", False),
                             ("**Delta**", "delta", True)):  # fmt: skip
        hourly = _money(cost.get(f"hourly_{key}"), cur, sign=sign)
        monthly = _money(cost.get(f"monthly_{key}"), cur, sign=sign)
        bold = "**" if sign else ""
        lines.append(f"| {label} | {bold}{hourly}{bold} | {bold}{monthly}{bold} |")
    notes = []
    if (cost.get("hourly_after_max") or 0) > (cost.get("hourly_after") or 0):
        notes.append(f"At peak autoscaling: {_money(cost['hourly_after_max'], cur)}/h.")
    if cost.get("gpu_hours"):
        hours, price = cost.get("gpu_hours_total", 0), _money(cost.get("gpu_hours_cost"), cur)
        notes.append(f"Training and fine-tuning in this apply: about {hours:g} GPU-hours "
                     f"({price}, estimate).")  # fmt: skip
    if cost.get("unpriced"):
        notes.append(f"{len(cost['unpriced'])} resource(s) could not be priced.")
    rows = [
        f"| {_code(r.get('address'))} | {_money(r.get('hourly_before'), cur)} | "
        f"{_money(r.get('hourly_after'), cur)} | {_cell(r.get('detail', ''))} |"
        for r in cost.get("resources") or []
    ]
    table = ["| Resource | Before /h | After /h | Detail |", "|---|---:|---:|---|", *rows[:limit]]
    if len(rows) > limit:
        table.append(f"| ... | | | and {len(rows) - limit} more |")
    lines += ["", " ".join(notes)] if notes else []
    lines += ["", _details("Cost by resource", "\n".join(table))] if rows and limit else []
    return lines


def _glance(plan: dict[str, Any]) -> list[str]:
    """One line each for what blocks the plan and what it costs, under the counts."""
    lines = []
    results = [r for r in plan.get("policy_results") or [] if isinstance(r, dict)]
    blocking = [r for r in results if r.get("enforcement") == "mandatory"
                and not r.get("passed") and not r.get("overridden")]  # fmt: skip
    if blocking:
        count = _n(len(blocking), "mandatory policy", "mandatory policies")
        names = ", ".join(_code(f"{r.get('pack')}/{r.get('policy')}") for r in blocking[:5])
        lines.append(f":x: **Blocked** by {count}: {names}")
    cost = plan.get("cost") or {}
    if cost.get("resources"):
        cur = str(cost.get("currency", "USD"))
        hourly = _money(cost.get("hourly_delta"), cur, sign=True)
        lines.append(f":moneybag: Cost: {hourly}/h "
                     f"({_money(cost.get('monthly_delta'), cur, sign=True)}/month)")  # fmt: skip
    return lines


def _header(plan: dict[str, Any]) -> list[str]:
    workspace = str(plan.get("workspace") or "default")
    flags = plan.get("flags") or {}
    kinds = [k for k, on in (("destroy", flags.get("destroy")),
                             ("refresh-only", flags.get("refresh_only"))) if on]  # fmt: skip
    title = f"## opspec plan: workspace `{_cell(workspace)}`" + (
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
        _policies([r for r in plan.get("policy_results") or [] if isinstance(r, dict)], limit),
        _cost(plan.get("cost"), limit),
    ]
    return "\n\n".join("\n".join(s) for s in sections if s)


# ---- assembly -------------------------------------------------------------------------------


def _output_block(plan: dict[str, Any]) -> str | None:
    lines = []
    for name, oc in sorted((plan.get("output_changes") or {}).items()):
        actions = oc.get("actions") if isinstance(oc, dict) else None
        if not isinstance(oc, dict) or actions in (None, ["no-op"]):
            continue
        old = None if actions == ["create"] else {name: oc.get("before")}
        new = None if actions == ["delete"] else {name: oc.get("after")}
        wrapped = {"change": {"before": old, "after": new,
                              "before_sensitive": {name: oc.get("before_sensitive")},
                              "after_sensitive": {name: oc.get("after_sensitive")},
                              "after_unknown": {name: oc.get("after_unknown")}}}  # fmt: skip
        lines += diff_lines(wrapped, changed=[[name]])
    return _details("<b>Outputs</b>", _fenced(lines)) if lines else None


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
    outputs = _output_block(plan)
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
        extra = _details("<b>Outputs</b>", "_Elided to fit the comment._")
        size += len(extra) - len(outputs)
    dropped = 0
    while size > budget and shown:  # even the notes do not fit: list fewer resources
        size -= len(shown.pop()) + 2
        elided.discard(len(shown))
        dropped += 1
    note = (f"> [!NOTE]\n> {_n(len(elided), 'diff', 'diffs')} elided (largest first) to "
            f"stay under GitHub's {GITHUB_COMMENT_LIMIT:,}-character comment limit"
            + (f"; {dropped} resource(s) not listed" if dropped else "") + ".")  # fmt: skip
    text = "\n\n".join(p for p in [head, note, "### Changes", *shown, extra] if p) + "\n"
    return text if len(text) <= max_chars else None
