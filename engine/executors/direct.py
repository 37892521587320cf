"""The few steps of a ``pulumi`` apply that do not go through Pulumi.

Objects the local executor created were never known to Pulumi, so their deletions (and the
old object of a replacement) are provider calls made here, exactly as the local executor makes
them; ``read`` changes of a refresh only update state. Deletions run dependents first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from engine.addrs import parse_address
from engine.errors import OpspecError
from engine.plans.change import ResourceChange
from engine.providers import ProviderContext
from engine.registry import Registry
from engine.states.store import StateSnapshot, StateStore


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def delete_prior(
    change: ResourceChange, prior: StateSnapshot, registry: Registry, ctx: ProviderContext
) -> None:
    """Delete the object state records for ``change.address`` through its provider."""
    stored = prior.resources.get(change.address)
    if stored is None:
        return
    rtype = registry.get(stored.type)
    if rtype is None:
        raise OpspecError(f"no provider for type {stored.type}")
    provider = rtype.provider(ctx.for_address(change.address))
    provider.delete(stored.id, dict(stored.outputs))


def dependents_first(changes: Iterable[ResourceChange]) -> list[ResourceChange]:
    """Deletions ordered so that nothing is deleted before what depends on it."""
    pending = sorted(changes, key=lambda c: c.address)
    ordered: list[ResourceChange] = []
    while pending:
        blocks_needed = {d for c in pending for d in c.dependencies}
        ready = [c for c in pending if parse_address(c.address).block not in blocks_needed]
        if not ready:  # a recorded cycle: keep going in address order rather than stop
            ready = pending[:1]
        ordered.extend(ready)
        pending = [c for c in pending if c not in ready]
    return ordered


def apply_reads(
    changes: Iterable[ResourceChange], prior: StateSnapshot, store: StateStore, workspace: str
) -> list[str]:
    """Write refreshed attributes (or forget what vanished); returns the addresses done."""
    done = []
    for change in changes:
        stored = prior.resources.get(change.address)
        if stored is None:
            continue
        if change.after is None:
            store.remove_resource(workspace, change.address)
        else:
            stored.outputs = dict(change.after)
            stored.updated_at = now()
            store.write_resource(workspace, stored)
        done.append(change.address)
    return done
