"""Estimating what a plan costs: hourly/monthly GPU cost before and after, and job GPU-hours.

Priced resources (like Infracost, from list prices, never from a bill):

- ``llm_service``: replicas x ``gpus`` per replica x the price of the GPU type of the
  ``gpu_pool`` among its transitive dependencies (the nearest one). With ``autoscaling`` the
  hourly cost is given at ``min_replicas`` (``hourly_after``) and at ``max_replicas``
  (``hourly_after_max``). A service on a ``local`` pool costs nothing.
- ``gpu_pool``: costs nothing by itself. A Kubernetes pool is a namespace with a GPU quota and the
  cluster provisions nodes for what runs in it, so its cost is that of its services; the detail
  shows the ceiling its quota allows.
- ``training_job`` / ``fine_tune`` with ``device: cuda`` that will run in this apply (created,
  updated or replaced, and not a cache hit): GPU-hours = steps x seconds per step x GPUs, where
  steps come from ``steps``/``max_steps``, else ``epochs`` x ``steps_per_epoch``, else
  ``default_steps`` (the catalog's ``training`` heuristic). These are one-time costs, labelled
  as estimates.

A month is 730 hours. Values unknown until apply leave that resource unpriced, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.cost.catalog import PriceCatalog, load_catalog
from engine.diagnostics import Diagnostics, Severity
from engine.errors import DiagnosticsError
from engine.views.plan_graph import (
    Change,
    PlanGraph,
    actions_of,
    block_of,
    gpus_per_replica,
    number,
    replica_range,
)
from specs.accelerator import AcceleratorError, parse_accelerator

HOURS_PER_MONTH = 730
JOB_TYPES = ("training_job", "fine_tune")


@dataclass(frozen=True, slots=True)
class Side:
    """The priced state of one resource on one side of the plan (before or after)."""

    hourly: float | None = 0.0
    hourly_max: float | None = 0.0
    gpus: int = 0
    gpus_max: int = 0
    gpu_type: str | None = None
    unit_price: float | None = None
    detail: str = ""


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _unknown(change: Change, side: str, *fields: str) -> str | None:
    if side != "after":
        return None
    unknown = (change.get("change") or {}).get("after_unknown") or {}
    if unknown is True:
        return "the whole resource"
    for f in fields:
        if isinstance(unknown, dict) and unknown.get(f):
            return f"`{f}`"
    return None


def _values(change: Change | None, side: str) -> dict[str, Any] | None:
    if change is None:
        return None
    value = (change.get("change") or {}).get(side)
    return value if isinstance(value, dict) else None


def _pool_type(pool: Change | None, side: str, catalog: PriceCatalog) -> tuple[str, float] | str:
    """(GPU type, price) of the pool on this side, or the reason it cannot be priced.

    A pool missing on one side (created or deleted by this plan) is priced from the other.
    """
    other = "before" if side == "after" else "after"
    values = _values(pool, side) or _values(pool, other)
    if pool is None or values is None:
        return "no gpu_pool among its dependencies, so its GPU type is unknown"
    if values.get("kind") == "local":
        return "local"
    missing = _unknown(pool, side, "accelerator")
    if missing:
        return f"{block_of(pool)}: {missing} is known after apply"
    try:
        acc = parse_accelerator(str(values.get("accelerator") or ""))
    except AcceleratorError as exc:
        return f"{block_of(pool)}: {exc}"
    found = catalog.price(acc.catalog_keys)
    if found is None:
        return f"no price for GPU type {acc.catalog_keys[0]} (add it to prices.yaml)"
    return found


def _service_side(change: Change, pool: Change | None, side: str, catalog: PriceCatalog) -> Side:
    values = _values(change, side)
    if values is None:
        return Side()
    typed = _pool_type(pool, side, catalog)
    if typed == "local":
        return Side(detail="local pool: no cloud cost")
    missing = _unknown(change, side, "gpus", "replicas", "autoscaling")
    if isinstance(typed, str) or missing:
        reason = typed if isinstance(typed, str) else f"{missing} is known after apply"
        return Side(hourly=None, hourly_max=None, detail=reason)
    gpu_type, price = typed
    gpus = gpus_per_replica(values)
    low, high = replica_range(values)
    count = f"{low}-{high}" if high != low else str(low)
    detail = (
        f"{count} replica{'' if high == 1 else 's'} x {_plural(gpus, 'GPU')} "
        f"x {gpu_type} at ${price:.2f}/GPU-h"
    )
    return Side(
        round(low * gpus * price, 4),
        round(high * gpus * price, 4),
        low * gpus,
        high * gpus,
        gpu_type,
        price,
        detail,
    )


def _pool_line(change: Change, catalog: PriceCatalog) -> dict[str, Any]:
    values = _values(change, "after") or _values(change, "before") or {}
    if values.get("kind") == "local":
        detail = "local pool: no cloud cost"
    else:
        typed = _pool_type(change, "after" if _values(change, "after") else "before", catalog)
        quota = values.get("max_gpus")
        if isinstance(typed, str):
            detail = f"quota only; {typed}"
        elif isinstance(quota, int | float):
            ceiling = float(quota) * typed[1]
            detail = (
                f"quota of {int(quota)} x {typed[0]}: up to ${ceiling:.2f}/h when full; "
                "billed through the services that run on it"
            )
        else:
            detail = f"{typed[0]} quota; billed through the services that run on it"
    return _line(change, Side(), Side(), detail)


def _line(change: Change, before: Side, after: Side, detail: str) -> dict[str, Any]:
    return {
        "address": change.get("address"),
        "type": change.get("type"),
        "hourly_before": before.hourly,
        "hourly_after": after.hourly,
        "hourly_after_max": after.hourly_max,
        "gpus_before": before.gpus,
        "gpus_after": after.gpus,
        "gpus_after_max": after.gpus_max,
        "gpu_type": after.gpu_type or before.gpu_type,
        "unit_price": after.unit_price if after.unit_price is not None else before.unit_price,
        "detail": detail,
    }


def _service_line(change: Change, graph: PlanGraph, catalog: PriceCatalog) -> dict[str, Any]:
    pool_block = graph.nearest_upstream(block_of(change), "gpu_pool")
    pool = graph.instances[pool_block][0] if pool_block else None
    before = _service_side(change, pool, "before", catalog)
    after = _service_side(change, pool, "after", catalog)
    detail = after.detail if _values(change, "after") is not None else before.detail
    return _line(change, before, after, detail)


def _job_hours(change: Change, graph: PlanGraph, catalog: PriceCatalog) -> dict[str, Any] | None:
    actions = actions_of(change)
    values = _values(change, "after")
    cache = change.get("cache") or {}
    if values is None or actions in (["no-op"], ["read"]) or cache.get("hit"):
        return None
    if values.get("device") != "cuda":
        return None
    raw_params = values.get("params")
    params: dict[str, Any] = raw_params if isinstance(raw_params, dict) else {}
    steps = next(
        (
            s
            for s in (
                values.get("steps"),
                values.get("max_steps"),
                params.get("steps"),
                params.get("max_steps"),
            )
            if isinstance(s, int | float) and s > 0
        ),
        None,
    )
    epochs = next(
        (e for e in (values.get("epochs"), params.get("epochs")) if isinstance(e, int | float)),
        None,
    )
    if steps is not None:
        basis = f"{int(steps)} steps"
    elif epochs is not None:
        steps = epochs * catalog.steps_per_epoch
        basis = f"{epochs:g} epochs x {catalog.steps_per_epoch} steps/epoch (assumed)"
    else:
        steps = catalog.default_steps
        basis = f"{steps} steps (assumed; the job gives neither steps nor epochs)"
    gpus = int(number(values.get("gpus"), 1))
    pool_block = graph.nearest_upstream(block_of(change), "gpu_pool")
    typed = _pool_type(graph.instances[pool_block][0], "after", catalog) if pool_block else None
    found = typed if isinstance(typed, tuple) else catalog.price([catalog.gpu_type])
    hours = float(steps) * catalog.seconds_per_step * gpus / 3600
    return {
        "address": change.get("address"),
        "type": change.get("type"),
        "gpu_type": found[0] if found else catalog.gpu_type,
        "gpus": gpus,
        "gpu_hours": round(hours, 4),
        "cost": round(hours * found[1], 4) if found else None,
        "basis": f"{basis} x {catalog.seconds_per_step:g} s/step x {_plural(gpus, 'GPU')}",
        "estimate": True,
    }


def _total(lines: list[dict[str, Any]], key: str) -> float:
    return round(sum(float(line[key]) for line in lines if line.get(key) is not None), 4)


def estimate(
    plan: dict[str, Any],
    project_dir: Path | None,
    overrides: dict[str, Any] | None = None,
    *,
    catalog: PriceCatalog | None = None,
    graph: PlanGraph | None = None,
    untrusted: bool = False,
) -> dict[str, Any]:
    """The cost document of ``plan`` (see the module docstring); JSON-serialisable.

    Raises :class:`~engine.errors.DiagnosticsError` when the project's ``prices.yaml`` or the
    ``overrides`` are invalid (the diagnostics carry their positions).
    """
    if catalog is None:
        catalog, diags = load_catalog(project_dir, overrides, untrusted=untrusted)
        errors = [d for d in diags if d.severity is Severity.ERROR]
        if errors:
            raise DiagnosticsError(Diagnostics(errors))
    graph = graph or PlanGraph(plan)
    resources: list[dict[str, Any]] = []
    gpu_hours: list[dict[str, Any]] = []
    for change in graph.changes:
        kind = change.get("type")
        if kind == "gpu_pool":
            resources.append(_pool_line(change, catalog))
        elif kind == "llm_service":
            resources.append(_service_line(change, graph, catalog))
        elif kind in JOB_TYPES and (job := _job_hours(change, graph, catalog)) is not None:
            gpu_hours.append(job)
    before, after = _total(resources, "hourly_before"), _total(resources, "hourly_after")
    after_max = _total(resources, "hourly_after_max")
    unpriced = [
        {"address": r["address"], "reason": r["detail"]}
        for r in resources
        if r["hourly_after"] is None or r["hourly_before"] is None
    ]
    return {
        "currency": catalog.currency,
        "hourly_before": before,
        "hourly_after": after,
        "hourly_delta": round(after - before, 4),
        "hourly_after_max": after_max,
        "monthly_before": round(before * HOURS_PER_MONTH, 2),
        "monthly_after": round(after * HOURS_PER_MONTH, 2),
        "monthly_delta": round((after - before) * HOURS_PER_MONTH, 2),
        "monthly_after_max": round(after_max * HOURS_PER_MONTH, 2),
        "hours_per_month": HOURS_PER_MONTH,
        "resources": resources,
        "gpu_hours": gpu_hours,
        "gpu_hours_total": _total(gpu_hours, "gpu_hours"),
        "gpu_hours_cost": _total(gpu_hours, "cost"),
        "unpriced": unpriced,
    }


def has_priced_resources(plan: dict[str, Any]) -> bool:
    """Whether ``plan`` has anything the estimator prices (the engine adds ``cost`` only then)."""
    for change in plan.get("resource_changes") or []:
        kind = change.get("type") if isinstance(change, dict) else None
        if kind in ("gpu_pool", "llm_service"):
            return True
        if kind in JOB_TYPES and (_values(change, "after") or {}).get("device") == "cuda":
            return True
    return False
