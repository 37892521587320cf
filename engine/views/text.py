"""The human plan, as ``opspec plan`` prints it (modelled on Terraform's).

Values are JSON-encoded, so their control characters print escaped; addresses, keys, paths and
reasons pass :func:`~engine.views.display.terminal_safe` for the same reason.
"""

from __future__ import annotations

import json
from typing import Any, assert_never

from engine.expr.unknown import UNKNOWN
from engine.placeholders import KNOWN_AFTER_APPLY, SENSITIVE
from engine.plans.action import Action, ActionReason
from engine.plans.change import OutputChange, Plan, ResourceChange
from engine.plans.diff import format_path
from engine.plans.values import PathT, is_under, with_unknowns_shown
from engine.views.cost_section import render_cost_text
from engine.views.display import terminal_safe
from engine.views.policy_section import render_policy_text

_encode_str = json.encoder.encode_basestring


def _symbol(action: Action) -> str:
    match action:
        case Action.NOOP:
            return " "
        case Action.CREATE:
            return "+"
        case Action.UPDATE:
            return "~"
        case Action.DELETE:
            return "-"
        case Action.READ:
            return "<="
        case Action.DELETE_THEN_CREATE:
            return "-/+"
        case Action.CREATE_THEN_DELETE:
            return "+/-"
        case _:
            assert_never(action)


def _verb(action: Action) -> str:
    match action:
        case Action.NOOP:
            return "is unchanged"
        case Action.CREATE:
            return "will be created"
        case Action.UPDATE:
            return "will be updated in-place"
        case Action.DELETE:
            return "will be destroyed"
        case Action.READ:
            return "will be refreshed in state"
        case Action.DELETE_THEN_CREATE:
            return "must be replaced"
        case Action.CREATE_THEN_DELETE:
            return "must be replaced (create before destroy)"
        case _:
            assert_never(action)


def render_value(value: Any, *, secret: bool = False) -> str:
    if secret:
        return SENSITIVE
    kind = type(value)
    if kind is str:  # the common case, as json.dumps(ensure_ascii=False) would write it
        return KNOWN_AFTER_APPLY if value == UNKNOWN else terminal_safe(_encode_str(value))
    if kind is int:
        return str(value)
    return terminal_safe(json.dumps(with_unknowns_shown(value), ensure_ascii=False, sort_keys=True))


def _lines_for_create(change: ResourceChange) -> list[str]:
    after = change.after or {}
    width = max((len(terminal_safe(k)) for k in after), default=0)
    sensitive = change.after_sensitive
    out = []
    for key in sorted(after):
        value = after[key]
        if value is None:
            continue
        if not sensitive:
            shown = render_value(value)
        elif is_under((key,), sensitive) or any(p[:1] == (key,) for p in sensitive):
            shown = SENSITIVE
        else:
            shown = _masked_nested(value, (key,), sensitive)
        out.append(f"      + {terminal_safe(key).ljust(width)} = {shown}")
    return out


def _masked_nested(value: Any, path: PathT, sensitive: list[PathT]) -> str:
    if is_under(path, sensitive):
        return SENSITIVE
    return render_value(value)


def _lines_for_delete(change: ResourceChange) -> list[str]:
    before = change.before or {}
    width = max((len(terminal_safe(k)) for k in before), default=0)
    return [
        f"      - {terminal_safe(k).ljust(width)} = "
        + render_value(before[k], secret=is_under((k,), change.before_sensitive))
        for k in sorted(before)
        if before[k] is not None
    ]


def _lines_for_update(change: ResourceChange) -> list[str]:
    out = []
    forced = {p[0] for p in change.replace_paths}
    for d in change.field_diffs:
        secret = is_under(d.path, change.after_sensitive) or is_under(
            d.path, change.before_sensitive
        )
        note = "  # forces replacement" if d.path[0] in forced else ""
        name = terminal_safe(format_path(d.path))
        if d.before is None:
            out.append(f"      + {name} = {render_value(d.after, secret=secret)}{note}")
        elif d.after is None:
            out.append(f"      - {name} = {render_value(d.before, secret=secret)}{note}")
        else:
            out.append(
                f"      ~ {name} = {render_value(d.before, secret=secret)} -> "
                f"{render_value(d.after, secret=secret)}{note}"
            )
    return out


