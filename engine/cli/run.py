"""``validate``, ``plan``, ``apply``, ``destroy`` and ``refresh``."""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

from engine.apply.applier import Applier, ApplyResult
from engine.cli.output import fail, print_diagnostics
from engine.cli.review import (
    overrides_from,
    print_failures,
    record_overrides,
    review,
    saved_failures,
)
from engine.errors import DiagnosticsError
from engine.plans.action import Action
from engine.plans.change import Plan
from engine.plans.planfile import is_plan_file, read_plan, staleness, write_plan
from engine.plans.planner import Planner, PlanOptions
from engine.project import Project, open_project
from engine.states.store import StateSnapshot
from engine.views.display import terminal_safe, terminal_safe_lines
from engine.views.plan_json import render_plan_json
from engine.views.progress import Progress
from engine.views.text import render_plan


def _project(args: argparse.Namespace) -> Project:
    return open_project(Path(args.chdir), args.workspace)


def _options(args: argparse.Namespace, project: Project, **extra: object) -> PlanOptions:
    opts = PlanOptions(
        workspace=project.workspace,
        cli_vars=list(getattr(args, "vars", [])),
        var_files=[Path(f) for f in getattr(args, "var_files", [])],
        targets=list(getattr(args, "targets", [])),
        replace=list(getattr(args, "replace", [])),
        refresh=getattr(args, "refresh", "true") == "true",
        refresh_only=bool(getattr(args, "refresh_only", False)),
        destroy=bool(getattr(args, "destroy", False)),
        untrusted=bool(getattr(args, "untrusted", False)),
        executor=getattr(args, "executor", None),
    )
    for k, v in extra.items():
        setattr(opts, k, v)
    return opts


def make_plan(project: Project, opts: PlanOptions, prior: StateSnapshot) -> tuple[Plan, Planner]:
    config, diags = project.load(untrusted=opts.untrusted)
    if diags.has_errors:
        raise DiagnosticsError(diags)
    ctx = project.context(config, untrusted=opts.untrusted)
    planner = Planner(config, prior, project.registry, ctx, opts)
    plan, diags = planner.plan()
    if plan is None:
        raise DiagnosticsError(diags)
    if diags:
        print_diagnostics(diags)
    return plan, planner


@contextmanager
def _locked(project: Project, operation: str, timeout: float) -> Iterator[None]:
    lock = project.store.lock(project.workspace, operation, timeout)
    try:
        yield
    finally:
        project.store.unlock(project.workspace, lock.id)


def cmd_validate(args: argparse.Namespace) -> int:
    project = _project(args)
    opts = _options(args, project, refresh=False)
    make_plan(project, opts, StateSnapshot())
    print("Success! The configuration is valid.")
    return 0


def _review(args: argparse.Namespace, project: Project, plan: Plan, planner: Planner) -> list[Any]:
    return review(
        plan,
        project,
        planner.config,
        untrusted=planner.opts.untrusted,
        policy_dirs=list(getattr(args, "policy_dirs", [])),
        overrides=overrides_from(args),
    )


def cmd_plan(args: argparse.Namespace) -> int:
    project = _project(args)
    opts = _options(args, project)
    with _locked(project, "plan", args.lock_timeout):
        prior = project.store.read(project.workspace)
        plan, planner = make_plan(project, opts, prior)
    failures = _review(args, project, plan, planner)
    if args.out:
        write_plan(Path(args.out), plan, project.secrets)
    if args.format == "json":
        sys.stdout.write(render_plan_json(plan))
    elif args.format == "markdown":
        from engine.views.markdown import render_markdown

        sys.stdout.write(render_markdown(plan.to_json()))
    else:
        sys.stdout.write(render_plan(plan))
        if args.out:
            print(f"\nSaved the plan to {args.out}; apply it with: opspec apply {args.out}")
    if failures:
        print_failures(failures, "the plan may not be applied")
        return 1
    if args.detailed_exitcode and plan.has_changes:
        return 2
    return 0


def _confirm(plan: Plan, verb: str) -> bool:
    if not sys.stdin.isatty():
        print(
            f"error: {verb} needs confirmation, but there is no terminal to ask on; "
            "pass --auto-approve (or apply a saved plan file)",
            file=sys.stderr,
        )
        return False
    answer = input(f"\nDo you want to {verb}? Only 'yes' will be accepted.\n  Enter a value: ")
    if answer.strip() != "yes":
        print(f"{verb.capitalize()} cancelled.", file=sys.stderr)
        return False
    return True


def _run_apply(
    project: Project, plan: Plan, planner: Planner, prior: StateSnapshot, parallelism: int
) -> int:
    if not plan.has_changes:
        print("\nNo changes to apply.")
        return 0
    record_overrides(project, plan)
    if any(c.executor == "pulumi" for c in plan.changes if c.action.is_change):
        from engine.executors.pulumi_exec import apply_with_pulumi

        return _report(apply_with_pulumi(project, plan, planner, prior, parallelism), plan)
    with Progress() as progress:
        applier = Applier(
            plan,
            planner.config,
            planner.node_deps,
            prior,
            project.store,
            project.registry,
            planner.ctx,
            progress,
        )
        with _interrupts(applier):
            result = applier.run(parallelism)
    return _report(result, plan)


