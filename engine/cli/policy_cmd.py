"""``opspec policy check``: plan, then run the policies alone and print their results."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("policy", help="policy-as-code")
    psub = p.add_subparsers(dest="policy_command", metavar="SUBCOMMAND", required=True)
    check = psub.add_parser("check", help="plan and evaluate the policies")
    from engine.cli.main import _plan_options

    _plan_options(check)
    check.add_argument("--format", default="text", choices=["text", "json"])
    p.set_defaults(func=cmd_policy)


def cmd_policy(args: argparse.Namespace) -> int:
    from engine.cli.review import overrides_from, print_failures, review
    from engine.cli.run import _locked, _options, make_plan
    from engine.project import open_project
    from engine.views.policy_section import render_policy_text

    project = open_project(Path(args.chdir), args.workspace)
    opts = _options(args, project)
    with _locked(project, "policy check", args.lock_timeout):
        prior = project.store.read(project.workspace)
        plan, planner = make_plan(project, opts, prior)
    failures = review(
        plan,
        project,
        planner.config,
        untrusted=opts.untrusted,
        policy_dirs=list(args.policy_dirs),
        overrides=overrides_from(args),
    )
    if args.format == "json":
        doc = {"policy_results": plan.policy_results, "cost": plan.cost}
        sys.stdout.write(json.dumps(doc, indent=2, sort_keys=True) + "\n")
    else:
        sys.stdout.write(render_policy_text(plan.policy_results or [], verbose=True))
    if failures:
        print_failures(failures, "the plan may not be applied")
        return 1
    return 0
