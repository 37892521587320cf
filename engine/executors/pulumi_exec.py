"""The ``pulumi`` executor: hands the planned graph to the Pulumi engine (Automation API).

``opspec apply --executor pulumi`` (or resources with ``executor: pulumi``) builds an inline
Pulumi program from the plan (:mod:`engine.executors.program`) and runs ``pulumi up`` on a
local file backend inside the project (:mod:`engine.executors.stack`). Pulumi calls our
providers through its dynamic-provider host, or registers real objects for providers with a
native hook; every resource Pulumi finishes is recorded in opspec state as it finishes, so
``opspec plan`` afterwards converges.

The Automation API drives the ``pulumi`` CLI. Where the CLI is not installed the executor
refuses before anything changes (exit 1, saying what is missing) instead of pretending to
deploy. Differences from the local executor, all Pulumi's own behaviour: ``--target`` is
refused (Pulumi deletes what a program does not declare); a replacement follows the provider's
``delete_before_replace`` (every opspec provider says delete first), so
``lifecycle.create_before_destroy`` has no effect here; ``--parallelism`` is Pulumi's default.
opspec state stays the source of truth: what the stack holds and opspec state no longer has is
forgotten by the stack, not deleted (see :mod:`engine.executors.stack`).
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from engine.addrs import parse_address
from engine.errors import OpspecError
from engine.executors.direct import apply_reads, delete_prior, dependents_first
from engine.executors.partition import Partition, partition
from engine.executors.stack import StackLocation, managed_resources, without_resources
from engine.plans.action import Action
from engine.states.store import OutputState

if TYPE_CHECKING:
    from engine.apply.applier import ApplyResult
    from engine.executors.recorder import StateRecorder
    from engine.plans.change import Plan, ResourceChange
    from engine.plans.planner import Planner
    from engine.project import Project
    from engine.states.store import StateSnapshot

__all__ = ["PulumiApply", "apply_with_pulumi", "require_pulumi"]


def require_pulumi() -> str:
    path = shutil.which("pulumi")
    if path is None:
        raise OpspecError(
            "the `pulumi` executor needs the Pulumi CLI (`pulumi` on PATH), which is not "
            "installed here; install it (https://www.pulumi.com/docs/install/) or apply with "
            "`--executor local`"
        )
    return path


def apply_with_pulumi(
    project: Project, plan: Plan, planner: Planner, prior: StateSnapshot, parallelism: int = 4
) -> ApplyResult:
    """Apply ``plan`` through the Pulumi engine (needs the CLI; refuses clearly without it)."""
    require_pulumi()
    if plan.flags.get("targets"):
        raise OpspecError(
            "the pulumi executor cannot apply a targeted plan: Pulumi deletes whatever its "
            "program does not declare. Apply without --target, or with `--executor local`"
        )
    return PulumiApply(project, plan, planner, prior, parallelism=parallelism).run()


def open_stack(location: StackLocation) -> Any:
    """The real stack (Automation API over the ``pulumi`` CLI)."""
    return location.open(_no_resources)


class PulumiApply:
    """One apply through Pulumi. ``open_stack`` gives the stack to run on: the real one, or a
    fake with the same ``export_stack``/``up`` methods in tests."""

    def __init__(
        self,
        project: Project,
        plan: Plan,
        planner: Planner,
        prior: StateSnapshot,
        open_stack: Callable[[StackLocation], Any] = open_stack,
        parallelism: int = 4,
    ) -> None:
        from engine.apply.applier import ApplyResult

        self.open_stack = open_stack
        self.project = project
        self.plan = plan
        self.planner = planner
        self.prior = prior
        self.parallelism = parallelism
        self.result = ApplyResult()

    def run(self) -> ApplyResult:
        from engine.executors.builder import program_spec
        from engine.executors.program import build_program
        from engine.executors.recorder import StateRecorder

        stack = self.open_stack(StackLocation(self.project.directory, self.plan.workspace))
        exported = stack.export_stack()
        managed = managed_resources(exported.deployment)
        mentioned = {c.address for c in self.plan.changes} | set(self.prior.resources)
        forgotten = {a: urns for a, urns in managed.urns.items() if a not in mentioned}
        for address in forgotten:
            managed.urns.pop(address)
            managed.custom.pop(address, None)
        work = partition(self.plan, self.prior, managed)
        recorder = StateRecorder(
            self.project.store, self.plan.workspace, self.planner.registry, self.prior, managed
        )
        spec = program_spec(self.plan, self.planner, self.prior, work, recorder)
        if forgotten:
            _forget(stack, exported, forgotten)
        if not self._delete(work.direct_replaced_before, remove=False):
            self.result.skipped.extend(c.address for c in self.plan.changes if c.action.is_change)
            return self.result
        after_up = _direct_deletes_after_pulumi(work)
        self._delete(dependents_first(c for c in work.direct_deletes if c not in after_up))
        if work.needs_pulumi:
            error = _up(stack, build_program(spec), work, recorder, self.parallelism)
            _collect(work, recorder, error, self.result)
        self._delete(
            [c for c in work.direct_replaced_after if c.address in recorder.recorded],
            remove=False,
        )
        self._delete(dependents_first(after_up))
        self.result.done.extend(
            apply_reads(work.reads, self.prior, self.project.store, self.plan.workspace)
        )
        _write_outputs(self.project, self.plan, self.planner)
        self.result.done.sort()
        return self.result

    def _delete(self, changes: list[ResourceChange], *, remove: bool = True) -> bool:
        """Provider deletes of what the local executor created; false when one failed."""
        from engine.apply.applier import _message

        ok = True
        for change in changes:
            try:
                delete_prior(change, self.prior, self.planner.registry, self.planner.ctx)
            except Exception as exc:  # a provider's failure is that resource's failure
                self.result.failed[change.address] = _message(exc)
                ok = False
                continue
            if remove:
                self.project.store.remove_resource(self.plan.workspace, change.address)
                self.result.done.append(change.address)
        return ok


def _forget(stack: Any, exported: Any, forgotten: dict[str, list[str]]) -> None:
    """Drop from the stack what opspec state no longer has (see :mod:`.stack`)."""
    from pulumi.automation import Deployment

    for address in sorted(forgotten):
        print(f"{address}: not in opspec state any more; the Pulumi stack forgets it too")
    urns = {u for group in forgotten.values() for u in group}
    stack.import_stack(Deployment(exported.version, without_resources(exported.deployment, urns)))


def _no_resources() -> None:
    """The program a stack is opened with; each ``up`` passes the real one."""


def _up(
    stack: Any, program: Any, work: Partition, recorder: StateRecorder, parallelism: int
) -> str | None:
    """Run ``pulumi up``; the error summary when it fails."""
    from pulumi import automation as auto

    try:
        stack.up(
            program=program,
            parallel=parallelism,
            on_output=_echo,
            on_event=recorder.on_event,
            replace=work.replace_urns or None,
            refresh=True,
            continue_on_error=True,
            color="never",
            suppress_progress=True,
        )
    except auto.CommandError as exc:
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        return "; ".join(lines[-4:]) or "pulumi up failed"
    return None


def _echo(line: str) -> None:
    print(line.rstrip("\n"), flush=True)


def _direct_deletes_after_pulumi(work: Partition) -> list[ResourceChange]:
    """Direct deletions that something Pulumi keeps or deletes depends on: after Pulumi."""
    needed = {d for c in work.declared for d in c.dependencies}
    needed.update(d for c in work.pulumi_deletes for d in c.dependencies)
    return [c for c in work.direct_deletes if parse_address(c.address).block in needed]


def _collect(
    work: Partition, recorder: StateRecorder, error: str | None, result: ApplyResult
) -> None:
    """Done, failed and skipped addresses of what Pulumi was asked to do."""
    deletes = [c.address for c in work.pulumi_deletes]
    if error is None:
        for address in deletes:
            recorder.remove(address)
    result.done.extend(a for a in deletes if a in recorder.deleted)
    fallback = "; ".join(recorder.unplaced_errors) or error or "Pulumi reported no result"
    broken = set(recorder.failed)
    for change in work.declared:  # dependencies first
        address = change.address
        failure = recorder.failed.get(address)
        if address in recorder.recorded and failure is None:
            if change.action.is_change:
                result.done.append(address)
            continue
        broken.add(address)
        upstream = [a for a in broken if parse_address(a).block in change.dependencies]
        if failure is not None:
            result.failed[address] = failure
        elif change.action is Action.NOOP:
            continue  # unchanged, and Pulumi stopped before it: nothing to report
        elif upstream:
            result.skipped.append(address)
        else:
            result.failed[address] = fallback
    for address in deletes:
        if address not in recorder.deleted:
            result.failed.setdefault(address, recorder.failed.get(address, fallback))


def _write_outputs(project: Project, plan: Plan, planner: Planner) -> None:
    """Root outputs from what state holds now, as the local executor writes them."""
    from engine.executors.builder import values_from_state
    from engine.expr.evaluate import evaluate_value
    from engine.expr.template import ExprError
    from engine.expr.unknown import contains_unknown

    snapshot = project.store.read(plan.workspace)
    outputs: dict[str, OutputState] = {}
    if not plan.flags.get("destroy"):
        values = values_from_state(plan, planner, snapshot)
        for name, block in planner.config.outputs.items():
            try:
                value = evaluate_value(block.spec.value, values.scope()).value
            except ExprError as exc:
                print(f"warning: output `{name}`: {exc}", file=sys.stderr)
                continue
            if not contains_unknown(value):
                outputs[name] = OutputState(value, block.spec.sensitive)
    if outputs != snapshot.outputs:
        project.store.write_outputs(plan.workspace, outputs)
