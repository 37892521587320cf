"""The built-in policy pack (``builtin``): the rules every opspec project gets.

Rules, with their default level:

- ``gated-evaluation-upstream`` (mandatory): every ``model`` registered and ``llm_service``
  served has an ``evaluation`` or ``benchmark`` with ``gates`` upstream of it in the graph
  (the gate's pass/fail itself is enforced at apply).
- ``no-plaintext-secrets`` (mandatory): no literal value at a secret-looking field, and no
  secret-looking variable left without ``sensitive: true``.
- ``gpu-count-cap`` (advisory*): the peak GPUs of the ``llm_service``s outside local pools, and
  each ``gpu_pool``'s ``max_gpus`` quota, stay within the cap.
- ``hourly-cost-cap`` (advisory*): the estimated hourly GPU cost at peak stays within the cap.
- ``benchmark-compressed-before-serving`` (advisory): a ``compression`` that an
  ``llm_service`` serves is measured by a ``benchmark`` the service depends on.
- ``prevent-destroy-aliased-models`` (advisory): a ``model`` with ``aliases`` sets
  ``lifecycle.prevent_destroy``.

(*) The caps default to 8 GPUs and 100 (currency of the price catalog) per hour and are advisory;
a project that sets a cap makes that rule mandatory. Settings live in ``config.yaml`` in a
policy directory (see :mod:`engine.policy`)::

    builtin:
      gpu-count-cap: {max_gpus: 16}              # now mandatory, cap 16
      hourly-cost-cap: {max_hourly: 120, enforcement: advisory}
      prevent-destroy-aliased-models: {enforcement: mandatory}
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from engine.policy.context import EvalContext
from engine.policy.model import Enforcement, Policy, Rule, Violation
from engine.policy.secrets import is_plaintext, looks_like_secret_name, plaintext_secrets
from engine.views.markup import code_span
from engine.views.plan_graph import (
    Change,
    after_of,
    block_of,
    exists_after,
    gpus_per_replica,
    replica_range,
)

PACK = "builtin"
DEFAULT_MAX_GPUS = 8
DEFAULT_MAX_HOURLY = 100.0
GATE_TYPES = frozenset({"evaluation", "benchmark"})


class RuleSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enforcement: Annotated[
        Enforcement | None, Field(description="Level of the rule; its default when unset.")
    ] = None

    def loosened_from(self, baseline: RuleSettings) -> list[str]:
        """How these settings let more through than ``baseline`` does, beyond the level."""
        return []


class _CapSettings(RuleSettings):
    CAP_FIELD: ClassVar[str]
    DEFAULT_CAP: ClassVar[float]

    def cap(self) -> float:
        value = getattr(self, self.CAP_FIELD)
        return float(value) if value is not None else self.DEFAULT_CAP

    def loosened_from(self, baseline: RuleSettings) -> list[str]:
        old = baseline.cap() if isinstance(baseline, _CapSettings) else self.DEFAULT_CAP
        if self.cap() > old:
            return [f"`{self.CAP_FIELD}` {self.cap():g} is above {old:g}"]
        return []


class GpuCapSettings(_CapSettings):
    CAP_FIELD = "max_gpus"
    DEFAULT_CAP = DEFAULT_MAX_GPUS

    max_gpus: Annotated[int | None, Field(gt=0, description="Most GPUs the plan may ask for.")] = (
        None
    )


class GatedUpstreamSettings(RuleSettings):
    approved_models: Annotated[
        list[str],
        Field(
            description="Models evaluated outside this project (e.g. a vetted hub model id "
            "served by an image); serving or registering exactly these needs no gate upstream."
        ),
    ] = []

    def loosened_from(self, baseline: RuleSettings) -> list[str]:
        allowed = set(getattr(baseline, "approved_models", []))
        added = sorted(set(self.approved_models) - allowed)
        return [f"`approved_models` adds {', '.join(added)}"] if added else []


class CostCapSettings(_CapSettings):
    CAP_FIELD = "max_hourly"
    DEFAULT_CAP = DEFAULT_MAX_HOURLY

    max_hourly: Annotated[
        float | None, Field(gt=0, description="Highest estimated hourly GPU cost at peak.")
    ] = None


def _existing(ctx: EvalContext, type_name: str) -> list[Change]:
    return [c for c in ctx.by_type.get(type_name, []) if exists_after(c)]


def _addr(change: Change) -> str:
    return str(change.get("address", ""))


def _has_gates(ctx: EvalContext, block: str) -> bool:
    for change in ctx.graph.instances.get(block, []):
        unknown = (change.get("change") or {}).get("after_unknown") or {}
        if exists_after(change) and (
            after_of(change).get("gates") or (isinstance(unknown, dict) and unknown.get("gates"))
        ):
            return True
    return False


def check_gated_upstream(ctx: EvalContext, settings: RuleSettings) -> list[Violation]:
    out: list[Violation] = []
    approved = set(getattr(settings, "approved_models", []))
    for type_name, verb, fields in (
        ("model", "registered", ("artifact", "source", "model_uri", "model")),
        ("llm_service", "served", ("model",)),
    ):
        for change in _existing(ctx, type_name):
            graph = ctx.graph  # built on first use: most plans register and serve nothing
            block = block_of(change)
            gated = graph.upstream_matching(
                block,
                "gated",
                lambda b: ctx.graph.type_of(b) in GATE_TYPES and _has_gates(ctx, b),
            )
            if gated:
                continue
            after = after_of(change)
            field = next((f for f in fields if f in after), fields[0])
            if after.get(field) in approved:
                continue
            ungated = sorted(graph.upstream_of_types(block, GATE_TYPES))
            hint = (
                f"{', '.join(ungated)} upstream {'has' if len(ungated) == 1 else 'have'} no gates"
                if ungated
                else "nothing upstream evaluates it"
            )
            out.append(
                Violation(
                    _addr(change),
                    field,
                    f"{type_name} is {verb} without a gated evaluation or benchmark upstream "
                    f"({hint}); add an `evaluation` or `benchmark` with `gates` between what "
                    "produces it and this resource",
                )
            )
    return out


def check_secrets(ctx: EvalContext, _settings: RuleSettings) -> list[Violation]:
    out: list[Violation] = []
    for name, variable in sorted((ctx.plan.get("variables") or {}).items()):
        if not isinstance(variable, dict) or variable.get("sensitive"):
            continue
        if looks_like_secret_name(name) and is_plaintext(variable.get("value")):
            message = (
                f"variable `{name}` looks like a secret but is not marked `sensitive: true`, "
                "so its value shows in plans and state"
            )
            out.append(Violation(f"var.{name}", "sensitive", message))
    for change in ctx.changes:
        if not exists_after(change):
            continue
        sensitive = (change.get("change") or {}).get("after_sensitive")
        for path, key in plaintext_secrets(after_of(change), sensitive):
            out.append(
                Violation(
                    _addr(change),
                    path,
                    (
                        f"{code_span(key)} holds a plaintext secret; pass it through a variable "
                        "marked `sensitive: true` (set from the environment, `OPSPEC_VAR_<name>`) "
                        "instead"
                    ),
                )
            )
    return out


def _on_local_pool(ctx: EvalContext, service: Change) -> bool:
    pool = ctx.graph.nearest_upstream(block_of(service), "gpu_pool")
    pools = ctx.graph.instances.get(pool, []) if pool else []
    return any(after_of(p).get("kind") == "local" for p in pools)


def check_gpu_count(ctx: EvalContext, settings: RuleSettings) -> list[Violation]:
    cap = getattr(settings, "max_gpus", None) or DEFAULT_MAX_GPUS
    out: list[Violation] = []
    for pool in _existing(ctx, "gpu_pool"):
        quota = after_of(pool).get("max_gpus")
        if isinstance(quota, int | float) and quota > cap:
            message = f"GPU quota {quota:g} is above the cap of {cap} GPUs"
            out.append(Violation(_addr(pool), "max_gpus", message))
    peaks = [
        (gpus_per_replica(after_of(s)) * replica_range(after_of(s))[1], s)
        for s in _existing(ctx, "llm_service")
        if not _on_local_pool(ctx, s)
    ]
    total = sum(p for p, _ in peaks)
    if total > cap:
        most, service = max(peaks, key=lambda p: (p[0], _addr(p[1])))
        field = "autoscaling.max_replicas" if after_of(service).get("autoscaling") else "replicas"
        out.append(
            Violation(
                _addr(service),
                field,
                (
                    f"the plan's services ask for {total} GPUs at peak, above the cap of {cap} "
                    f"(the largest, this one, asks for {most})"
                ),
            )
        )
    return out


def check_hourly_cost(ctx: EvalContext, settings: RuleSettings) -> list[Violation]:
    cap = getattr(settings, "max_hourly", None) or DEFAULT_MAX_HOURLY
    cost = ctx.cost
    if cost is None:
        return []  # nothing priced: the cost is zero
    peak = cost.get("hourly_after_max", cost.get("hourly_after")) or 0.0
    if peak <= cap:
        return []
    lines = [r for r in cost.get("resources") or [] if r.get("hourly_after_max") is not None]
    top = max(lines, key=lambda r: (r["hourly_after_max"], r["address"]), default=None)
    currency = cost.get("currency", "USD")
    message = f"estimated GPU cost at peak is {peak:.2f} {currency}/h, above the cap of {cap:g}"
    if top is None:
        return [Violation("", "", message)]
    largest = f"the largest, this one, costs {top['hourly_after_max']:.2f} {currency}/h"
    return [Violation(str(top["address"]), "replicas", f"{message} ({largest})")]


def check_compressed_benchmarked(ctx: EvalContext, _settings: RuleSettings) -> list[Violation]:
    out: list[Violation] = []
    kinds = {"benchmark", "compression"}
    for service in _existing(ctx, "llm_service"):
        graph = ctx.graph
        upstream = graph.upstream_of_types(block_of(service), kinds)
        measured: set[str] = set()
        for bench in (b for b in upstream if graph.type_of(b) == "benchmark"):
            measured.update(graph.upstream_of_types(bench, kinds))
        served = {b for b in upstream if graph.type_of(b) == "compression"}
        for comp in sorted(served - measured):
            message = (
                f"serves {comp}, which no benchmark upstream of this service measures; "
                "add a `benchmark` of it that the service depends on"
            )
            out.append(Violation(_addr(service), "model", message))
    return out


def check_prevent_destroy(ctx: EvalContext, _settings: RuleSettings) -> list[Violation]:
    out: list[Violation] = []
    for model in _existing(ctx, "model"):
        aliases = after_of(model).get("aliases")
        lifecycle = model.get("lifecycle") or {}
        if aliases and not (isinstance(lifecycle, dict) and lifecycle.get("prevent_destroy")):
            names = ", ".join(map(code_span, aliases if isinstance(aliases, list) else [aliases]))
            message = (
                f"model carries alias {names} but `lifecycle.prevent_destroy` is not set, "
                "so a destroy would remove what the alias serves"
            )
            out.append(Violation(_addr(model), "lifecycle.prevent_destroy", message))
    return out


Check = Callable[[EvalContext, RuleSettings], list[Violation]]


@dataclass(frozen=True, slots=True)
class BuiltinSpec:
    name: str
    default: Enforcement
    settings: type[RuleSettings]
    check: Check
    description: str

    def level(self, settings: RuleSettings) -> Enforcement:
        """The rule's level under ``settings``: as set, else mandatory once a cap is set."""
        if settings.enforcement is not None:
            return settings.enforcement
        has_cap = (
            isinstance(settings, _CapSettings) and getattr(settings, settings.CAP_FIELD) is not None
        )
        return Enforcement.MANDATORY if has_cap else self.default

    def loosenings(self, candidate: RuleSettings, baseline: RuleSettings | None) -> list[str]:
        """How ``candidate`` would let more through than ``baseline`` (the defaults if None)."""
        baseline = baseline or self.settings()
        before, after = self.level(baseline), self.level(candidate)
        out = [] if _STRICTNESS[after] >= _STRICTNESS[before] else [f"{before} -> {after}"]
        return out + candidate.loosened_from(baseline)


