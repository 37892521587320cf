"""Policies, their results and violations: the values the policy engine passes around.

A :class:`Policy` pairs identity and enforcement (name, pack, level, where it was declared) with
a :class:`Rule`, the thing that checks a plan. Rules come in three kinds that share one
interface: built-in rules (Python shipped with opspec), CEL rules from YAML packs and Python
policy functions from the project. A :class:`PolicyResult` is what ``evaluate`` reports per
policy, JSON-serialisable through :meth:`PolicyResult.to_json`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from engine.diagnostics import SourcePos

if TYPE_CHECKING:
    from engine.policy.context import EvalContext


class Enforcement(StrEnum):
    """How a failed policy is treated: reported, blocking, or not evaluated."""

    ADVISORY = "advisory"
    MANDATORY = "mandatory"
    DISABLED = "disabled"


@dataclass(frozen=True, slots=True)
class Violation:
    """One thing in the plan that breaks a policy: which resource, which field, and why."""

    address: str
    field: str
    message: str

    def to_json(self) -> dict[str, str]:
        return {"address": self.address, "field": self.field, "message": self.message}


class RuleNotRun(Exception):
    """A rule was not evaluated (e.g. Python policies in an untrusted run)."""


class RuleError(Exception):
    """A rule failed while evaluating (e.g. a Python policy function raised)."""


class Rule(ABC):
    """What checks a plan for one policy."""

    kind: str = "rule"

    @abstractmethod
    def check(self, ctx: EvalContext) -> list[Violation]:
        """The violations of this rule in ``ctx.plan`` (empty when it passes).

        Raise :class:`RuleNotRun` when the rule cannot be evaluated in this run, and
        :class:`RuleError` when evaluating it failed; both fail the policy (closed).
        """


@dataclass(slots=True)
class Policy:
    """A named rule in a pack, with its enforcement level."""

    name: str
    pack: str
    enforcement: Enforcement
    rule: Rule
    description: str = ""
    pos: SourcePos | None = None

    @property
    def qualified_name(self) -> str:
        return f"{self.pack}/{self.name}"

    def matches(self, name: str) -> bool:
        """Whether ``name`` (as given to ``--override``) designates this policy."""
        return name in (self.name, self.qualified_name)


@dataclass(slots=True)
class PolicyResult:
    """The outcome of one policy on one plan."""

    policy: str
    pack: str
    enforcement: Enforcement
    passed: bool
    violations: list[Violation] = field(default_factory=list)
    overridden: bool = False
    override_reason: str | None = None
    evaluated: bool = True
    error: str | None = None
    description: str = ""
    kind: str = "rule"

    @property
    def blocking(self) -> bool:
        """A mandatory failure that no override lifted."""
        return self.enforcement is Enforcement.MANDATORY and not self.passed and not self.overridden

    def to_json(self) -> dict[str, Any]:
        return {
            "policy": self.policy,
            "pack": self.pack,
            "enforcement": self.enforcement.value,
            "passed": self.passed,
            "violations": [v.to_json() for v in self.violations],
            "overridden": self.overridden,
            "override_reason": self.override_reason,
            "evaluated": self.evaluated,
            "error": self.error,
            "description": self.description,
            "kind": self.kind,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PolicyResult:
        """Read a result back from a saved plan (lenient: unknown keys are ignored)."""
        return cls(
            policy=str(data.get("policy", "")),
            pack=str(data.get("pack", "")),
            enforcement=Enforcement(data.get("enforcement", "advisory")),
            passed=bool(data.get("passed", False)),
            violations=[
                Violation(
                    str(v.get("address", "")), str(v.get("field", "")), str(v.get("message", ""))
                )
                for v in data.get("violations") or []
                if isinstance(v, dict)
            ],
            overridden=bool(data.get("overridden", False)),
            override_reason=data.get("override_reason"),
            evaluated=bool(data.get("evaluated", True)),
            error=data.get("error"),
            description=str(data.get("description", "")),
            kind=str(data.get("kind", "rule")),
        )
