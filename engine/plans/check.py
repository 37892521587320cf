"""Checking one instance's inputs through its provider, and the diagnostics of what fails.

A provider's ``check`` returns failures by property path (``"params.C"``); each becomes a
diagnostic at the position of that node in the spec file. A field the model does not have is
named as a typo with the closest field suggested (for a kind-discriminated type, the fields of
that kind), and a failure's reason never quotes a secret.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine import redaction
from engine.config.validation import did_you_mean, fields_at
from engine.diagnostics import Diagnostic, SourcePos, error
from engine.placeholders import SENSITIVE
from engine.plans.values import get_path, is_under
from engine.providers import SchemaFailure
from specs.base import SpecType, kinds_with_field, spec_kinds, spec_models

if TYPE_CHECKING:
    from engine.plans.instance import InstanceRequest


def _failure_path(prop: str, body: Any) -> tuple[str | int, ...]:
    out: list[str | int] = []
    cur = body
    for part in prop.split(".") if prop else []:
        step: str | int = int(part) if isinstance(cur, list) and part.isdigit() else part
        out.append(step)
        try:
            cur = cur[step]
        except (KeyError, IndexError, TypeError):
            cur = None
    return tuple(out)


def _with_ignored(req: InstanceRequest) -> dict[str, Any]:
    """The inputs with ``lifecycle.ignore_changes`` fields kept at their stored values."""
    ignored = req.block.lifecycle.ignore_changes
    if not ignored or req.prior is None:
        return req.inputs
    inputs = dict(req.inputs)
    for name in ignored:
        if name in req.prior.inputs:
            inputs[name] = req.prior.inputs[name]
        else:
            inputs.pop(name, None)
    return inputs


def check_inputs(req: InstanceRequest) -> tuple[dict[str, Any] | None, list[Diagnostic]]:
    olds = dict(req.prior.inputs) if req.prior else {}
    result = req.provider.check(olds, _with_ignored(req))
    failures = list(result.failures or [])
    if not failures:
        return dict(result.inputs), []
    diags = []
    for f in failures:
        path = _failure_path(f.property, req.block.body)
        reason = _masked_reason(f.reason, path, req)
        if isinstance(f, SchemaFailure) and f.error_type == "extra_forbidden" and path:
            diags.append(_unknown_field(req, f, path))
            continue
        pos: SourcePos = req.block.pos_of(path)
        where = f"`{f.property}`" if f.property else req.address
        missing = isinstance(f, SchemaFailure) and f.error_type in _MISSING
        summary = f"missing required field {where}" if missing else f"invalid {where}"
        diags.append(error(f"{summary} in {req.address}", reason, pos, req.address))
    return None, diags


# Pydantic's error types for a required field, or a union's tag, that the inputs leave out.
_MISSING = frozenset({"missing", "union_tag_not_found"})


def _unknown_field(
    req: InstanceRequest, f: SchemaFailure, path: tuple[str | int, ...]
) -> Diagnostic:
    """A typo, or a field of another kind: name it and suggest the closest one there is."""
    spec: SpecType = req.rtype.spec
    name = str(path[-1])
    model = spec_kinds(spec).get(f.kind or "")
    hint = did_you_mean(name, fields_at(model or spec_models(spec)[0], path[:-1]))
    if model is None:
        summary = f"unknown field `{f.property}` in {req.address}"
        detail = f"`{req.rtype.name}` has no field `{name}`.{hint}"
    else:
        summary = f"unknown field `{f.property}` for a {f.kind} {req.rtype.name}"
        elsewhere = len(path) == 1 and kinds_with_field(spec, name)
        detail = (
            f"{f.reason}."
            if elsewhere
            else f"a {f.kind} `{req.rtype.name}` has no field `{name}`.{hint}"
        )
    return error(summary, detail, req.block.key_pos_of(path), req.address)


def _masked_reason(reason: str, path: tuple[str | int, ...], req: InstanceRequest) -> str:
    """A check failure's reason without the secret it may quote (``got 'hunter2'``): the
    failing value itself (quoted, as validators quote it) when it is sensitive, whatever its
    length, and every remembered secret."""
    if is_under(path, req.sensitive):
        value = get_path(req.inputs, path)
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            reason = reason.replace(repr(value), SENSITIVE)
    return redaction.redact(reason)
