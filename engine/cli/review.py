"""What a plan is reviewed with before it may be applied: cost estimates and policies.

``plan`` attaches both to the plan (text, JSON, Markdown and saved plan files show them) and
exits 1 when a mandatory policy fails without an override; ``apply`` refuses then. An override
(``--override POLICY --reason TEXT``) is recorded in state with who, when and why.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import socket
import sys
from pathlib import Path
from typing import Any

from engine.cli.output import print_diagnostics
from engine.config.model import Config
from engine.diagnostics import Diagnostics, Severity
from engine.errors import DiagnosticsError, OpspecError
from engine.plans.change import Plan
from engine.project import Project
from engine.views.display import terminal_safe


def overrides_from(args: argparse.Namespace) -> dict[str, str]:
    names: list[str] = list(getattr(args, "overrides", []) or [])
    if not names:
        return {}
    reason = getattr(args, "reason", None)
    if not reason or not reason.strip():
        raise OpspecError("--override needs --reason TEXT saying why the policy may be broken")
    return dict.fromkeys(names, reason.strip())


def review(
    plan: Plan,
    project: Project,
    config: Config,
    *,
    untrusted: bool,
    policy_dirs: list[str],
    overrides: dict[str, str],
) -> list[dict[str, Any]]:
    """Attach cost and policy results to ``plan``; return the blocking (mandatory) failures."""
    from engine.cost import estimate, has_priced_resources
    from engine.policy import evaluate, load_policies, mandatory_failures
    from engine.policy.evaluate import unknown_overrides

    doc = plan.to_json()
    if has_priced_resources(doc):
        settings = config.providers.get("cost")
        plan.cost = estimate(
            doc,
            project.directory,
            settings if isinstance(settings, dict) else None,
            untrusted=untrusted,
        )
        doc["cost"] = plan.cost
    policies, diags = load_policies(
        project.directory, [Path(d) for d in policy_dirs], untrusted=untrusted
    )
    if any(d.severity is Severity.ERROR for d in diags):
        raise DiagnosticsError(Diagnostics(diags))
    if diags:
        print_diagnostics(Diagnostics(diags))
    results = evaluate(doc, policies, overrides, allow_python=not untrusted)
    unknown = unknown_overrides(results, overrides)
    if unknown:
        raise OpspecError("--override names no failing policy: " + ", ".join(unknown))
    plan.policy_results = [r.to_json() for r in results]
    return [r.to_json() for r in mandatory_failures(results)]


def saved_failures(plan: Plan, overrides: dict[str, str]) -> list[dict[str, Any]]:
    """The blocking failures of a saved plan, after applying ``overrides`` given now."""
    from engine.policy import mandatory_failures
    from engine.policy.evaluate import apply_overrides, unknown_overrides
    from engine.policy.model import PolicyResult

    if plan.policy_results is None:
        return []
    results = [PolicyResult.from_json(r) for r in plan.policy_results]
    unknown = unknown_overrides(results, overrides)
    if unknown:
        raise OpspecError("--override names no failing policy: " + ", ".join(unknown))
    apply_overrides(results, overrides)
    plan.policy_results = [r.to_json() for r in results]
    return [r.to_json() for r in mandatory_failures(results)]


def print_failures(failures: list[dict[str, Any]], verb: str) -> None:
    for f in failures:
        for v in f.get("violations") or [{"address": "-", "field": "-", "message": f.get("error")}]:
            line = (
                f"error: mandatory policy {f['pack']}/{f['policy']} failed: {v['address']} "
                f"`{v['field']}`: {v['message']}"
            )
            print(terminal_safe(line), file=sys.stderr)
    print(
        f"\n{len(failures)} mandatory policy failure(s): {verb}. Fix the plan, or override with "
        "--override POLICY --reason TEXT.",
        file=sys.stderr,
    )


def record_overrides(project: Project, plan: Plan) -> None:
    """Keep every override in state: which policy, who, when, why."""
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    who = f"{getpass.getuser()}@{socket.gethostname()}"
    for r in plan.policy_results or []:
        if r.get("overridden"):
            project.store.append_event(
                project.workspace,
                {
                    "kind": "policy_override",
                    "policy": f"{r['pack']}/{r['policy']}",
                    "reason": r.get("override_reason"),
                    "who": who,
                    "when": now,
                    "violations": r.get("violations", []),
                    "spec_fingerprint": plan.fingerprint,
                },
            )
