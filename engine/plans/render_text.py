"""The human plan, as ``opspec plan`` prints it (modelled on Terraform's)."""

from __future__ import annotations

import json
from typing import Any, assert_never

from engine.expr.unknown import KNOWN_AFTER_APPLY, UNKNOWN
from engine.plans.action import Action, ActionReason
from engine.plans.change import OutputChange, Plan, ResourceChange
from engine.plans.diff import format_path
from engine.plans.values import SENSITIVE, PathT, is_under, with_unknowns_shown

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
        return KNOWN_AFTER_APPLY if value == UNKNOWN else _encode_str(value)
    if kind is int:
        return str(value)
    return json.dumps(with_unknowns_shown(value), ensure_ascii=False, sort_keys=True)


def _lines_for_create(change: ResourceChange) -> list[str]:
    after = change.after or {}
    width = max((len(k) for k in after), default=0)
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
        out.append(f"      + {key.ljust(width)} = {shown}")
    return out


def _masked_nested(value: Any, path: PathT, sensitive: list[PathT]) -> str:
    if is_under(path, sensitive):
        return SENSITIVE
    return render_value(value)


def _lines_for_delete(change: ResourceChange) -> list[str]:
    before = change.before or {}
    width = max((len(k) for k in before), default=0)
    return [
        f"      - {k.ljust(width)} = "
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
        name = format_path(d.path)
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
    header = f"  # {change.address} {_verb(action)}"
    lines = [header]
    if change.reason and change.action_reason is not ActionReason.CREATE:
        lines.append(f"  #   because {change.reason}")
    if change.cache is not None:
        lines.append("  #   " + _cache_line(change.cache))
    lines.append(f"  {_symbol(action)} {change.address}")
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
    changed = ", ".join(cache.get("changed_inputs") or []) or "none"
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
    for name, o in changed:
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


def render_policy_results(results: list[dict[str, Any]], *, verbose: bool = False) -> str:
    """Failed policies (all of them when ``verbose``), one line per violation."""
    lines: list[str] = []
    shown = [r for r in results if verbose or not r.get("passed")]
    if not shown:
        return ""
    lines.append("Policy results:")
    for r in shown:
        name = f"{r['pack']}/{r['policy']}"
        level = r["enforcement"]
        if r.get("passed"):
            state = "passed" if r.get("evaluated", True) else "not evaluated"
            lines.append(f"  ok    {level:9} {name}: {state}")
            continue
        tag = (
            "OVERRIDDEN"
            if r.get("overridden")
            else ("FAILED" if level == "mandatory" else "WARNING")
        )
        lines.append(
            f"  {tag} {level:9} {name}"
            + (f" (reason: {r['override_reason']})" if r.get("overridden") else "")
        )
        for v in r.get("violations") or []:
            lines.append(f"      {v['address']} `{v['field']}`: {v['message']}")
        if r.get("error"):
            lines.append(f"      {r['error']}")
    lines.append("")
    return "\n".join(lines) + "\n"


def render_cost(cost: dict[str, Any] | None) -> str:
    if not cost:
        return ""
    cur = cost.get("currency", "USD")

    def money(v: Any) -> str:
        return f"{float(v or 0):,.2f} {cur}"

    return (
        f"Cost: {money(cost.get('hourly_before'))}/h -> {money(cost.get('hourly_after'))}/h "
        f"(delta {money(cost.get('hourly_delta'))}/h, {money(cost.get('monthly_delta'))}/month)\n"
    )


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
    tail = render_cost(plan.cost) + render_policy_results(plan.policy_results or [])
    return "\n".join(lines) + "\n" + ("\n" + tail if tail else "")
