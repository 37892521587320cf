"""`decide_action` is the one pure function choosing an action: a table pins every row."""

from __future__ import annotations

import pytest

from engine.plans.action import Action, ActionInputs, ActionReason, decide_action

A = Action
R = ActionReason

TABLE: list[tuple[str, ActionInputs, Action, ActionReason]] = [
    ("new", ActionInputs(in_config=True, exists=False), A.CREATE, R.CREATE),
    ("unchanged", ActionInputs(in_config=True, exists=True), A.NOOP, R.NO_OP),
    ("changed", ActionInputs(in_config=True, exists=True, changed=True), A.UPDATE, R.UPDATE),
    (
        "drifted",
        ActionInputs(in_config=True, exists=True, changed=True, drifted=True),
        A.UPDATE,
        R.DRIFT,
    ),
    ("vanished", ActionInputs(in_config=True, exists=False, vanished=True), A.CREATE, R.DRIFT),
    (
        "force new",
        ActionInputs(in_config=True, exists=True, changed=True, requires_replace=True),
        A.DELETE_THEN_CREATE,
        R.REPLACE_BECAUSE_CANNOT_UPDATE,
    ),
    (
        "cascade",
        ActionInputs(
            in_config=True,
            exists=True,
            changed=True,
            requires_replace=True,
            changes_from_upstream=True,
        ),
        A.DELETE_THEN_CREATE,
        R.REPLACE_CASCADE,
    ),
    (
        "create before destroy",
        ActionInputs(
            in_config=True,
            exists=True,
            changed=True,
            requires_replace=True,
            create_before_destroy=True,
        ),
        A.CREATE_THEN_DELETE,
        R.REPLACE_BECAUSE_CANNOT_UPDATE,
    ),
    (
        "--replace",
        ActionInputs(in_config=True, exists=True, replace_requested=True),
        A.DELETE_THEN_CREATE,
        R.REPLACE_BY_REQUEST,
    ),
    (
        "--replace wins over update",
        ActionInputs(in_config=True, exists=True, changed=True, replace_requested=True),
        A.DELETE_THEN_CREATE,
        R.REPLACE_BY_REQUEST,
    ),
    (
        "tainted",
        ActionInputs(in_config=True, exists=True, tainted=True),
        A.DELETE_THEN_CREATE,
        R.REPLACE_BECAUSE_TAINTED,
    ),
    (
        "triggered",
        ActionInputs(in_config=True, exists=True, replace_triggered=True),
        A.DELETE_THEN_CREATE,
        R.REPLACE_TRIGGERED_BY,
    ),
    (
        "orphan",
        ActionInputs(in_config=False, exists=True),
        A.DELETE,
        R.DELETE_BECAUSE_NO_RESOURCE_CONFIG,
    ),
    ("orphan gone", ActionInputs(in_config=False, exists=False), A.NOOP, R.NO_OP),
    (
        "destroy",
        ActionInputs(in_config=True, exists=True, destroy=True),
        A.DELETE,
        R.DELETE_BECAUSE_DESTROY,
    ),
    (
        "destroy of nothing",
        ActionInputs(in_config=True, exists=False, destroy=True),
        A.NOOP,
        R.NO_OP,
    ),
    (
        "refresh-only drift",
        ActionInputs(in_config=True, exists=True, refresh_only=True, drifted=True, changed=True),
        A.READ,
        R.DRIFT,
    ),
    (
        "refresh-only vanished",
        ActionInputs(in_config=True, exists=False, refresh_only=True, vanished=True),
        A.READ,
        R.DRIFT,
    ),
    (
        "refresh-only ignores config changes",
        ActionInputs(in_config=True, exists=True, refresh_only=True, changed=True),
        A.NOOP,
        R.NO_OP,
    ),
]


@pytest.mark.parametrize(
    ("inputs", "action", "reason"), [row[1:] for row in TABLE], ids=[row[0] for row in TABLE]
)
def test_decide_action(inputs: ActionInputs, action: Action, reason: ActionReason) -> None:
    assert decide_action(inputs) == (action, reason)


TERRAFORM_ARRAYS = [
    (A.NOOP, ["no-op"]),
    (A.CREATE, ["create"]),
    (A.READ, ["read"]),
    (A.UPDATE, ["update"]),
    (A.DELETE, ["delete"]),
    (A.DELETE_THEN_CREATE, ["delete", "create"]),
    (A.CREATE_THEN_DELETE, ["create", "delete"]),
]


@pytest.mark.parametrize(
    ("action", "array"), TERRAFORM_ARRAYS, ids=[str(a) for a, _ in TERRAFORM_ARRAYS]
)
def test_every_action_is_one_terraform_array_and_back(action: Action, array: list[str]) -> None:
    assert action.json_actions == array
    assert Action.from_json(array) is action


def test_every_action_has_a_terraform_array() -> None:
    assert {a for a, _ in TERRAFORM_ARRAYS} == set(Action)


def test_an_array_that_is_no_action_is_refused() -> None:
    with pytest.raises(ValueError, match="not a plan action"):
        Action.from_json(["delete", "delete"])


def test_predicates_say_which_objects_come_and_go() -> None:
    assert [a for a in Action if a.is_replace] == [A.DELETE_THEN_CREATE, A.CREATE_THEN_DELETE]
    assert [a for a in Action if a.is_create] == [
        A.CREATE,
        A.DELETE_THEN_CREATE,
        A.CREATE_THEN_DELETE,
    ]
    assert [a for a in Action if a.is_delete] == [
        A.DELETE,
        A.DELETE_THEN_CREATE,
        A.CREATE_THEN_DELETE,
    ]
    assert [a for a in Action if not a.is_change] == [A.NOOP]
