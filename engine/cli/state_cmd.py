"""``state``, ``workspace``, ``import`` and ``force-unlock``."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path

from engine.addrs import parse_address
from engine.cli.inspect import render_resource
from engine.cli.output import fail
from engine.errors import DiagnosticsError, StateError
from engine.project import Project, open_project
from engine.states.rules import check_workspace_name
from engine.states.secrets import SEALED_ID, seals_id
from engine.states.store import ResourceState, StateSnapshot
from specs.base import field_names


def _project(args: argparse.Namespace) -> Project:
    return open_project(Path(args.chdir), args.workspace)


def cmd_state(args: argparse.Namespace) -> int:
    project = _project(args)
    store, ws = project.store, project.workspace
    sub = args.state_command
    if sub == "list":
        for address in sorted(store.read(ws).resources):
            print(address)
        return 0
    if sub == "show":
        rs = store.read(ws).resources.get(args.address)
        if rs is None:
            return fail(f"no resource `{args.address}` in the state")
        sys.stdout.write(render_resource(rs, project.registry))
        return 0
    if sub == "pull":
        print(json.dumps(_sealed(project, store.read(ws)).to_json(), indent=2))
        return 0
    lock = store.lock(ws, f"state {sub}", args.lock_timeout)
    try:
        if sub == "rm":
            state = store.read(ws)
            missing = [a for a in args.addresses if a not in state.resources]
            if missing:
                return fail("no such resource in the state: " + ", ".join(missing))
            for address in args.addresses:
                store.remove_resource(ws, address)
                print(f"Removed {address} (the real resource was not destroyed)")
        elif sub == "mv":
            parse_address(args.destination)
            store.move_resource(ws, args.source, args.destination)
            print(f"Moved {args.source} to {args.destination}")
        elif sub == "push":
            snapshot = _pushed_state(project, args.file)
            serial = store.push(ws, snapshot, force=args.force)
            print(f"Pushed the state (serial {serial})")
    except ValueError as exc:
        return fail(str(exc))
    finally:
        store.unlock(ws, lock.id)
    return 0


def _pushed_state(project: Project, file: str) -> StateSnapshot:
    """The state in ``file`` (as `state pull` writes it); StateError when it is not one."""
    try:
        doc = json.loads(Path(file).read_text())
    except (OSError, ValueError, RecursionError) as exc:
        raise StateError(f"cannot read state file {file}: {exc}") from None
    if not isinstance(doc, dict):
        raise StateError(f"state file {file} does not hold a state: it is not a JSON object")
    try:
        snapshot = StateSnapshot.from_json(project.secrets.unseal_all(doc))
        if not all(
            isinstance(r.address, str) and isinstance(r.type, str)
            for r in snapshot.resources.values()
        ):
            raise TypeError("a resource's address and type must be strings")
        return snapshot
    except KeyError as exc:
        raise StateError(f"state file {file} is damaged: a record has no field {exc}") from None
    except (TypeError, ValueError, AttributeError, RecursionError) as exc:
        # A field of the wrong shape: not what `state pull` wrote.
        raise StateError(f"state file {file} is damaged: {type(exc).__name__}: {exc}") from None


def _sealed(project: Project, state: StateSnapshot) -> StateSnapshot:
    """Secrets stay encrypted in `state pull` output, like Pulumi's `stack export`."""
    box = project.secrets
    for rs in state.resources.values():
        if rs.sensitive_paths:
            rs.inputs = box.seal_paths(rs.inputs, rs.sensitive_paths)
            rs.outputs = box.seal_paths(rs.outputs, rs.sensitive_paths)
            if seals_id(rs.sensitive_paths, rs.outputs):
                rs.id = SEALED_ID
    for out in state.outputs.values():
        if out.sensitive:
            out.value = box.seal(out.value)
    return state


def cmd_workspace(args: argparse.Namespace) -> int:
    project = _project(args)
    sub = args.workspace_command
    if sub in ("new", "select", "delete"):
        check_workspace_name(args.name)
    current = project.workspace
    names = project.store.workspaces()
    if sub == "list":
        for name in sorted(set(names) | {current}):
            print(("* " if name == current else "  ") + name)
    elif sub == "show":
        print(current)
    elif sub == "new":
        if args.name in names:
            return fail(f"workspace `{args.name}` already exists")
        # Its first write creates the workspace's state, so it is listed from now on.
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        project.store.append_event(args.name, {"event": "workspace_created", "time": now})
        project.select_workspace(args.name)
        print(f"Created and switched to workspace `{args.name}`.")
    elif sub == "select":
        if args.name not in names:
            return fail(
                f"workspace `{args.name}` does not exist; create it with "
                f"`opspec workspace new {args.name}`"
            )
        project.select_workspace(args.name)
        print(f"Switched to workspace `{args.name}`.")
    elif sub == "delete":
        if args.name == "default":
            return fail("the default workspace cannot be deleted")
        if args.name == current:
            return fail(f"workspace `{args.name}` is selected; select another first")
        if project.store.read(args.name).resources:
            return fail(f"workspace `{args.name}` still has resources; destroy them first")
        project.store.delete_workspace(args.name)
        print(f"Deleted workspace `{args.name}`.")
    return 0


def cmd_force_unlock(args: argparse.Namespace) -> int:
    project = _project(args)
    lock = project.store.current_lock(project.workspace)
    if lock is None:
        print("The state is not locked.")
        return 0
    if args.lock_id is not None and args.lock_id != lock.id:
        return fail(f"the lock id does not match: the state is held by {lock.describe()}")
    if not args.force:
        if not sys.stdin.isatty():
            return fail("force-unlock needs confirmation; pass --force")
        answer = input(f"Release {lock.describe()}? Only 'yes' will be accepted: ")
        if answer.strip() != "yes":
            return fail("force-unlock cancelled")
    project.store.force_unlock(project.workspace, lock.id)
    print(f"Released {lock.describe()}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    project = _project(args)
    try:
        addr = parse_address(args.address)
    except ValueError as exc:
        return fail(str(exc))
    config, diags = project.load()
    if diags.has_errors:
        raise DiagnosticsError(diags)
    block = config.resources.get(addr.block)
    if block is None:
        return fail(f"`{addr.block}` is not declared in the configuration; add it before importing")
    rtype = project.registry.get(addr.type)
    if rtype is None:
        return fail(f"unknown resource type `{addr.type}`")
    ws = project.workspace
    lock = project.store.lock(ws, "import", args.lock_timeout)
    try:
        state = project.store.read(ws)
        if str(addr) in state.resources:
            return fail(f"{addr} is already in the state")
        provider = rtype.provider(project.context(config).for_address(str(addr)))
        result = provider.read(args.id, {})
        if not result.id:
            return fail(f"{addr.type} with id {args.id!r} does not exist")
        outputs = dict(result.outs or {})
        outputs["id"] = str(result.id)
        inputs = {k: v for k, v in outputs.items() if k in field_names(rtype.spec)}
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        project.store.write_resource(
            ws,
            ResourceState(
                address=str(addr),
                type=addr.type,
                id=str(result.id),
                inputs=inputs,
                outputs=outputs,
                provider_version=rtype.version,
                created_at=now,
                updated_at=now,
            ),
        )
    except StateError:
        raise
    finally:
        project.store.unlock(ws, lock.id)
    print(
        f"Imported {addr} (id {result.id}). Run `opspec plan` to compare it with the configuration."
    )
    return 0
