"""Who does what in a ``pulumi`` apply: Pulumi, a direct provider call, or nobody.

Pulumi's stack is the record of what the ``pulumi`` executor manages; opspec state records
everything. From the plan and the stack's contents this decides, before anything changes:

- **declared** in the program: every instance that will exist after apply and that Pulumi
  manages already, or that this plan creates, updates or replaces through Pulumi. Pulumi
  compares each with its own record and calls the provider only where something changed.
- **deleted by Pulumi**: planned deletions of what the stack manages (they are left out of the
  program, so Pulumi deletes them, dependents first).
- **deleted directly**: planned deletions of what the local executor created (Pulumi never knew
  them); the executor calls the provider's ``delete`` itself, as the local executor would.
- **refreshed**: ``read`` changes only update state, as with the local executor.
- **unchanged and unmanaged**: their stored attributes are plain values in the program.

It refuses, naming each case: a plan mixing executors for changes (one apply runs one executor);
an update of something the local executor created (Pulumi cannot adopt a dynamic resource:
they cannot be imported); and a plan that leaves out something the stack manages and opspec
state still has (Pulumi would delete it unasked).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.errors import OpspecError
from engine.executors.stack import Managed
from engine.plans.action import Action
from engine.plans.change import Plan, ResourceChange
from engine.states.store import StateSnapshot

PULUMI = "pulumi"


@dataclass
class Partition:
    declared: list[ResourceChange] = field(default_factory=list)
    pulumi_deletes: list[ResourceChange] = field(default_factory=list)
    direct_deletes: list[ResourceChange] = field(default_factory=list)
    # Replacements of what the local executor created: its old object is deleted directly
    # before (delete-first) or after (create-first) Pulumi creates the new one.
    direct_replaced_before: list[ResourceChange] = field(default_factory=list)
    direct_replaced_after: list[ResourceChange] = field(default_factory=list)
    reads: list[ResourceChange] = field(default_factory=list)
    replace_urns: list[str] = field(default_factory=list)

    @property
    def needs_pulumi(self) -> bool:
        return bool(self.pulumi_deletes) or any(c.action.is_change for c in self.declared)


def partition(plan: Plan, prior: StateSnapshot, managed: Managed) -> Partition:
    """Split ``plan`` (see the module docstring); OpspecError lists every refusal."""
    out = Partition()
    problems: list[str] = []
    mentioned = {c.address for c in plan.changes}
    for address in sorted(set(managed.urns) - mentioned):
        problems.append(
            f"the Pulumi stack manages {address}, which opspec state has but this plan does "
            "not cover; Pulumi would delete it. Plan the whole configuration (no --target)"
        )
    for change in plan.changes:
        problem = _place(change, prior, managed, out)
        if problem:
            problems.append(problem)
    if problems:
        raise OpspecError(
            "the pulumi executor cannot apply this plan; nothing was changed:\n  - "
            + "\n  - ".join(problems)
        )
    return out


def _place(change: ResourceChange, prior: StateSnapshot, managed: Managed, out: Partition) -> str:
    address = change.address
    is_managed = address in managed.urns
    action = change.action
    if action is Action.READ:
        out.reads.append(change)
    elif action is Action.DELETE:
        if is_managed:
            out.pulumi_deletes.append(change)
        else:
            out.direct_deletes.append(change)
    elif action is Action.NOOP:
        if is_managed and change.after is not None:
            out.declared.append(change)
    elif not is_managed and change.executor != PULUMI:
        return (
            f"{address} is planned with executor `{change.executor}` while other changes use "
            "`pulumi`; one apply runs one executor: apply with `--executor pulumi` (every "
            "change through Pulumi) or `--executor local`"
        )
    elif not is_managed and address in prior.resources and action is Action.UPDATE:
        return (
            f"{address} was created by the local executor and Pulumi cannot adopt it (dynamic "
            "resources cannot be imported): apply this update with `--executor local`, or "
            f"replace it through Pulumi with `--replace {address}`"
        )
    else:
        out.declared.append(change)
        _place_replace(change, prior, managed, out)
    return ""


def _place_replace(
    change: ResourceChange, prior: StateSnapshot, managed: Managed, out: Partition
) -> None:
    if not change.action.is_replace:
        return
    address = change.address
    if address in managed.urns:
        # Pulumi replaces only what its own diff says; a replacement the plan decided for
        # another reason (--replace, replace_triggered_by, a tainted object) is forced.
        out.replace_urns.extend(managed.custom.get(address, []))
    elif address in prior.resources:
        if change.action is Action.DELETE_THEN_CREATE:
            out.direct_replaced_before.append(change)
        else:
            out.direct_replaced_after.append(change)