@contextmanager
def _interrupts(applier: Applier) -> Iterator[None]:
    """First Ctrl-C: stop scheduling and let running calls finish; second: cancel them."""
    from engine.jobs.runner import cancel_all_jobs

    def handler(_sig: int, _frame: FrameType | None) -> None:
        if not applier.stop.is_set():
            applier.stop.set()
            print(
                "\nInterrupt received: waiting for running operations to finish "
                "(press Ctrl-C again to cancel them).",
                file=sys.stderr,
            )
        else:
            cancel_all_jobs()
            print("\nCancelling running operations.", file=sys.stderr)

    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _report(result: ApplyResult, plan: Plan) -> int:
    counts = {"add": 0, "change": 0, "destroy": 0}
    by_addr = {c.address: c for c in plan.changes}
    for address in result.done:
        action = by_addr[address].action
        counts["add"] += action.is_create
        counts["change"] += action is Action.UPDATE
        counts["destroy"] += action.is_delete
    if result.ok:
        print(
            f"\nApply complete! Resources: {counts['add']} added, {counts['change']} "
            f"changed, {counts['destroy']} destroyed."
        )
        return 0
    print(
        f"\nApply failed. Resources: {counts['add']} added, {counts['change']} changed, "
        f"{counts['destroy']} destroyed.",
        file=sys.stderr,
    )
    for address, message in sorted(result.failed.items()):
        text = terminal_safe_lines(f"{terminal_safe(address)}: {message}")
        print(f"  failed:    {text}", file=sys.stderr)
    for address in result.skipped:
        print(f"  skipped:   {terminal_safe(address)} (a dependency failed)", file=sys.stderr)
    for address in result.cancelled:
        print(
            f"  cancelled: {terminal_safe(address)} (interrupted before it started)",
            file=sys.stderr,
        )
    return 1


def cmd_apply(args: argparse.Namespace) -> int:
    project = _project(args)
    if args.planfile:
        return _apply_saved(args, project, Path(args.planfile))
    opts = _options(args, project)
    with _locked(project, "apply", args.lock_timeout):
        prior = project.store.read(project.workspace)
        plan, planner = make_plan(project, opts, prior)
        failures = _review(args, project, plan, planner)
        sys.stdout.write(render_plan(plan))
        if failures:
            print_failures(failures, "apply refused")
            return 1
        if not plan.has_changes:
            return 0
        if not args.auto_approve and not _confirm(plan, "apply these changes"):
            return 1
        return _run_apply(project, plan, planner, prior, args.parallelism)


def _apply_saved(args: argparse.Namespace, project: Project, path: Path) -> int:
    if not is_plan_file(path):
        return fail(f"{path} is not a saved plan file")
    saved = read_plan(path, project.secrets)
    project.workspace_arg = saved.workspace
    with _locked(project, "apply", args.lock_timeout):
        prior = project.store.read(saved.workspace)
        config, diags = project.load(untrusted=False)
        if diags.has_errors:
            raise DiagnosticsError(diags)
        why = staleness(saved, prior.lineage, prior.serial, config.fingerprint)
        if why:
            return fail(
                f"the saved plan {path} is stale: " + "; ".join(why) + ". Run `opspec plan` again."
            )
        failures = saved_failures(saved, overrides_from(args))
        if failures:
            print_failures(failures, "apply of the saved plan refused")
            return 1
        opts = _options(args, project, refresh=False)
        opts.destroy = bool(saved.flags.get("destroy"))
        opts.refresh_only = bool(saved.flags.get("refresh_only"))
        opts.targets = list(saved.flags.get("targets") or [])
        ctx = project.context(config)
        planner = Planner(config, prior, project.registry, ctx, opts)
        planner.build()
        return _run_apply(project, saved, planner, prior, args.parallelism)


def cmd_destroy(args: argparse.Namespace) -> int:
    project = _project(args)
    opts = _options(args, project, destroy=True)
    with _locked(project, "destroy", args.lock_timeout):
        prior = project.store.read(project.workspace)
        plan, planner = make_plan(project, opts, prior)
        sys.stdout.write(render_plan(plan))
        if not plan.has_changes:
            return 0
        if not args.auto_approve and not _confirm(plan, "destroy all resources"):
            return 1
        return _run_apply(project, plan, planner, prior, args.parallelism)


def cmd_refresh(args: argparse.Namespace) -> int:
    project = _project(args)
    opts = _options(args, project, refresh_only=True)
    with _locked(project, "refresh", args.lock_timeout):
        prior = project.store.read(project.workspace)
        if not prior.exists:
            print("No state yet: nothing to refresh.")
            return 0
        plan, planner = make_plan(project, opts, prior)
        if not plan.has_changes:
            print("No changes: the state matches the real resources.")
            return 0
        sys.stdout.write(render_plan(plan))
        return _run_apply(project, plan, planner, prior, 4)
