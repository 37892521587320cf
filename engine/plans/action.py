"""Plan actions (Terraform's arrays), action reasons, and the pure function choosing them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Action(StrEnum):
    NOOP = "no-op"
    CREATE = "create"
    READ = "read"
    UPDATE = "update"
    DELETE = "delete"


Actions = tuple[Action, ...]

NOOP: Actions = (Action.NOOP,)
CREATE: Actions = (Action.CREATE,)
READ: Actions = (Action.READ,)
UPDATE: Actions = (Action.UPDATE,)
DELETE: Actions = (Action.DELETE,)
DELETE_THEN_CREATE: Actions = (Action.DELETE, Action.CREATE)
CREATE_THEN_DELETE: Actions = (Action.CREATE, Action.DELETE)


def is_replace(actions: Actions) -> bool:
    return actions in (DELETE_THEN_CREATE, CREATE_THEN_DELETE)


def is_change(actions: Actions) -> bool:
    return actions != NOOP


def parse_actions(values: list[str]) -> Actions:
    return tuple(Action(v) for v in values)


class ActionReason(StrEnum):
    """Why an action was chosen (machine-readable; for display and policies only)."""

    NO_OP = "no_op"
    CREATE = "create"
    UPDATE = "update"
    DRIFT = "drift"
    READ = "read"
    REPLACE_BY_REQUEST = "replace_by_request"
    REPLACE_BECAUSE_CANNOT_UPDATE = "replace_because_cannot_update"
    REPLACE_BECAUSE_TAINTED = "replace_because_tainted"
    REPLACE_TRIGGERED_BY = "replace_triggered_by"
    REPLACE_CASCADE = "replace_cascade"
    DELETE_BECAUSE_NO_RESOURCE_CONFIG = "delete_because_no_resource_config"
    DELETE_BECAUSE_DESTROY = "delete_because_destroy"


@dataclass(slots=True)
class ActionInputs:
    """Everything ``decide_action`` looks at, for one resource instance."""

    in_config: bool
    exists: bool  # in state, and still there after refresh
    destroy: bool = False
    refresh_only: bool = False
    drifted: bool = False  # refresh found a change made outside opspec
    vanished: bool = False  # refresh found the resource deleted outside opspec
    tainted: bool = False
    changed: bool = False  # the provider's diff reports changes (ignore_changes applied)
    requires_replace: bool = False  # ... to fields that cannot be updated in place
    changes_from_upstream: bool = False  # a changed field holds a value unknown until apply
    replace_requested: bool = False  # --replace
    replace_triggered: bool = False  # lifecycle.replace_triggered_by fired
    create_before_destroy: bool = False


def decide_action(i: ActionInputs) -> tuple[Actions, ActionReason]:
    """Choose the action for one instance. Pure: a table test pins every row."""
    if i.refresh_only:
        if i.drifted or i.vanished:
            return READ, ActionReason.DRIFT
        return NOOP, ActionReason.NO_OP
    if not i.in_config or i.destroy:
        if not i.exists:
            return NOOP, ActionReason.NO_OP
        reason = (
            ActionReason.DELETE_BECAUSE_DESTROY
            if i.destroy
            else ActionReason.DELETE_BECAUSE_NO_RESOURCE_CONFIG
        )
        return DELETE, reason
    if not i.exists:
        return CREATE, ActionReason.DRIFT if i.vanished else ActionReason.CREATE
    replace = CREATE_THEN_DELETE if i.create_before_destroy else DELETE_THEN_CREATE
    if i.replace_requested:
        return replace, ActionReason.REPLACE_BY_REQUEST
    if i.tainted:
        return replace, ActionReason.REPLACE_BECAUSE_TAINTED
    if i.replace_triggered:
        return replace, ActionReason.REPLACE_TRIGGERED_BY
    if i.changed and i.requires_replace:
        if i.changes_from_upstream:
            return replace, ActionReason.REPLACE_CASCADE
        if i.drifted:
            return replace, ActionReason.DRIFT
        return replace, ActionReason.REPLACE_BECAUSE_CANNOT_UPDATE
    if i.changed:
        return UPDATE, ActionReason.DRIFT if i.drifted else ActionReason.UPDATE
    return NOOP, ActionReason.NO_OP
