"""Saved plans (``plan --out FILE``): what ``apply FILE`` applies exactly, or refuses as stale.

A plan file is gzip-compressed JSON holding every change in full, the variable values, and what
the plan was based on: the state's lineage and serial and a fingerprint of the spec files.
Secrets (sensitive variables and values at sensitive paths) are sealed with the same key as
state, so a plan file can be shared with CI without exposing them.
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path
from typing import Any

from engine.errors import PlanFileError
from engine.plans.action import Action
from engine.plans.change import OutputChange, Plan, ResourceChange
from engine.states.secrets import SecretBox

MAGIC = "opspec-plan"
VERSION = 1


def write_plan(path: Path, plan: Plan, box: SecretBox) -> None:
    changes = []
    for c in plan.changes:
        rec = c.to_record()
        ch = rec["change"]
        if ch["before"] is not None and c.before_sensitive:
            ch["before"] = box.seal_paths(ch["before"], c.before_sensitive)
        if ch["after"] is not None and c.after_sensitive:
            ch["after"] = box.seal_paths(ch["after"], c.after_sensitive)
        if c.after_sensitive or c.before_sensitive:
            rec["field_diffs"] = [[p, box.seal(b), box.seal(a)] for p, b, a in rec["field_diffs"]]
        changes.append(rec)
    variables = {
        k: box.seal(v) if k in plan.sensitive_variables else v for k, v in plan.variables.items()
    }
    outputs = {
        k: {
            "actions": o.action.json_actions,
            "before": box.seal(o.before) if o.sensitive else o.before,
            "after": box.seal(o.after) if o.sensitive else o.after,
            "sensitive": o.sensitive,
        }
        for k, o in plan.outputs.items()
    }
    doc = {
        "magic": MAGIC,
        "version": VERSION,
        "workspace": plan.workspace,
        "lineage": plan.lineage,
        "serial": plan.serial,
        "fingerprint": plan.fingerprint,
        "flags": plan.flags,
        "variables": variables,
        "sensitive_variables": plan.sensitive_variables,
        "changes": changes,
        "outputs": outputs,
        "policy_results": plan.policy_results,
        "cost": plan.cost,
    }
    data = gzip.compress(json.dumps(doc).encode(), compresslevel=6, mtime=0)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def is_plan_file(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return f.read(2) == b"\x1f\x8b"
    except OSError:
        return False


def read_plan(path: Path, box: SecretBox) -> Plan:
    try:
        doc = json.loads(gzip.decompress(path.read_bytes()))
    except (OSError, ValueError, EOFError, RecursionError) as exc:
        raise PlanFileError(f"{path} is not a readable opspec plan file ({exc})") from None
    if not isinstance(doc, dict) or doc.get("magic") != MAGIC or doc.get("version") != VERSION:
        raise PlanFileError(f"{path} is not an opspec plan file of version {VERSION}")
    try:
        return _plan(doc, box)
    except KeyError as exc:
        raise PlanFileError(f"{path} is damaged: it has no field {exc}") from None
    except (TypeError, ValueError, AttributeError, RecursionError) as exc:
        # A field of the wrong shape: what the file holds is not what write_plan wrote.
        raise PlanFileError(f"{path} is damaged: {type(exc).__name__}: {exc}") from None


def _plan(doc: dict[str, Any], box: SecretBox) -> Plan:
    changes = [ResourceChange.from_record(box.unseal_all(rec)) for rec in doc["changes"]]
    for change in changes:
        _check_shape(change)
    outputs = {
        k: OutputChange(
            k,
            Action.from_json(o["actions"]),
            box.unseal_all(o["before"]),
            box.unseal_all(o["after"]),
            bool(o["sensitive"]),
        )
        for k, o in doc["outputs"].items()
    }
    return Plan(
        workspace=str(doc["workspace"]),
        lineage=str(doc["lineage"]),
        serial=int(doc["serial"]),
        fingerprint=str(doc["fingerprint"]),
        changes=changes,
        outputs=outputs,
        variables=dict(box.unseal_all(doc["variables"])),
        sensitive_variables=list(doc["sensitive_variables"]),
        flags=dict(doc["flags"]),
        policy_results=doc.get("policy_results"),
        cost=doc.get("cost"),
    )


def _check_shape(change: ResourceChange) -> None:
    """The fields every view reads without checking: what write_plan wrote has these types."""
    if not all(isinstance(v, str) for v in (change.address, change.type, change.name)):
        raise TypeError("a change's address, type and name must be strings")
    for value in (change.before, change.after):
        if value is not None and not isinstance(value, dict):
            raise TypeError(f"{change.address}: before and after must be mappings or null")


def staleness(plan: Plan, lineage: str, serial: int, fingerprint: str) -> list[str]:
    """Why a saved plan no longer applies; empty when it is current."""
    why = []
    if plan.lineage != lineage:
        why.append(f"the state's lineage changed ({plan.lineage or 'none'} → {lineage or 'none'})")
    elif plan.serial != serial:
        why.append(f"the state changed since planning (serial {plan.serial} → {serial})")
    if plan.fingerprint != fingerprint:
        why.append("the spec files changed since planning")
    return why
