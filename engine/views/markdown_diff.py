"""The per-resource diffs of the pull-request comment, over the plan JSON document.

A change's ``before`` and ``after`` are flattened to leaf paths with display text; values flagged
sensitive are masked, and so is any plaintext value at a secret-looking key, even if a caller
forgot to flag it; unknown values show as ``(known after apply)``. Each resource becomes one
folded ``<details>`` block with a ``diff``-fenced body.
"""

from __future__ import annotations

import html
import json
from typing import Any

from engine.placeholders import KNOWN_AFTER_APPLY, SENSITIVE
from engine.policy.secrets import is_plaintext, looks_like_secret_name
from engine.views.display import terminal_safe
from engine.views.markup import cell, details, fenced, plural

LONG_VALUE = 1000
SIGILS = {"create": "+", "update": "~", "replace": "-/+", "delete": "-", "read": "<=", "no-op": " "}


def action_of(change: dict[str, Any]) -> str:
    """The comment's word for a change's action: Terraform's array, a replace as one word."""
    actions = (change.get("change") or {}).get("actions") or ["no-op"]
    return "replace" if len(actions) == 2 else str(actions[0])


def _scalar(value: Any) -> str:
    if isinstance(value, dict | list):  # only empty ones reach here
        return "{}" if isinstance(value, dict) else "[]"
    text = terminal_safe(json.dumps(value, ensure_ascii=False))
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
        return {path: SENSITIVE}
    if unknown is True:
        return {path: KNOWN_AFTER_APPLY}
    out: dict[str, str] = {}
    if isinstance(value, dict) and (value or (isinstance(unknown, dict) and unknown)):
        keys = list(value) + [k for k in (unknown or {}) if k not in value]
        for key in keys:
            shown = terminal_safe(str(key))
            where = f"{path}.{shown}" if path else shown
            item = value.get(key)
            if _secret_pair(str(key), item, value):
                out[where] = SENSITIVE  # unflagged, but a secret by its name: never print it
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
        masked_change = old == SENSITIVE and _forces(path, [*replace_paths, *(changed or [])])
        if old == new and not masked_change:
            unchanged += 1
            continue
        note = "  # forces replacement" if _forces(path, replace_paths) else ""
        if old is not None:
            lines.append(f"- {path or '(value)'} = {old}{note if new is None else ''}")
        if new is not None:
            lines.append(f"+ {path or '(value)'} = {new}{note}")
    if unchanged and lines:
        hidden = plural(unchanged, "unchanged attribute", "unchanged attributes")
        lines.append(f"# ({hidden} hidden)")
    return lines


def _diff_summary(change: dict[str, Any], note: str = "") -> str:
    action = action_of(change)
    address = html.escape(terminal_safe(str(change.get("address", ""))), quote=False)
    why = change.get("reason") or ""
    tail = f" ({html.escape(cell(why), quote=False)})" if why and action != "create" else ""
    return f"<code>{SIGILS.get(action, '?')} {address}</code> {action}{tail}{note}"


def resource_block(change: dict[str, Any]) -> str:
    lines = diff_lines(change)
    body = fenced(lines) if lines else "_No attribute changes._"
    return details(_diff_summary(change), body)


def elided_block(change: dict[str, Any], size: int) -> str:
    note = f" <em>(diff elided: {size:,} characters)</em>"
    body = "Too large for a comment; run `opspec show PLANFILE` on the saved plan to see it."
    return details(_diff_summary(change, note), body)


def output_block(plan: dict[str, Any]) -> str | None:
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
    return details("<b>Outputs</b>", fenced(lines)) if lines else None
