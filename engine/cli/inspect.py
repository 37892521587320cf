"""``output``, ``show`` and ``graph``: read-only views (they never take the state lock)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from engine.cli.output import fail
from engine.errors import DiagnosticsError
from engine.placeholders import SENSITIVE
from engine.plans.values import mask_sensitive
from engine.project import Project, open_project
from engine.states.store import ResourceState
from engine.views.outputs import render_output_value, render_outputs, render_outputs_json


def _project(args: argparse.Namespace) -> Project:
    return open_project(Path(args.chdir), args.workspace)


def cmd_output(args: argparse.Namespace) -> int:
    project = _project(args)
    outputs = project.store.read(project.workspace).outputs
    reveal = bool(args.show_sensitive)
    if args.name is not None:
        if args.name not in outputs:
            return fail(f"no output named `{args.name}` in the state")
        out = outputs[args.name]
        sys.stdout.write(render_output_value(out, as_json=args.json, reveal=reveal))
    elif args.json:
        sys.stdout.write(render_outputs_json(outputs, reveal=reveal))
    else:
        sys.stdout.write(render_outputs(outputs, reveal=reveal))
    return 0


def _resource_view(rs: ResourceState) -> dict[str, Any]:
    doc = rs.to_json()
    doc["inputs"] = mask_sensitive(rs.inputs, rs.sensitive_paths)
    doc["outputs"] = mask_sensitive(rs.outputs, rs.sensitive_paths)
    if ("id",) in rs.sensitive_paths:
        doc["id"] = SENSITIVE
    return doc


def render_resource(rs: ResourceState, registry: Any) -> str:
    view = _resource_view(rs)
    lines = [f"# {rs.address} ({rs.type}, id={view['id']}, {rs.status.value})"]
    rtype = registry.get(rs.type)
    describe = getattr(rtype.provider, "describe", None) if rtype else None
    if describe is not None and rtype is not None:
        from engine.providers import ProviderContext

        provider = rtype.provider(ProviderContext("", "", rs.address))
        lines.append(provider.describe(view["outputs"]).rstrip())
        return "\n".join(lines) + "\n"
    width = max((len(k) for k in view["outputs"]), default=0)
    for key in sorted(view["outputs"]):
        lines.append(f"  {key.ljust(width)} = {json.dumps(view['outputs'][key], sort_keys=True)}")
    return "\n".join(lines) + "\n"


def cmd_show(args: argparse.Namespace) -> int:
    project = _project(args)
    target = args.target
    if target is not None and Path(target).is_file():
        from engine.plans.planfile import read_plan
        from engine.views.plan_json import render_plan_json
        from engine.views.text import render_plan

        plan = read_plan(Path(target), project.secrets)
        sys.stdout.write(render_plan_json(plan) if args.json else render_plan(plan))
        return 0
    state = project.store.read(project.workspace)
    if target is None:
        if args.json:
            doc = state.to_json()
            doc["resources"] = [_resource_view(state.resources[a]) for a in sorted(state.resources)]
            print(json.dumps(doc, indent=2))
        else:
            for address in sorted(state.resources):
                sys.stdout.write(render_resource(state.resources[address], project.registry))
        return 0
    rs = state.resources.get(target)
    if rs is None:
        return fail(f"no resource `{target}` in the state (and no plan file of that name)")
    if args.json:
        print(json.dumps(_resource_view(rs), indent=2))
    else:
        sys.stdout.write(render_resource(rs, project.registry))
    return 0


def cmd_graph(args: argparse.Namespace) -> int:
    from engine.plans.planner import Planner, PlanOptions
    from engine.states.store import StateSnapshot
    from engine.views.graph import render_dot, render_json, render_mermaid

    project = _project(args)
    config, diags = project.load()
    if diags.has_errors:
        raise DiagnosticsError(diags)
    planner = Planner(
        config,
        StateSnapshot(),
        project.registry,
        project.context(config),
        PlanOptions(workspace=project.workspace),
    )
    diags = planner.build()
    if diags.has_errors:
        raise DiagnosticsError(diags)
    render = {"dot": render_dot, "mermaid": render_mermaid, "json": render_json}[args.format]
    sys.stdout.write(render(planner.graph))
    return 0
