"""Evaluating policies over a plan, and the overrides that lift mandatory failures.

Every policy yields one :class:`~engine.policy.model.PolicyResult`. A disabled policy is not
evaluated (and passes). A rule that cannot run or fails while running fails its policy: a
mandatory check that could not be made must not let a plan through silently. An override
(``--override POLICY --reason TEXT``) names a policy by ``name`` or ``pack/name`` and marks its
failure overridden, with the reason, so it no longer blocks; recording who and when is the
caller's (the state keeps it).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from engine.policy.context import EvalContext
from engine.policy.model import Enforcement, Policy, PolicyResult, RuleError, RuleNotRun


def _override_reason(policy: str, pack: str, overrides: dict[str, str] | None) -> str | None:
    if not overrides:
        return None
    for name in (f"{pack}/{policy}", policy):
        if name in overrides:
            return overrides[name]
    return None


def evaluate_one(policy: Policy, ctx: EvalContext) -> PolicyResult:
    result = PolicyResult(
        policy=policy.name,
        pack=policy.pack,
        enforcement=policy.enforcement,
        passed=True,
        description=policy.description,
        kind=policy.rule.kind,
    )
    if policy.enforcement is Enforcement.DISABLED:
        result.evaluated = False
        return result
    try:
        violations = policy.rule.check(ctx)
    except RuleNotRun as exc:
        result.passed, result.evaluated, result.error = False, False, str(exc)
    except RuleError as exc:
        result.passed, result.error = False, str(exc)
    else:
        result.violations = violations
        result.passed = not violations
    return result


def evaluate(
    plan: dict[str, Any],
    policies: list[Policy],
    overrides: dict[str, str] | None = None,
    *,
    allow_python: bool = False,
) -> list[PolicyResult]:
    """Evaluate ``policies`` over the plan JSON document ``plan``, in order.

    ``overrides`` maps a policy (``name`` or ``pack/name``) to the reason it is overridden.
    ``allow_python`` must be true for Python policy functions to run (never in untrusted
    runs); otherwise they fail closed with the reason. The plan is not modified.
    """
    ctx = EvalContext(plan, allow_python=allow_python)
    results = [evaluate_one(policy, ctx) for policy in policies]
    return apply_overrides(results, overrides)


def apply_overrides(
    results: list[PolicyResult], overrides: dict[str, str] | None
) -> list[PolicyResult]:
    """Mark the failed results named in ``overrides`` as overridden (also for saved plans)."""
    for result in results:
        reason = _override_reason(result.policy, result.pack, overrides)
        if reason is not None and not result.passed:
            result.overridden = True
            result.override_reason = reason
    return results


def mandatory_failures(results: Iterable[PolicyResult]) -> list[PolicyResult]:
    """The results that block the plan: mandatory, failed, and not overridden."""
    return [r for r in results if r.blocking]


def unknown_overrides(results: Iterable[PolicyResult], overrides: dict[str, str]) -> list[str]:
    """Override names that designate no evaluated policy (likely typos), sorted."""
    known: set[str] = set()
    for r in results:
        known.update((r.policy, f"{r.pack}/{r.policy}"))
    return sorted(name for name in overrides if name not in known)
