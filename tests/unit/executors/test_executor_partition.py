"""Who does what in a pulumi apply, and what the executor refuses before changing anything."""

from __future__ import annotations

import pytest

from engine.errors import OpspecError
from engine.executors.partition import partition
from engine.executors.stack import Managed
from engine.plans.action import Action, ActionReason
from engine.plans.change import Plan, ResourceChange
from engine.states.store import ResourceState, StateSnapshot

CREATE = Action.CREATE
UPDATE = Action.UPDATE
DELETE = Action.DELETE
NOOP = Action.NOOP
REPLACE = Action.DELETE_THEN_CREATE
REPLACE_CBD = Action.CREATE_THEN_DELETE


def _change(address: str, action: Action, executor: str = "pulumi") -> ResourceChange:
    type_, name = address.split(".", 1)
    return ResourceChange(
        address=address,
        type=type_,
        name=name,
        index=None,
        action=action,
        action_reason=ActionReason.NO_OP,
        reason="",
        before=None,
        after=None if action is DELETE else {"triggers": {}},
        executor=executor,
    )


def _plan(*changes: ResourceChange) -> Plan:
    return Plan("default", "lineage", 1, "fp", changes=list(changes))


def _state(*addresses: str) -> StateSnapshot:
    return StateSnapshot(
        lineage="lineage",
        serial=1,
        resources={a: ResourceState(a, a.split(".")[0], f"id-{a}", {}, {}) for a in addresses},
    )


def _managed(*addresses: str) -> Managed:
    urns = {a: [f"urn:pulumi:s::p::pulumi-python:dynamic:Resource::{a}"] for a in addresses}
    return Managed(urns, dict(urns))


def test_declares_creates_and_what_pulumi_already_manages() -> None:
    plan = _plan(
        _change("null.new", CREATE),
        _change("null.kept", NOOP),
        _change("null.local", NOOP),
        _change("null.changed", UPDATE),
    )
    work = partition(
        plan,
        _state("null.kept", "null.local", "null.changed"),
        _managed("null.kept", "null.changed"),
    )
    assert [c.address for c in work.declared] == ["null.new", "null.kept", "null.changed"]
    assert work.needs_pulumi


def test_unchanged_plans_need_no_pulumi_run() -> None:
    work = partition(_plan(_change("null.kept", NOOP)), _state("null.kept"), _managed("null.kept"))
    assert [c.address for c in work.declared] == ["null.kept"]
    assert not work.needs_pulumi


def test_deletions_go_to_whoever_created_the_object() -> None:
    plan = _plan(_change("null.by_pulumi", DELETE), _change("null.by_local", DELETE, "local"))
    work = partition(plan, _state("null.by_pulumi", "null.by_local"), _managed("null.by_pulumi"))
    assert [c.address for c in work.pulumi_deletes] == ["null.by_pulumi"]
    assert [c.address for c in work.direct_deletes] == ["null.by_local"]


def test_replacements_of_managed_objects_are_forced_in_pulumi() -> None:
    work = partition(_plan(_change("null.r", REPLACE)), _state("null.r"), _managed("null.r"))
    assert work.replace_urns == ["urn:pulumi:s::p::pulumi-python:dynamic:Resource::null.r"]


@pytest.mark.parametrize(
    ("action", "before", "after"), [(REPLACE, ["null.r"], []), (REPLACE_CBD, [], ["null.r"])]
)
def test_replacing_a_locally_created_object_deletes_the_old_one_directly(
    action: Action, before: list[str], after: list[str]
) -> None:
    work = partition(_plan(_change("null.r", action)), _state("null.r"), _managed())
    assert [c.address for c in work.declared] == ["null.r"]
    assert [c.address for c in work.direct_replaced_before] == before
    assert [c.address for c in work.direct_replaced_after] == after
    assert work.replace_urns == []


def test_refuses_mixed_executors() -> None:
    plan = _plan(_change("null.p", CREATE), _change("null.l", CREATE, "local"))
    with pytest.raises(OpspecError, match=r"null\.l is planned with executor `local`"):
        partition(plan, _state(), _managed())


def test_refuses_to_adopt_an_update_of_a_locally_created_object() -> None:
    with pytest.raises(OpspecError, match=r"null\.u was created by the local executor"):
        partition(_plan(_change("null.u", UPDATE)), _state("null.u"), _managed())


def test_refuses_a_plan_that_leaves_out_what_the_stack_and_state_have() -> None:
    with pytest.raises(OpspecError, match=r"manages null\.left_out") as info:
        partition(
            _plan(_change("null.a", CREATE)), _state("null.left_out"), _managed("null.left_out")
        )
    assert "nothing was changed" in str(info.value)


def test_every_refusal_is_listed_at_once() -> None:
    plan = _plan(_change("null.u", UPDATE), _change("null.l", CREATE, "local"))
    with pytest.raises(OpspecError) as info:
        partition(plan, _state("null.u", "null.left_out"), _managed("null.left_out"))
    text = str(info.value)
    assert "null.u" in text and "null.l" in text and "null.left_out" in text
