"""The policy results of a plan, as the text plan and the pull-request comment show them.

Both read the ``policy_results`` of the plan JSON document through :class:`PolicyView`, so what
counts as blocking and how a result is named is decided here once. Messages and errors of every
pack are shown inert in the comment: those of a project's packs are the change's own words (in
a pull request, the change under review), and the built-in pack's quote the change's keys and
aliases (in code spans, which stay code).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.views.display import terminal_safe
from engine.views.markup import cell, code, details, inert, more, plural


@dataclass(frozen=True)
class PolicyView:
    """One entry of ``policy_results``, read the same way by every rendering."""

    result: dict[str, Any]

    @property
    def name(self) -> str:
        return f"{self.result.get('pack')}/{self.result.get('policy')}"

    @property
    def level(self) -> str:
        return str(self.result.get("enforcement", ""))

    @property
    def passed(self) -> bool:
        return bool(self.result.get("passed"))

    @property
    def overridden(self) -> bool:
        return bool(self.result.get("overridden"))

    @property
    def evaluated(self) -> bool:
        return bool(self.result.get("evaluated", True))

    @property
    def blocking(self) -> bool:
        """A mandatory failure that no override lifted: apply refuses the plan."""
        return self.level == "mandatory" and not self.passed and not self.overridden

    @property
    def violations(self) -> list[dict[str, Any]]:
        return list(self.result.get("violations") or [])

    def markdown_text(self, text: Any) -> str:
        """A message or error of this policy, for the comment."""
        return inert(text)


def views(results: list[dict[str, Any]] | None) -> list[PolicyView]:
    return [PolicyView(r) for r in results or [] if isinstance(r, dict)]


# ---- text ---------------------------------------------------------------------------------


def render_policy_text(results: list[dict[str, Any]], *, verbose: bool = False) -> str:
    """Failed policies (all of them when ``verbose``), one line per violation."""
    shown = [p for p in views(results) if verbose or not p.passed]
    if not shown:
        return ""
    lines = ["Policy results:"]
    for p in shown:
        name = terminal_safe(p.name)
        if p.passed:
            state = "passed" if p.evaluated else "not evaluated"
            lines.append(f"  ok    {p.level:9} {name}: {state}")
            continue
        tag = "OVERRIDDEN" if p.overridden else ("FAILED" if p.level == "mandatory" else "WARNING")
        line = f"  {tag} {p.level:9} {name}"
        if p.overridden:
            line += f" (reason: {terminal_safe(str(p.result.get('override_reason')))})"
        lines.append(line)
        for v in p.violations:
            where = terminal_safe(f"{v['address']} `{v['field']}`")
            lines.append(f"      {where}: {terminal_safe(str(v['message']))}")
        if p.result.get("error"):
            lines.append(f"      {terminal_safe(str(p.result['error']))}")
    lines.append("")
    return "\n".join(lines) + "\n"


# ---- Markdown -----------------------------------------------------------------------------


def blocking_line(results: list[PolicyView]) -> list[str]:
    """The at-a-glance line under the comment's counts, when mandatory policies block."""
    blocking = [p for p in results if p.blocking]
    if not blocking:
        return []
    count = plural(len(blocking), "mandatory policy", "mandatory policies")
    names = ", ".join(code(p.name) for p in blocking[:5])
    return [f":x: **Blocked** by {count}: {names}"]


def _markdown_entry(p: PolicyView, limit: int) -> list[str]:
    if p.overridden:
        icon, state = ":unlock:", f"overridden: {cell(p.result.get('override_reason') or '')}"
    elif p.result.get("error") or not p.evaluated:
        icon, state = ":grey_question:", p.markdown_text(p.result.get("error") or "not evaluated")
    else:
        icon = ":x:" if p.level == "mandatory" else ":warning:"
        state = "failed"
    lines = [f"- {icon} {code(p.name)} ({p.level}): {state}"]
    found = [
        f"  - {code(v.get('address') or 'plan')}"
        + (f" {code(v.get('field'))}" if v.get("field") else "")
        + f": {p.markdown_text(v.get('message', ''))}"
        for v in p.violations
    ]
    lines += [f"  {line}" if line.startswith("- ") else line for line in more(found, limit, "")]
    return lines


def render_policy_markdown(results: list[PolicyView], limit: int) -> list[str]:
    if not results:
        return []
    failed = [p for p in results if not p.passed]
    blocking = [p for p in failed if p.blocking]
    passed = [p for p in results if p.passed and p.evaluated]
    disabled = [p for p in results if p.level == "disabled"]
    if blocking:
        head = f":x: **{plural(len(blocking), 'mandatory policy', 'mandatory policies')} " \
               "failed**: apply will refuse this plan unless overridden."  # fmt: skip
    elif failed:
        head = f":warning: No blocking failures; {plural(len(failed), 'policy', 'policies')} " \
               "to review."  # fmt: skip
    else:
        head = f":white_check_mark: {plural(len(passed), 'policy', 'policies')} evaluated, " \
               "all passed."  # fmt: skip
    order = {"mandatory": 0, "advisory": 1}
    failed.sort(key=lambda p: (p.overridden, order.get(p.level, 2)))
    lines = ["### Policies", "", head, ""]
    for p in failed[: max(limit, 1)]:
        lines += _markdown_entry(p, max(limit // 10, 3))
    if len(failed) > max(limit, 1):
        lines.append(f"- ... and {len(failed) - max(limit, 1)} more failed policies")
    if passed:
        names = ", ".join(code(p.name) for p in passed[:limit])
        extra = f" and {len(passed) - limit} more" if len(passed) > limit else ""
        lines += ([""] if lines[-1] else []) + [details(f"{len(passed)} passed", names + extra)]
    if disabled:
        lines.append(
            f"\n{len(disabled)} disabled: "
            + ", ".join(code(p.result.get("policy")) for p in disabled[:limit])
        )
    return lines
