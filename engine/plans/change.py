"""Resource changes, output changes, and the plan that holds them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.expr.unknown import UNKNOWN
from engine.placeholders import SENSITIVE
from engine.plans.action import Action, ActionReason
from engine.plans.values import PathT, mask_sensitive, sensitive_tree

FORMAT_VERSION = "1.0"


@dataclass(frozen=True)
class FieldDiff:
    path: PathT
    before: Any
    after: Any


@dataclass
class ResourceChange:
    address: str
    type: str
    name: str
    index: str | None
    action: Action
    action_reason: ActionReason
    reason: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None  # unknown values are engine.expr.unknown.UNKNOWN
    before_sensitive: list[PathT] = field(default_factory=list)
    after_sensitive: list[PathT] = field(default_factory=list)
    replace_paths: list[PathT] = field(default_factory=list)
    field_diffs: list[FieldDiff] = field(default_factory=list)
    cache: dict[str, Any] | None = None
    pos: str | None = None
    dependencies: list[str] = field(default_factory=list)
    lifecycle: dict[str, Any] = field(default_factory=dict)
    executor: str = "local"
    prior_id: str | None = None

    @property
    def block(self) -> str:
        return f"{self.type}.{self.name}"

    def to_json(self, *, reveal: bool = False) -> dict[str, Any]:
        """The change as ``terraform show -json`` writes it (secrets masked unless ``reveal``)."""
        before = self.before if reveal else mask_sensitive(self.before, self.before_sensitive)
        after = self.after if reveal else mask_sensitive(self.after, self.after_sensitive)
        after_json, after_unknown = split_unknowns(after) if after is not None else (None, {})
        out: dict[str, Any] = {
            "address": self.address,
            "type": self.type,
            "name": self.name,
            "index": self.index,
            "mode": "managed",
            "pos": self.pos,
            "dependencies": self.dependencies,
            "lifecycle": self.lifecycle,
            "executor": self.executor,
            "change": {
                "actions": self.action.json_actions,
                "before": before,
                "after": after_json,
                "after_unknown": after_unknown,
                "before_sensitive": sensitive_tree(self.before_sensitive),
                "after_sensitive": sensitive_tree(self.after_sensitive),
                "replace_paths": [list(p) for p in self.replace_paths],
            },
            "action_reason": self.action_reason.value,
            "reason": self.reason,
        }
        if self.cache is not None:
            out["cache"] = self.cache
        return out

    def to_record(self) -> dict[str, Any]:
        """The full change for a saved plan (secrets are sealed by the plan file, not here)."""
        out = self.to_json(reveal=True)
        out["change"]["after"] = self.after
        out["change"]["before_sensitive"] = [list(p) for p in self.before_sensitive]
        out["change"]["after_sensitive"] = [list(p) for p in self.after_sensitive]
        out["field_diffs"] = [[list(d.path), d.before, d.after] for d in self.field_diffs]
        out["prior_id"] = self.prior_id
        return out

    @classmethod
    def from_record(cls, rec: dict[str, Any]) -> ResourceChange:
        ch = rec["change"]
        return cls(
            address=rec["address"],
            type=rec["type"],
            name=rec["name"],
            index=rec.get("index"),
            action=Action.from_json(ch["actions"]),
            action_reason=ActionReason(rec["action_reason"]),
            reason=rec.get("reason", ""),
            before=ch.get("before"),
            after=ch.get("after"),
            before_sensitive=[tuple(p) for p in ch.get("before_sensitive", [])],
            after_sensitive=[tuple(p) for p in ch.get("after_sensitive", [])],
            replace_paths=[tuple(p) for p in ch.get("replace_paths", [])],
            field_diffs=[FieldDiff(tuple(p), b, a) for p, b, a in rec.get("field_diffs", [])],
            cache=rec.get("cache"),
            pos=rec.get("pos"),
            dependencies=list(rec.get("dependencies", [])),
            lifecycle=dict(rec.get("lifecycle", {})),
            executor=rec.get("executor", "local"),
            prior_id=rec.get("prior_id"),
        )


def split_unknowns(value: Any) -> tuple[Any, Any]:
    """One pass over a planned value: (the value with unknowns as null, Terraform's
    ``after_unknown`` mask with ``true`` where unknown)."""
    if isinstance(value, str):
        return (None, True) if value == UNKNOWN else (value, False)
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        mask: dict[str, Any] = {}
        for k, v in value.items():
            if isinstance(v, str):  # inline: most values are plain strings
                if v == UNKNOWN:
                    out[k] = None
                    mask[k] = True
                else:
                    out[k] = v
                continue
            out[k], m = split_unknowns(v)
            if m is not False and m != {} and m != []:
                mask[k] = m
        return out, mask
    if isinstance(value, list):
        pairs = [split_unknowns(v) for v in value]
        return [p[0] for p in pairs], [p[1] for p in pairs]
    return value, False


@dataclass
class OutputChange:
    name: str
    action: Action
    before: Any
    after: Any
    sensitive: bool = False

    def to_json(self, *, reveal: bool = False) -> dict[str, Any]:
        from engine.expr.unknown import contains_unknown

        def show(v: Any) -> Any:
            return SENSITIVE if self.sensitive and not reveal and v is not None else v

        return {
            "actions": self.action.json_actions,
            "before": show(self.before),
            "after": None if contains_unknown(self.after) else show(self.after),
            "after_unknown": contains_unknown(self.after),
            "before_sensitive": self.sensitive,
            "after_sensitive": self.sensitive,
        }


@dataclass
class Plan:
    workspace: str
    lineage: str
    serial: int
    fingerprint: str
    changes: list[ResourceChange] = field(default_factory=list)
    outputs: dict[str, OutputChange] = field(default_factory=dict)
    variables: dict[str, Any] = field(default_factory=dict)
    sensitive_variables: list[str] = field(default_factory=list)
    flags: dict[str, Any] = field(default_factory=dict)
    policy_results: list[dict[str, Any]] | None = None
    cost: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)
    _changes_json: list[dict[str, Any]] | None = field(default=None, repr=False, compare=False)

    @property
    def has_changes(self) -> bool:
        return any(c.action.is_change for c in self.changes) or any(
            o.action.is_change for o in self.outputs.values()
        )

    def to_json(self) -> dict[str, Any]:
        from engine import __version__

        if self._changes_json is None:
            # Computed once: review (cost, policies) and rendering all read it.
            self._changes_json = [c.to_json() for c in self.changes]

        doc: dict[str, Any] = {
            "format_version": FORMAT_VERSION,
            "opspec_version": __version__,
            "workspace": self.workspace,
            "prior_state": {"lineage": self.lineage, "serial": self.serial},
            "spec_fingerprint": self.fingerprint,
            "flags": self.flags,
            "variables": {
                k: (
                    {"value": SENSITIVE, "sensitive": True}
                    if k in self.sensitive_variables
                    else {"value": v}
                )
                for k, v in sorted(self.variables.items())
            },
            "resource_changes": self._changes_json,
            "output_changes": {k: o.to_json() for k, o in sorted(self.outputs.items())},
        }
        if self.policy_results is not None:
            doc["policy_results"] = self.policy_results
        if self.cost is not None:
            doc["cost"] = self.cost
        return doc
