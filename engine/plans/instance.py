"""Planning one resource instance: refresh, check, diff, decide, and the values it will have."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pydantic import BaseModel

from engine.config.model import ResourceBlock
from engine.diagnostics import Diagnostic, error
from engine.expr.unknown import UNKNOWN, contains_unknown
from engine.placeholders import KNOWN_AFTER_APPLY
from engine.plans.action import Action, ActionInputs, ActionReason, decide_action
from engine.plans.change import FieldDiff, ResourceChange
from engine.plans.check import check_inputs
from engine.plans.diff import field_diffs, reason_text
from engine.plans.values import PathT
from engine.providers import CachedJob, Provider
from engine.registry import ResourceType
from engine.states.store import ResourceState, ResourceStatus
from specs.base import attribute_names, field_names


@dataclass
class Refreshed:
    """A prior resource after refresh: its outputs now, or ``None`` if it is gone."""

    outputs: dict[str, Any] | None
    drifted: bool = False
    vanished: bool = False


def refresh(provider: Provider, prior: ResourceState) -> Refreshed:
    if prior.status is ResourceStatus.TAINTED:
        return Refreshed(prior.outputs)
    result = provider.read(prior.id, dict(prior.outputs))
    if not getattr(result, "id", None):
        return Refreshed(None, vanished=True)
    outs = dict(result.outs or {})
    outs["id"] = str(result.id)
    return Refreshed(outs, drifted=outs != prior.outputs)


@dataclass
class InstancePlan:
    change: ResourceChange
    attrs: dict[str, Any]  # what expressions will read from this instance
    diagnostics: list[Diagnostic] = field(default_factory=list)


@dataclass(slots=True)
class InstanceRequest:
    address: str
    key: str | None
    block: ResourceBlock
    rtype: ResourceType
    provider: Provider
    inputs: dict[str, Any]
    sensitive: list[PathT]
    prior: ResourceState | None
    refreshed: Refreshed | None
    dependencies: list[str]
    replace_requested: bool
    changed_dependencies: list[str]  # dependencies that change in this plan
    triggered_by: list[str]  # replace_triggered_by addresses that change
    executor: str


def plan_instance(req: InstanceRequest, *, refresh_only: bool) -> InstancePlan:
    """Check the instance's inputs, diff them against what exists, decide the action, and
    say which values dependents will read."""
    inputs, diags = check_inputs(req)
    if inputs is None:
        return InstancePlan(_placeholder(req), {}, diags)
    prior, refreshed = req.prior, req.refreshed
    exists = prior is not None and (refreshed is None or refreshed.outputs is not None)
    current = _current_outputs(req)
    spec_fields = list(field_names(req.rtype.spec))
    diffs = field_diffs(current or {}, inputs, spec_fields) if exists else []
    verdict = _provider_diff(req, current, inputs, diffs) if exists else _NOT_DIFFED
    action, reason = decide_action(
        ActionInputs(
            in_config=True,
            exists=exists,
            refresh_only=refresh_only,
            drifted=bool(refreshed and refreshed.drifted),
            vanished=bool(refreshed and refreshed.vanished),
            tainted=bool(prior and prior.status is ResourceStatus.TAINTED),
            changed=verdict.changed,
            requires_replace=bool(verdict.replace_paths),
            changes_from_upstream=verdict.from_upstream,
            replace_requested=req.replace_requested,
            replace_triggered=bool(req.triggered_by),
            create_before_destroy=req.block.lifecycle.create_before_destroy,
        )
    )
    if req.block.lifecycle.prevent_destroy and action.is_delete:
        diags.append(_prevent_destroy(req, action))
    if action is Action.READ:
        return _refresh_only_change(req, refreshed, reason, diags)
    cache, cached_outputs = _cache_info(req, inputs, action)
    attrs = _planned_attrs(req, inputs, current, action, cached_outputs)
    change = ResourceChange(
        address=req.address,
        type=req.rtype.name,
        name=req.block.addr.name,
        index=req.key,
        action=action,
        action_reason=reason,
        reason=_reason(req, reason, current, diffs),
        before=dict(prior.outputs) if prior else None,
        after=attrs if action.is_change or exists else None,
        before_sensitive=list(prior.sensitive_paths) if prior else [],
        after_sensitive=req.sensitive,
        replace_paths=list(verdict.replace_paths),
        field_diffs=diffs,
        cache=cache,
        pos=req.block.pos_text,
        dependencies=req.dependencies,
        lifecycle=req.block.lifecycle_json,
        executor=req.executor,
        prior_id=prior.id if prior else None,
    )
    return InstancePlan(change, attrs, diags)


def _current_outputs(req: InstanceRequest) -> dict[str, Any] | None:
    """What exists now: the refreshed outputs, else the stored ones, else nothing."""
    refreshed = req.refreshed
    if refreshed and refreshed.outputs is not None:
        return refreshed.outputs
    return req.prior.outputs if req.prior else None


@dataclass(frozen=True, slots=True)
class _ProviderDiff:
    """The provider's verdict on an existing resource."""

    changed: bool = False
    replace_paths: tuple[PathT, ...] = ()  # the fields that force a replacement
    from_upstream: bool = False  # a forcing field is unknown: it changes only upstream


_NOT_DIFFED = _ProviderDiff()


def _provider_diff(
    req: InstanceRequest,
    current: dict[str, Any] | None,
    inputs: dict[str, Any],
    diffs: list[FieldDiff],
) -> _ProviderDiff:
    prior = req.prior
    if prior is None or current is None:
        return _NOT_DIFFED
    d = req.provider.diff(prior.id, dict(current), inputs)
    replaces = list(d.replaces or [])
    return _ProviderDiff(
        changed=bool(d.changes) if d.changes is not None else bool(diffs),
        replace_paths=tuple((r,) for r in replaces),
        from_upstream=any(contains_unknown(x.after) for x in diffs if x.path[0] in replaces),
    )