def render_change(change: ResourceChange) -> list[str]:
    action = change.action
    address = terminal_safe(change.address)
    lines = [f"  # {address} {_verb(action)}"]
    if change.reason and change.action_reason is not ActionReason.CREATE:
        lines.append(f"  #   because {terminal_safe(change.reason)}")
    if change.cache is not None:
        lines.append("  #   " + _cache_line(change.cache))
    lines.append(f"  {_symbol(action)} {address}")
    match action:
        case Action.CREATE:
            lines += _lines_for_create(change)
        case Action.DELETE:
            lines += _lines_for_delete(change)
        case Action.UPDATE | Action.READ | Action.DELETE_THEN_CREATE | Action.CREATE_THEN_DELETE:
            lines += _lines_for_update(change)
        case Action.NOOP:
            pass
        case _:
            assert_never(action)
    lines.append("")
    return lines


def _cache_line(cache: dict[str, Any]) -> str:
    key = cache.get("key") or ""
    if cache.get("hit"):
        return f"cache: hit (key {key[:8]}): the cached result is reused, nothing reruns"
    changed = terminal_safe(", ".join(cache.get("changed_inputs") or [])) or "none"
    return f"cache: miss (key {key[:8] or KNOWN_AFTER_APPLY}); changed inputs: {changed}"


def _summary(actions: list[Action]) -> str:
    add = sum(1 for a in actions if a.is_create)
    change = sum(1 for a in actions if a is Action.UPDATE)
    destroy = sum(1 for a in actions if a.is_delete)
    replace = sum(1 for a in actions if a.is_replace)
    text = f"Plan: {add} to add, {change} to change, {destroy} to destroy."
    if replace:
        text += f" ({replace} replaced)"
    return text


def _output_lines(outputs: dict[str, OutputChange]) -> list[str]:
    changed = [(k, o) for k, o in sorted(outputs.items()) if o.action.is_change]
    if not changed:
        return []
    lines = ["Changes to Outputs:"]
    for key, o in changed:
        name = terminal_safe(key)
        sym = _symbol(o.action)
        if o.action is Action.DELETE:
            lines.append(f"  {sym} {name} = {render_value(o.before, secret=o.sensitive)}")
        elif o.action is Action.CREATE:
            lines.append(f"  {sym} {name} = {render_value(o.after, secret=o.sensitive)}")
        else:
            lines.append(
                f"  {sym} {name} = {render_value(o.before, secret=o.sensitive)} -> "
                f"{render_value(o.after, secret=o.sensitive)}"
            )
    lines.append("")
    return lines


def render_plan(plan: Plan) -> str:
    changed = [c for c in plan.changes if c.action.is_change]
    lines: list[str] = []
    if not changed and not any(o.action.is_change for o in plan.outputs.values()):
        return (
            "No changes. The resources match the configuration"
            + (" and the state." if not plan.flags.get("refresh_only") else ".")
            + "\n"
        )
    if changed:
        drift = [c for c in changed if c.action_reason is ActionReason.DRIFT]
        if drift and plan.flags.get("refresh_only"):
            lines.append(
                f"Note: {len(drift)} resource(s) changed outside opspec (found by refresh); "
                "applying this plan records what was found in state, changing nothing else."
            )
            lines.append("")
        elif drift:
            lines.append(
                f"Note: {len(drift)} resource(s) changed outside opspec "
                "(found by refresh); the plan brings them back to the configuration."
            )
            lines.append("")
        lines.append("opspec will perform the following actions:")
        lines.append("")
        for c in changed:
            lines += render_change(c)
    lines += _output_lines(plan.outputs)
    lines.append(_summary([c.action for c in changed]))
    tail = render_cost_text(plan.cost) + render_policy_text(plan.policy_results or [])
    return "\n".join(lines) + "\n" + ("\n" + tail if tail else "")