_STRICTNESS = {Enforcement.DISABLED: 0, Enforcement.ADVISORY: 1, Enforcement.MANDATORY: 2}


SPECS: tuple[BuiltinSpec, ...] = (
    BuiltinSpec("gated-evaluation-upstream", Enforcement.MANDATORY, GatedUpstreamSettings,
                check_gated_upstream,
                "models registered and LLM services served need a gated evaluation or "
                "benchmark upstream"),
    BuiltinSpec("no-plaintext-secrets", Enforcement.MANDATORY, RuleSettings, check_secrets,
                "no plaintext secrets in specs"),
    BuiltinSpec("gpu-count-cap", Enforcement.ADVISORY, GpuCapSettings, check_gpu_count,
                f"GPU count cap (default {DEFAULT_MAX_GPUS}; mandatory once set)"),
    BuiltinSpec("hourly-cost-cap", Enforcement.ADVISORY, CostCapSettings, check_hourly_cost,
                f"hourly GPU cost cap (default {DEFAULT_MAX_HOURLY:g}/h; mandatory once set)"),
    BuiltinSpec("benchmark-compressed-before-serving", Enforcement.ADVISORY, RuleSettings,
                check_compressed_benchmarked, "compressed variants are benchmarked before serving"),
    BuiltinSpec("prevent-destroy-aliased-models", Enforcement.ADVISORY, RuleSettings,
                check_prevent_destroy, "models that carry an alias set prevent_destroy"),
)  # fmt: skip
SPECS_BY_NAME = {s.name: s for s in SPECS}


@dataclass(slots=True)
class BuiltinRule(Rule):
    spec: BuiltinSpec
    settings: RuleSettings
    kind: str = "builtin"

    def check(self, ctx: EvalContext) -> list[Violation]:
        return self.spec.check(ctx, self.settings)


def builtin_policies(settings: dict[str, RuleSettings] | None = None) -> list[Policy]:
    """The built-in pack, with per-rule settings from the projects' ``config.yaml``."""
    policies: list[Policy] = []
    for spec in SPECS:
        rule_settings = (settings or {}).get(spec.name) or spec.settings()
        level = spec.level(rule_settings)
        policies.append(
            Policy(spec.name, PACK, level, BuiltinRule(spec, rule_settings), spec.description)
        )
    return policies


def parse_settings(name: str, raw: Any) -> RuleSettings:
    """Validate the settings of built-in rule ``name`` (raises pydantic's ValidationError)."""
    return SPECS_BY_NAME[name].settings.model_validate(raw or {})
