"""Planning deletions: what state has that the configuration no longer declares (or all of it,
for ``--destroy``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.addrs import parse_address
from engine.diagnostics import error
from engine.plans.action import Action, ActionInputs, decide_action
from engine.plans.change import ResourceChange
from engine.plans.diff import reason_text

if TYPE_CHECKING:
    from engine.plans.planner import Planner
    from engine.states.store import ResourceState


def plan_orphans(planner: Planner) -> list[ResourceChange]:
    """The changes of what state holds and no planned instance covers, in address order."""
    opts = planner.opts
    targets = {parse_address(t).block for t in opts.targets}
    included = planner.graph.descendants(targets) | targets if opts.destroy else targets
    out: list[ResourceChange] = []
    for address, prior in sorted(planner.prior.resources.items()):
        if address in planner.changes or not _in_scope(planner, address, included):
            continue
        change = _orphan_change(planner, address, prior)
        if change is not None:
            out.append(change)
    return out


def _in_scope(planner: Planner, address: str, included: set[str]) -> bool:
    """Whether ``--target`` leaves ``address`` in this plan."""
    opts = planner.opts
    if not opts.targets:
        return True
    block = parse_address(address).block
    if block not in included and address not in opts.targets:
        return False
    declared = block in planner.config.resources
    return not (declared and not opts.destroy and _narrowed_away(address, opts.targets))


def _orphan_change(planner: Planner, address: str, prior: ResourceState) -> ResourceChange | None:
    """The deletion of one address left in state, ``None`` for none (a diagnostic may say why)."""
    opts = planner.opts
    addr = parse_address(address)
    block = planner.config.resources.get(addr.block)
    if planner.registry.get(prior.type) is None:
        planner.diags.append(
            error(
                f"state holds {address} of unknown resource type `{prior.type}`",
                "Install the provider that defines it, or remove it with `opspec state rm`.",
            )
        )
        return None
    action, reason = decide_action(
        ActionInputs(
            # Every declared instance was planned above, so an address left here is not
            # declared: its block is gone, or its block no longer has this for_each key.
            in_config=False,
            exists=True,
            destroy=opts.destroy,
            refresh_only=opts.refresh_only,
        )
    )
    if action is Action.NOOP:
        return None
    if block is not None and block.lifecycle.prevent_destroy and action.is_delete:
        planner.diags.append(
            error(
                f"{address} has lifecycle.prevent_destroy set, but the plan would destroy it",
                "Remove prevent_destroy first to destroy it.",
                block.meta_pos.get("lifecycle", block.pos),
                address,
            )
        )
        return None
    return ResourceChange(
        address=address,
        type=prior.type,
        name=addr.name,
        index=addr.key,
        action=action,
        action_reason=reason,
        reason=reason_text(reason, [], []),
        before=dict(prior.outputs),
        after=None,
        before_sensitive=list(prior.sensitive_paths),
        pos=str(block.pos) if block else None,
        dependencies=list(prior.dependencies),
        lifecycle=block.lifecycle.model_dump() if block else {},
        prior_id=prior.id,
    )


def _narrowed_away(address: str, targets: list[str]) -> bool:
    """Whether instance targets (``a.b["k"]``) narrow ``address``'s block to other instances."""
    block = parse_address(address).block
    narrowed = [t for t in targets if parse_address(t).block == block]
    return bool(narrowed) and not any(t in (block, address) for t in narrowed)
