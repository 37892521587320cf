"""`decide_action` is the one pure function choosing an action: a table pins every row."""

from __future__ import annotations

import pytest

from engine.plans.action import (
    CREATE,
    CREATE_THEN_DELETE,
    DELETE,
    DELETE_THEN_CREATE,
    NOOP,
    READ,
    UPDATE,
    ActionInputs,
    ActionReason,
    Actions,
    decide_action,
)

R = ActionReason

TABLE: list[tuple[str, ActionInputs, Actions, ActionReason]] = [
    ("new", ActionInputs(in_config=True, exists=False), CREATE, R.CREATE),
    ("unchanged", ActionInputs(in_config=True, exists=True), NOOP, R.NO_OP),
    ("changed", ActionInputs(in_config=True, exists=True, changed=True), UPDATE, R.UPDATE),
    (
        "drifted",
        ActionInputs(in_config=True, exists=True, changed=True, drifted=True),
        UPDATE,
        R.DRIFT,
    ),
    ("vanished", ActionInputs(in_config=True, exists=False, vanished=True), CREATE, R.DRIFT),
    (
        "force new",
        ActionInputs(in_config=True, exists=True, changed=True, requires_replace=True),
        DELETE_THEN_CREATE,
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
        DELETE_THEN_CREATE,
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
        CREATE_THEN_DELETE,
        R.REPLACE_BECAUSE_CANNOT_UPDATE,
    ),
    (
        "--replace",
        ActionInputs(in_config=True, exists=True, replace_requested=True),
        DELETE_THEN_CREATE,
        R.REPLACE_BY_REQUEST,
    ),
    (
        "--replace wins over update",
        ActionInputs(in_config=True, exists=True, changed=True, replace_requested=True),
        DELETE_THEN_CREATE,
        R.REPLACE_BY_REQUEST,
    ),
    (
        "tainted",
        ActionInputs(in_config=True, exists=True, tainted=True),
        DELETE_THEN_CREATE,
        R.REPLACE_BECAUSE_TAINTED,
    ),
    (
        "triggered",
        ActionInputs(in_config=True, exists=True, replace_triggered=True),
        DELETE_THEN_CREATE,
        R.REPLACE_TRIGGERED_BY,
    ),
    (
        "orphan",
        ActionInputs(in_config=False, exists=True),
        DELETE,
        R.DELETE_BECAUSE_NO_RESOURCE_CONFIG,
    ),
    ("orphan gone", ActionInputs(in_config=False, exists=False), NOOP, R.NO_OP),
    (
        "destroy",
        ActionInputs(in_config=True, exists=True, destroy=True),
        DELETE,
        R.DELETE_BECAUSE_DESTROY,
    ),
    ("destroy of nothing", ActionInputs(in_config=True, exists=False, destroy=True), NOOP, R.NO_OP),
    (
        "refresh-only drift",
        ActionInputs(in_config=True, exists=True, refresh_only=True, drifted=True, changed=True),
        READ,
        R.DRIFT,
    ),
    (
        "refresh-only vanished",
        ActionInputs(in_config=True, exists=False, refresh_only=True, vanished=True),
        READ,
        R.DRIFT,
    ),
    (
        "refresh-only ignores config changes",
        ActionInputs(in_config=True, exists=True, refresh_only=True, changed=True),
        NOOP,
        R.NO_OP,
    ),
]


@pytest.mark.parametrize(
    ("inputs", "actions", "reason"), [row[1:] for row in TABLE], ids=[row[0] for row in TABLE]
)
def test_decide_action(inputs: ActionInputs, actions: Actions, reason: ActionReason) -> None:
    assert decide_action(inputs) == (actions, reason)
