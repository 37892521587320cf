"""Planning root outputs: their values now, and how they change (sensitivity enforced)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.diagnostics import error
from engine.expr.evaluate import evaluate_value, refs_in
from engine.expr.template import ExprError
from engine.expr.unknown import contains_unknown
from engine.plans.action import Action
from engine.plans.change import OutputChange

if TYPE_CHECKING:
    from engine.plans.planner import Planner


def plan_outputs(self: Planner) -> dict[str, OutputChange]:
    assert self.values is not None
    out: dict[str, OutputChange] = {}
    if self.opts.destroy:
        return {
            name: OutputChange(name, Action.DELETE, o.value, None, o.sensitive)
            for name, o in sorted(self.prior.outputs.items())
        }
    for name, block in sorted(self.config.outputs.items()):
        try:
            ev = evaluate_value(block.spec.value, self.values.scope())
        except ExprError as exc:
            self.diags.append(error(str(exc), "", block.value_pos))
            continue
        # A value known only after apply (a command's stdout) carries no sensitivity yet:
        # what the output reads tells.
        reads_secret = bool(ev.sensitive_paths) or any(
            self.values.is_sensitive(ref) for ref, _ in refs_in(block.spec.value)
        )
        sensitive = block.spec.sensitive or reads_secret
        if reads_secret and not block.spec.sensitive:
            self.diags.append(
                error(
                    f"output `{name}` refers to sensitive values",
                    "Mark the output `sensitive: true` to show it as (sensitive).",
                    block.value_pos,
                )
            )
            continue
        prior = self.prior.outputs.get(name)
        before = prior.value if prior else None
        value = ev.value
        if prior is None:
            action = Action.CREATE
        elif contains_unknown(value) or value != before:
            action = Action.UPDATE
        else:
            action = Action.NOOP
        out[name] = OutputChange(name, action, before, value, sensitive)
    for name, prior_out in self.prior.outputs.items():
        if name not in out:
            out[name] = OutputChange(
                name, Action.DELETE, prior_out.value, None, prior_out.sensitive
            )
    return out
