"""Plan actions (Terraform's arrays), action reasons, and the pure function choosing them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import assert_never


class Action(StrEnum):
    """What a plan does to one resource instance or output: Terraform's ``plans.Action``.

    A closed set: code that handles actions matches on it and ends in ``assert_never``, so a
    new member is a type error wherever it is not handled. On the wire (JSON plans, saved
    plans) an action is Terraform's array, :attr:`json_actions`.
    """

    NOOP = "no-op"
    CREATE = "create"
    READ = "read"
    UPDATE = "update"
    DELETE = "delete"
    DELETE_THEN_CREATE = "delete-then-create"
    CREATE_THEN_DELETE = "create-then-delete"

    @property
    def is_change(self) -> bool:
        """Anything but no-op."""
        return self is not Action.NOOP

    @property
    def is_replace(self) -> bool:
        """The object is destroyed and a new one created, in either order."""
        return self in (Action.DELETE_THEN_CREATE, Action.CREATE_THEN_DELETE)

    @property
    def is_create(self) -> bool:
        """A new object comes into being: a create, or either kind of replace."""
        return self is Action.CREATE or self.is_replace

    @property
    def is_delete(self) -> bool:
        """An existing object goes away: a delete, or either kind of replace."""
        return self is Action.DELETE or self.is_replace

    @property
    def json_actions(self) -> list[str]:
        """Terraform's array: ``["create"]``, ``["delete", "create"]``, ..."""
        match self:
            case Action.NOOP | Action.CREATE | Action.READ | Action.UPDATE | Action.DELETE:
                return [self.value]
            case Action.DELETE_THEN_CREATE:
                return [Action.DELETE.value, Action.CREATE.value]
            case Action.CREATE_THEN_DELETE:
                return [Action.CREATE.value, Action.DELETE.value]
            case _:
                assert_never(self)

    @classmethod
    def from_json(cls, values: Sequence[str]) -> Action:
        """The action of a Terraform array; ``ValueError`` for an array that is none."""
        for action in cls:
            if action.json_actions == list(values):
                return action
        raise ValueError(f"not a plan action: {list(values)!r}")


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


def decide_action(i: ActionInputs) -> tuple[Action, ActionReason]:
    """Choose the action for one instance. Pure: a table test pins every row."""
    if i.refresh_only:
        if i.drifted or i.vanished:
            return Action.READ, ActionReason.DRIFT
        return Action.NOOP, ActionReason.NO_OP
    if not i.in_config or i.destroy:
        if not i.exists:
            return Action.NOOP, ActionReason.NO_OP
        reason = (
            ActionReason.DELETE_BECAUSE_DESTROY
            if i.destroy
            else ActionReason.DELETE_BECAUSE_NO_RESOURCE_CONFIG
        )
        return Action.DELETE, reason
    if not i.exists:
        return Action.CREATE, ActionReason.DRIFT if i.vanished else ActionReason.CREATE
    replace = Action.CREATE_THEN_DELETE if i.create_before_destroy else Action.DELETE_THEN_CREATE
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
        return Action.UPDATE, ActionReason.DRIFT if i.drifted else ActionReason.UPDATE
    return Action.NOOP, ActionReason.NO_OP
