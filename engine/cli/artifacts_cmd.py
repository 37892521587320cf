"""``opspec artifacts gc``: reclaim cached artifacts no state refers to any more.

``destroy`` removes resources from state but keeps their cached artifacts, so re-applying is a
cache hit; ``gc`` deletes every artifact (and the cache records naming it) that no resource of
any workspace still refers to.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("artifacts", help="manage the content-addressed artifact store")
    asub = p.add_subparsers(dest="artifacts_command", metavar="SUBCOMMAND", required=True)
    gc = asub.add_parser("gc", help="delete artifacts that no state refers to")
    gc.add_argument("--dry-run", action="store_true", help="list what would be deleted")
    p.set_defaults(func=cmd_artifacts)


def _uris(value: Any, out: set[str]) -> None:
    from engine.artifacts import is_artifact_uri

    if is_artifact_uri(value):
        out.add(value)
    elif isinstance(value, dict):
        for v in value.values():
            _uris(v, out)
    elif isinstance(value, list):
        for v in value:
            _uris(v, out)


def cmd_artifacts(args: argparse.Namespace) -> int:
    from engine.artifacts import URI_PREFIX, ArtifactStore
    from engine.project import open_project

    project = open_project(Path(args.chdir), args.workspace)
    keep: set[str] = set()
    for workspace in project.store.workspaces():
        for rs in project.store.read(workspace).resources.values():
            _uris(rs.outputs, keep)
            _uris(rs.inputs, keep)
    store = ArtifactStore(project.state_dir / "artifacts")
    if args.dry_run:
        present = {URI_PREFIX + p.name for p in store.objects.glob("*/*")}
        for uri in sorted(present - keep):
            print(f"would delete {uri}")
        return 0
    removed = store.gc(keep)
    for uri in removed:
        print(f"deleted {uri}")
    print(f"{len(removed)} artifact(s) deleted, {len(keep)} kept.")
    return 0
