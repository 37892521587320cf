"""Field-level diffs between stored and planned inputs, and the human reason of a change."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from engine.expr.unknown import is_unknown
from engine.placeholders import KNOWN_AFTER_APPLY, SENSITIVE
from engine.plans.action import ActionReason
from engine.plans.change import FieldDiff
from engine.plans.values import PathT, is_under, with_unknowns_shown

_HEX = re.compile(r"^[0-9a-f]{32,}$")
_MAX_SHOWN = 3


def field_diffs(
    before: dict[str, Any], after: dict[str, Any], fields: Iterable[str]
) -> list[FieldDiff]:
    out: list[FieldDiff] = []
    for name in fields:
        _diff(before.get(name), after.get(name), (name,), out)
    return out


def _diff(a: Any, b: Any, path: PathT, out: list[FieldDiff]) -> None:
    if a == b and not (is_unknown(b) and not is_unknown(a)):
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            _diff(a.get(key), b.get(key), (*path, key), out)
        return
    out.append(FieldDiff(path, a, b))


def format_path(path: PathT) -> str:
    out = ""
    for p in path:
        if isinstance(p, int):
            out += f"[{p}]"
        elif out:
            out += f".{p}"
        else:
            out = str(p)
    return out


def short_value(value: Any, *, sensitive: bool = False) -> str:
    if sensitive:
        return SENSITIVE
    if is_unknown(value):
        return KNOWN_AFTER_APPLY
    if isinstance(value, str):
        digest = value.rsplit("/", 1)[-1]
        if _HEX.match(digest):
            return digest[:4] + "…"
        text = json.dumps(value, ensure_ascii=False)
        return text if len(text) <= 40 else text[:37] + '…"'
    if value is None:
        return "null"
    text = json.dumps(with_unknowns_shown(value), sort_keys=True, default=str, ensure_ascii=False)
    return text if len(text) <= 40 else text[:39] + "…"


def describe_diffs(diffs: list[FieldDiff], sensitive: list[PathT]) -> str:
    parts = []
    for d in diffs[:_MAX_SHOWN]:
        secret = is_under(d.path, sensitive)
        before = short_value(d.before, sensitive=secret)
        after = short_value(d.after, sensitive=secret)
        label = "sha256 " if _looks_hashed(d) else ""
        parts.append(f"input `{format_path(d.path)}` changed ({label}{before} → {after})")
    more = len(diffs) - _MAX_SHOWN
    text = "; ".join(parts)
    return text + (f"; and {more} more" if more > 0 else "")


def _looks_hashed(d: FieldDiff) -> bool:
    return all(isinstance(v, str) and _HEX.match(v.rsplit("/", 1)[-1]) for v in (d.before, d.after))


def reason_text(
    reason: ActionReason,
    diffs: list[FieldDiff],
    sensitive: list[PathT],
    *,
    detail: str = "",
) -> str:
    if reason is ActionReason.NO_OP:
        return ""
    if reason is ActionReason.CREATE:
        return "not in state: will be created"
    changed = describe_diffs(diffs, sensitive)
    match reason:
        case ActionReason.CREATE:
            return "not in state: will be created"
        case ActionReason.UPDATE:
            return changed
        case ActionReason.DRIFT:
            what = detail or "changed outside opspec"
            return f"{what}" + (f": {changed}" if changed else "")
        case ActionReason.READ:
            return "will be read"
        case ActionReason.REPLACE_BY_REQUEST:
            return "replacement requested with --replace"
        case ActionReason.REPLACE_BECAUSE_TAINTED:
            return "tainted by a failed apply: will be replaced"
        case ActionReason.REPLACE_TRIGGERED_BY:
            return f"replace_triggered_by: {detail} changes"
        case ActionReason.REPLACE_BECAUSE_CANNOT_UPDATE:
            return f"{changed}, which forces replacement"
        case ActionReason.REPLACE_CASCADE:
            return f"{changed}, which forces replacement" + (f" ({detail})" if detail else "")
        case ActionReason.DELETE_BECAUSE_NO_RESOURCE_CONFIG:
            return "no longer in the configuration"
        case ActionReason.DELETE_BECAUSE_DESTROY:
            return "destroy requested"
