"""GPU cost estimates of plans, from a price catalog shipped as data and overridable per project.

Usage::

    from engine.cost import estimate

    plan["cost"] = estimate(plan, project_dir, overrides=settings.get("cost"))

:func:`estimate` works over the plan JSON document alone (``resource_changes`` with their
``before``/``after`` and ``dependencies``) and returns::

    {"currency": "USD", "hourly_before", "hourly_after", "hourly_delta", "hourly_after_max",
     "monthly_before", "monthly_after", "monthly_delta", "monthly_after_max", "hours_per_month",
     "resources": [{address, type, hourly_before, hourly_after, hourly_after_max, gpus_before,
                    gpus_after, gpus_after_max, gpu_type, unit_price, detail}],
     "gpu_hours": [{address, type, gpu_type, gpus, gpu_hours, cost, basis, estimate: true}],
     "gpu_hours_total", "gpu_hours_cost", "unpriced": [{address, reason}]}

What is priced and how is in :mod:`engine.cost.estimate`; where prices come from (the shipped
``prices.yaml``, the project's ``prices.yaml``, the ``providers: {cost: ...}`` block) is in
:mod:`engine.cost.catalog`. All figures are estimates from approximate public list prices.
"""

from __future__ import annotations

from engine.cost.catalog import CostSettings, PriceCatalog, load_catalog
from engine.cost.estimate import HOURS_PER_MONTH, estimate, has_priced_resources

__all__ = [
    "HOURS_PER_MONTH",
    "CostSettings",
    "PriceCatalog",
    "estimate",
    "has_priced_resources",
    "load_catalog",
]
