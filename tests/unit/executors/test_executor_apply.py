"""A whole ``pulumi`` apply on an in-memory stack: state, convergence, deletion, failures.

:class:`~pulumi_fakes.FakeStack` stands in for the Automation API's stack (the ``pulumi`` CLI
is not installed here): it runs the real inline program under Pulumi's mocks, calls the
providers as Pulumi's dynamic-provider host does, and reports deletions and failures as
engine events. Everything else is the executor's real code.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from executor_projects import CORE_PROJECT, PlanFor
from pulumi_fakes import FakeStack

from engine.apply.applier import ApplyResult
from engine.errors import OpspecError
from engine.executors.pulumi_exec import PulumiApply, apply_with_pulumi
from engine.executors.stack import StackLocation
from engine.project import Project


def _apply(project: Project, plan_for: PlanFor, stack: FakeStack, **options: object) -> ApplyResult:
    plan, planner = plan_for(project, **options)
    prior = project.store.read(project.workspace)
    return PulumiApply(project, plan, planner, prior, lambda _loc: stack).run()


def test_apply_records_every_resource_and_the_root_outputs(
    write_project: Callable[[str], Project], plan_for: PlanFor
) -> None:
    project = write_project(CORE_PROJECT)
    result = _apply(project, plan_for, FakeStack())
    assert result.ok
    assert result.done == ["command.echo", "file.note", "null.seed"]
    state = project.store.read(project.workspace)
    assert set(state.resources) == {"command.echo", "file.note", "null.seed"}
    assert state.outputs["note_sha"].value == state.resources["file.note"].outputs["sha256"]


def test_a_second_plan_converges_and_a_second_apply_changes_nothing(
    write_project: Callable[[str], Project], plan_for: PlanFor
) -> None:
    project = write_project(CORE_PROJECT)
    stack = FakeStack()
    _apply(project, plan_for, stack)
    serial = project.store.read(project.workspace).serial
    plan, _ = plan_for(project)
    assert not plan.has_changes
    # Were it applied anyway, Pulumi would find nothing to do and state would not move.
    result = _apply(project, plan_for, stack)
    assert result.ok and result.done == []
    assert project.store.read(project.workspace).serial == serial


def test_removing_a_resource_deletes_it_through_pulumi(
    write_project: Callable[[str], Project], plan_for: PlanFor
) -> None:
    project = write_project(CORE_PROJECT)
    stack = FakeStack()
    _apply(project, plan_for, stack)
    renamed = CORE_PROJECT.replace("file.note", "file.moved").replace("note.txt", "moved.txt")
    write_project(renamed)
    result = _apply(project, plan_for, stack)
    assert result.ok, result
    # Same content, so the same sha256: the command that echoes it does not change.
    assert result.done == ["file.moved", "file.note"]
    assert set(project.store.read(project.workspace).resources) == {
        "command.echo",
        "file.moved",
        "null.seed",
    }
    assert not any(urn.endswith("::file.note") for urn in stack.deployed)
    assert not (project.directory / "out" / "note.txt").exists()
    assert (project.directory / "out" / "moved.txt").exists()


def test_what_opspec_state_forgot_the_stack_forgets_without_deleting(
    write_project: Callable[[str], Project], plan_for: PlanFor
) -> None:
    project = write_project(CORE_PROJECT)
    stack = FakeStack()
    _apply(project, plan_for, stack)
    for address in ("command.echo", "file.note"):  # `opspec state rm`
        project.store.remove_resource(project.workspace, address)
    write_project(CORE_PROJECT.split("  file.note:")[0])
    result = _apply(project, plan_for, stack)
    assert result.ok and result.done == []
    assert [urn.rsplit("::", 1)[1] for urn in stack.deployed] == ["null.seed"]
    assert len(stack.up_kwargs) == 1  # nothing else to do: no second `up`
    assert (project.directory / "out" / "note.txt").exists()  # forgotten, not deleted
    state = project.store.read(project.workspace)
    assert set(state.resources) == {"null.seed"}
    assert state.outputs == {}


def test_a_failure_skips_dependents_and_keeps_independent_work(
    write_project: Callable[[str], Project], plan_for: PlanFor
) -> None:
    project = write_project(
        """
        resources:
          command.broken:
            create: "echo nope >&2; exit 3"
          null.after:
            triggers: {out: "${command.broken.stdout}"}
          file.independent:
            path: independent.txt
            content: fine
        """
    )
    result = _apply(project, plan_for, FakeStack())
    assert not result.ok
    assert set(result.failed) == {"command.broken"}
    assert "exit" in result.failed["command.broken"] or "3" in result.failed["command.broken"]
    assert result.skipped == ["null.after"]
    assert result.done == ["file.independent"]
    assert set(project.store.read(project.workspace).resources) == {"file.independent"}
    assert (project.directory / "independent.txt").read_text() == "fine"


def test_a_forced_replacement_is_passed_to_pulumi(
    write_project: Callable[[str], Project], plan_for: PlanFor
) -> None:
    project = write_project(CORE_PROJECT)
    stack = FakeStack()
    _apply(project, plan_for, stack)
    old_id = project.store.read(project.workspace).resources["null.seed"].id
    plan, _ = plan_for(project, replace=["null.seed"])
    replaced = sorted(
        c.address for c in plan.changes if c.action.json_actions == ["delete", "create"]
    )
    # The seed by request; the command because its `create` reads the seed's new id.
    assert replaced == ["command.echo", "null.seed"]
    result = _apply(project, plan_for, stack, replace=["null.seed"])
    assert result.ok
    assert sorted(stack.up_kwargs[-1]["replace"]) == [
        f"urn:pulumi:stack::project::pulumi-python:dynamic:Resource::{a}" for a in replaced
    ]
    state = project.store.read(project.workspace).resources
    assert state["null.seed"].id != old_id
    assert state["file.note"].inputs["content"] == f"hello from {state['null.seed'].id}"


def test_without_the_cli_nothing_is_opened_or_changed(
    write_project: Callable[[str], Project], plan_for: PlanFor, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = write_project(CORE_PROJECT)
    plan, planner = plan_for(project)
    monkeypatch.setenv("PATH", str(project.directory))
    with pytest.raises(OpspecError, match="needs the Pulumi CLI"):
        apply_with_pulumi(project, plan, planner, project.store.read(project.workspace))
    assert not project.store.read(project.workspace).exists
    assert not StackLocation(Path(project.directory), "default").root.exists()