def _reason(
    req: InstanceRequest,
    reason: ActionReason,
    current: dict[str, Any] | None,
    diffs: list[FieldDiff],
) -> str:
    """The human reason of the change, with the field changes that explain it."""
    detail = _detail(req, reason, req.refreshed)
    shown = diffs
    prior = req.prior
    if reason is ActionReason.DRIFT and prior is not None and current is not None:
        # Describe what changed outside opspec (outputs too), then any input changes.
        keys = sorted(set(prior.outputs) | set(current), key=str)
        shown = [*field_diffs(prior.outputs, current, keys), *diffs]
        shown = list({d.path: d for d in shown}.values())
    return reason_text(reason, shown, req.sensitive, detail=detail)


def _refresh_only_change(
    req: InstanceRequest,
    refreshed: Refreshed | None,
    reason: ActionReason,
    diags: list[Diagnostic],
) -> InstancePlan:
    """A refresh-only change records what refresh found, not what the configuration says."""
    prior = req.prior
    assert prior is not None and refreshed is not None
    found = refreshed.outputs
    keys = sorted(set(prior.outputs) | set(found or {}), key=str)
    diffs = field_diffs(prior.outputs, found, keys) if found is not None else []
    detail = "deleted outside opspec" if found is None else "changed outside opspec"
    change = ResourceChange(
        address=req.address,
        type=req.rtype.name,
        name=req.block.addr.name,
        index=req.key,
        action=Action.READ,
        action_reason=reason,
        reason=reason_text(ActionReason.DRIFT, diffs, req.sensitive, detail=detail),
        before=dict(prior.outputs),
        after=dict(found) if found is not None else None,
        before_sensitive=list(prior.sensitive_paths),
        after_sensitive=list(prior.sensitive_paths),
        field_diffs=diffs,
        pos=req.block.pos_text,
        dependencies=req.dependencies,
        lifecycle=req.block.lifecycle_json,
        executor=req.executor,
        prior_id=prior.id,
    )
    attrs = dict(found if found is not None else prior.outputs)
    return InstancePlan(change, attrs, diags)


def _detail(req: InstanceRequest, reason: ActionReason, refreshed: Refreshed | None) -> str:
    if reason is ActionReason.DRIFT and refreshed and refreshed.vanished:
        return "deleted outside opspec"
    if reason is ActionReason.REPLACE_TRIGGERED_BY:
        return ", ".join(f"`{a}`" for a in req.triggered_by)
    if reason is ActionReason.REPLACE_CASCADE:
        ups = req.changed_dependencies
        return "an upstream value is known only after apply: " + ", ".join(ups) if ups else ""
    return ""


def _prevent_destroy(req: InstanceRequest, action: Action) -> Diagnostic:
    verb = "replace" if action.is_replace else "destroy"
    return error(
        f"{req.address} has lifecycle.prevent_destroy set, but the plan would {verb} it",
        "Remove prevent_destroy or change the plan (e.g. revert the change that forces "
        "replacement) to proceed.",
        req.block.meta_pos.get("lifecycle", req.block.pos),
        req.address,
    )


def _cache_info(
    req: InstanceRequest, inputs: dict[str, Any], action: Action
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    provider = req.provider
    if not isinstance(provider, CachedJob) or contains_unknown(inputs):
        if isinstance(provider, CachedJob):
            return {"key": None, "hit": False, "changed_inputs": [KNOWN_AFTER_APPLY]}, None
        return None, None
    parts = provider.cache_parts(inputs)
    if not parts:
        return None, None  # this instance is not a cached job (e.g. a threshold monitor)
    key = provider.cache_key(inputs)
    outputs = provider.cached_outputs(key)
    prior_parts = (req.prior.outputs.get("cache_parts") if req.prior else None) or {}
    changed = sorted(k for k, v in parts.items() if prior_parts.get(k) != v)
    if action is Action.NOOP:
        changed = []
    return {"key": key, "hit": outputs is not None, "changed_inputs": changed}, outputs


@cache
def _sorted_attributes(spec: type[BaseModel], outputs: type[BaseModel]) -> tuple[str, ...]:
    return tuple(sorted(attribute_names(spec, outputs)))


def _planned_attrs(
    req: InstanceRequest,
    inputs: dict[str, Any],
    current: dict[str, Any] | None,
    action: Action,
    cached: dict[str, Any] | None,
) -> dict[str, Any]:
    names = _sorted_attributes(req.rtype.spec, req.rtype.outputs)
    if action is Action.NOOP and current is not None:
        attrs = dict(current)
        for n in names:
            attrs.setdefault(n, None)
        return attrs
    attrs = dict(inputs)
    output_fields = field_names(req.rtype.outputs)
    for n in names:
        if n in attrs:
            continue
        if cached is not None and n in cached:
            attrs[n] = cached[n]
        elif n in output_fields or n == "id":
            attrs[n] = UNKNOWN
        else:
            attrs[n] = None
    if action is Action.UPDATE and current is not None and "id" in current:
        attrs["id"] = current["id"]
    return attrs


def _placeholder(req: InstanceRequest) -> ResourceChange:
    return ResourceChange(
        address=req.address,
        type=req.rtype.name,
        name=req.block.addr.name,
        index=req.key,
        action=Action.NOOP,
        action_reason=ActionReason.NO_OP,
        reason="",
        before=None,
        after=None,
    )
