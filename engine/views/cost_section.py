"""The cost estimate of a plan, as the text plan and the pull-request comment show it.

Both read the plan's ``cost`` document (see :mod:`engine.cost`): the text plan prints one line
with the hourly figures and the delta, the comment a table with notes and, folded, the cost of
every priced resource.
"""

from __future__ import annotations

from typing import Any

from engine.views.markup import cell, code, details


def render_cost_text(cost: dict[str, Any] | None) -> str:
    if not cost:
        return ""
    cur = cost.get("currency", "USD")

    def money(v: Any) -> str:
        return f"{float(v or 0):,.2f} {cur}"

    return (
        f"Cost: {money(cost.get('hourly_before'))}/h -> {money(cost.get('hourly_after'))}/h "
        f"(delta {money(cost.get('hourly_delta'))}/h, {money(cost.get('monthly_delta'))}/month)\n"
    )


def money(value: Any, currency: str, *, sign: bool = False) -> str:
    """An amount for the comment: ``$1,234.50`` in dollars, ``1,234.50 EUR`` otherwise."""
    if value is None:
        return "n/a"
    amount = float(value)
    text = f"${abs(amount):,.2f}" if currency == "USD" else f"{abs(amount):,.2f} {currency}"
    if amount < 0:
        return "-" + text
    return ("+" + text) if sign and amount > 0 else text


def delta_line(cost: dict[str, Any] | None) -> list[str]:
    """The at-a-glance line under the comment's counts, when anything is priced."""
    if not cost or not cost.get("resources"):
        return []
    cur = str(cost.get("currency", "USD"))
    hourly = money(cost.get("hourly_delta"), cur, sign=True)
    monthly = money(cost.get("monthly_delta"), cur, sign=True)
    return [f":moneybag: Cost: {hourly}/h ({monthly}/month)"]


def _notes(cost: dict[str, Any], cur: str) -> list[str]:
    notes = []
    if (cost.get("hourly_after_max") or 0) > (cost.get("hourly_after") or 0):
        notes.append(f"At peak autoscaling: {money(cost['hourly_after_max'], cur)}/h.")
    if cost.get("gpu_hours"):
        hours, price = cost.get("gpu_hours_total", 0), money(cost.get("gpu_hours_cost"), cur)
        notes.append(f"Training and fine-tuning in this apply: about {hours:g} GPU-hours "
                     f"({price}, estimate).")  # fmt: skip
    if cost.get("unpriced"):
        notes.append(f"{len(cost['unpriced'])} resource(s) could not be priced.")
    return notes


def render_cost_markdown(cost: dict[str, Any] | None, limit: int) -> list[str]:
    if not cost or not (cost.get("resources") or cost.get("gpu_hours")):
        return []
    cur = str(cost.get("currency", "USD"))
    lines = ["### Cost (estimate)", "", "| | Hourly | Monthly |", "|---|---:|---:|"]
    for label, key, sign in (("Before", "before", False), ("After", "after", False),
                             ("**Delta**", "delta", True)):  # fmt: skip
        hourly = money(cost.get(f"hourly_{key}"), cur, sign=sign)
        monthly = money(cost.get(f"monthly_{key}"), cur, sign=sign)
        bold = "**" if sign else ""
        lines.append(f"| {label} | {bold}{hourly}{bold} | {bold}{monthly}{bold} |")
    notes = _notes(cost, cur)
    rows = [
        f"| {code(r.get('address'))} | {money(r.get('hourly_before'), cur)} | "
        f"{money(r.get('hourly_after'), cur)} | {cell(r.get('detail', ''))} |"
        for r in cost.get("resources") or []
    ]
    table = ["| Resource | Before /h | After /h | Detail |", "|---|---:|---:|---|", *rows[:limit]]
    if len(rows) > limit:
        table.append(f"| ... | | | and {len(rows) - limit} more |")
    lines += ["", " ".join(notes)] if notes else []
    lines += ["", details("Cost by resource", "\n".join(table))] if rows and limit else []
    return lines
