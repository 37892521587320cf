"""Policy as code: advisory and mandatory checks over a plan, written in CEL or Python.

Usage (what the CLI does)::

    from engine.policy import evaluate, load_policies, mandatory_failures

    policies, diags = load_policies(project_dir, [Path("../shared-policies")])
    results = evaluate(plan_json, policies, overrides={"no-plaintext-secrets": "rotated today"},
                       allow_python=not untrusted)
    plan_json["policy_results"] = [r.to_json() for r in results]
    if mandatory_failures(results): ...   # plan exits 1, apply refuses

Policies come from the built-in pack (:mod:`engine.policy.builtin`), from every ``*.yaml`` file
in the project's ``policies/`` directory and from each ``--policy DIR``. Each file is a pack::

    # policies/gpu.yaml
    pack: gpu-guardrails              # optional; defaults to the file name without .yaml
    description: Limits on GPU use
    policies:
      - name: pool-quota              # unique in the pack; `--override pool-quota` or
                                      # `--override gpu-guardrails/pool-quota`
        description: GPU pools ask for at most 16 GPUs
        enforcement: mandatory        # advisory (default) | mandatory | disabled
        scope: resource               # resource (default): checked per resource change
        types: [gpu_pool]             # optional: only these resource types
        actions: [create, update, replace]   # optional; default: create, update, replace,
                                             # no-op (what exists after apply); also delete, read
        when: 'after.kind == "kubernetes"'   # optional CEL precondition
        expression: 'after.max_gpus <= params.limit'   # CEL: true when the change complies
        params: {limit: 16}
        field: max_gpus               # the field a violation names
        message: GPU pool quota above the limit      # or message_expression: CEL -> string
      - name: few-services
        scope: plan                   # evaluated once over the plan; the expression returns
                                      # a bool, or a list of the addresses in violation
        expression: >-
          plan.resource_changes.filter(r, r.type == "llm_service").size() <= 4
      - name: naming
        python: checks:service_names  # checks.py in this directory: service_names(plan,
                                      # params) returns violations {address, field, message}
        enforcement: advisory

CEL variables: ``resource`` (the resource change as in the plan JSON: ``address``, ``type``,
``change.actions``, ``change.after``, ``reason``, ``cache``, ...), ``after`` and ``before``
(its ``change.after``/``change.before``), ``params`` and ``plan`` (the whole plan document).
An expression that cannot be evaluated for a change (for instance a field that is absent or
known only after apply) is a violation saying so; guard with ``has(after.x)`` or ``when``.
Python policies run only when ``allow_python`` is true (never for ``--untrusted`` plans);
otherwise they fail closed, see :mod:`engine.policy.pyrules`.

``config.yaml`` in a policy directory configures the built-in pack: a rule's ``enforcement``
and its parameters (the GPU and cost caps), for example::

    builtin:
      gpu-count-cap: {max_gpus: 16}        # setting a cap makes the rule mandatory
      hourly-cost-cap: {max_hourly: 120}
      benchmark-compressed-before-serving: {enforcement: mandatory}
      gated-evaluation-upstream:           # models vetted outside this project
        approved_models: [Qwen/Qwen2.5-7B-Instruct]

Each result (:class:`PolicyResult`, ``to_json()``) holds ``policy``, ``pack``,
``enforcement``, ``passed``, ``violations`` (``address``, ``field``, ``message``),
``overridden``, ``override_reason``, and ``evaluated``/``error`` for rules that could not run.
"""

from __future__ import annotations

from engine.policy.builtin import PACK as BUILTIN_PACK
from engine.policy.evaluate import (
    apply_overrides,
    evaluate,
    mandatory_failures,
    unknown_overrides,
)
from engine.policy.loader import load_policies
from engine.policy.model import Enforcement, Policy, PolicyResult, Rule, Violation

__all__ = [
    "BUILTIN_PACK",
    "Enforcement",
    "Policy",
    "PolicyResult",
    "Rule",
    "Violation",
    "apply_overrides",
    "evaluate",
    "load_policies",
    "mandatory_failures",
    "unknown_overrides",
]
