"""The plan as one JSON document, the shape of ``terraform show -json`` (see
:meth:`engine.plans.change.Plan.to_json`): keys sorted, sensitive values masked."""

from __future__ import annotations

import json

from engine.plans.change import Plan


def render_plan_json(plan: Plan) -> str:
    return json.dumps(plan.to_json(), indent=2, sort_keys=True) + "\n"
