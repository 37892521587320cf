"""Registration jobs: add a model version to MLflow's registry, or remove a resource's versions.

A registration is several MLflow calls (a run with the lineage, its artifacts, a version, tags,
aliases), so it is made all-or-nothing by hand: the run and version are tagged
``opspec.status=pending`` until everything but the aliases is in place, then ``committed``, and
only then do aliases move. An exception rolls back what was created; a killed process leaves a
pending version and run, which the next registration of the same resource deletes first (and
which ``refresh`` never counts). Re-running a registration whose version was committed reuses
that version instead of adding another.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["register_model", "unregister_model"]

_PENDING, _COMMITTED = "pending", "committed"


def _client(tracking_uri: str) -> Any:
    from mlflow import MlflowClient

    return MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)


def _experiment_id(client: Any, name: str, artifact_location: str) -> str:
    found = client.get_experiment_by_name(name)
    if found is not None:
        return str(found.experiment_id)
    return str(client.create_experiment(name, artifact_location=artifact_location))


def _ours(version: Any, address: str, workspace: str) -> bool:
    tags = version.tags or {}
    return tags.get("opspec.address") == address and tags.get("opspec.workspace") == workspace


def _versions(client: Any, name: str) -> list[Any]:
    return list(client.search_model_versions(f"name = '{name}'"))


def _drop_pending(client: Any, experiment_id: str, name: str, owner: tuple[str, str]) -> None:
    """Delete what a killed registration of this resource left behind."""
    for version in _versions(client, name):
        if _ours(version, *owner) and version.tags.get("opspec.status") != _COMMITTED:
            print(f"removing unfinished version {version.version} of {name}", flush=True)
            client.delete_model_version(name, version.version)
    # Addresses may hold quotes (for_each keys), so match them here, not in the filter string.
    runs = client.search_runs([experiment_id], filter_string=f"tags.`opspec.status` = '{_PENDING}'")
    for run in runs:
        tags = run.data.tags
        if (tags.get("opspec.address"), tags.get("opspec.workspace")) == owner:
            client.delete_run(run.info.run_id)


def _log_run(client: Any, experiment_id: str, request: dict[str, Any]) -> str:
    from mlflow.entities import Metric, Param, RunTag

    lineage = request["lineage"]
    tags = {**request["version_tags"], "opspec.status": _PENDING}
    run = client.create_run(experiment_id, run_name=request["address"], tags=tags)
    run_id = str(run.info.run_id)
    params = {f"params.{k}": v for k, v in (lineage.get("params") or {}).items()}
    for key in ("estimator", "function", "seed", "dataset_sha256", "code_hash"):
        if lineage.get(key) is not None:
            params[key] = lineage[key]
    metrics = dict(request["metrics"])
    metrics.update({f"train.{k}": v for k, v in (lineage.get("train_metrics") or {}).items()})
    client.log_batch(
        run_id,
        metrics=[Metric(k, float(v), 0, 0) for k, v in metrics.items()],
        params=[Param(k, str(v)[:6000]) for k, v in params.items()],
        tags=[RunTag("opspec.artifact", request["artifact_uri"])],
    )
    client.log_artifacts(run_id, request["artifact_dir"], "model")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "lineage.json"
        path.write_text(json.dumps(lineage, indent=1, sort_keys=True, default=str))
        client.log_artifact(run_id, str(path))
    client.set_terminated(run_id)
    return run_id


def _new_version(client: Any, experiment_id: str, request: dict[str, Any]) -> tuple[str, str]:
    """Create run and version, tagged pending until complete; undo both on an exception."""
    name, run_id, version = request["name"], None, None
    try:
        run_id = _log_run(client, experiment_id, request)
        source = f"{client.get_run(run_id).info.artifact_uri}/model"
        tags = {**request["version_tags"], "opspec.status": _PENDING}
        created = client.create_model_version(
            name, source, run_id=run_id, tags=tags, description=request["description"] or None
        )
        version = str(created.version)
        client.set_model_version_tag(name, version, "opspec.status", _COMMITTED)
        client.set_tag(run_id, "opspec.status", _COMMITTED)
    except BaseException:
        if version is not None:
            client.delete_model_version(name, version)
        if run_id is not None:
            client.delete_run(run_id)
        raise
    return version, run_id


def _committed(client: Any, request: dict[str, Any]) -> Any | None:
    owner = (request["address"], request["workspace"])
    for version in _versions(client, request["name"]):
        tags = version.tags or {}
        if (
            _ours(version, *owner)
            and tags.get("opspec.status") == _COMMITTED
            and tags.get("opspec.artifact") == request["artifact_uri"]
        ):
            return version
    return None


@contextlib.contextmanager
def _registry_lock(tracking_uri: str) -> Iterator[None]:
    """One registration at a time per SQLite registry (its first use creates the tables)."""
    if not tracking_uri.startswith("sqlite:///"):
        yield
        return
    db = Path(tracking_uri[len("sqlite:///") :].split("?", 1)[0])
    db.parent.mkdir(parents=True, exist_ok=True)
    with (db.parent / f"{db.name}.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def register_model(**request: Any) -> dict[str, Any]:
    """Register ``artifact_uri`` under ``name`` (reusing a committed version), move aliases."""
    with _registry_lock(request["tracking_uri"]):
        return _register(request)


def _register(request: dict[str, Any]) -> dict[str, Any]:
    from mlflow.exceptions import MlflowException

    client = _client(request["tracking_uri"])
    experiment_id = _experiment_id(client, request["experiment"], request["artifact_location"])
    name = request["name"]
    try:
        client.create_registered_model(name)
    except MlflowException as exc:
        if "already exists" not in str(exc).lower():
            raise
    _drop_pending(client, experiment_id, name, (request["address"], request["workspace"]))
    existing = _committed(client, request)
    if existing is None:
        version, run_id = _new_version(client, experiment_id, request)
        print(f"registered {name} version {version} (run {run_id})", flush=True)
    else:
        version, run_id = str(existing.version), str(existing.run_id or "")
        for key, value in request["version_tags"].items():
            client.set_model_version_tag(name, version, key, value)
        for key, value in request["metrics"].items():
            client.log_metric(run_id, key, float(value))
        print(f"{name} version {version} already holds this artifact", flush=True)
    ours = {
        str(v.version)
        for v in _versions(client, name)
        if _ours(v, request["address"], request["workspace"])
    }
    for alias in request["remove_aliases"]:
        _delete_alias_if_ours(client, name, alias, ours)
    for alias in request["aliases"]:
        client.set_registered_model_alias(name, alias, version)
    return {"version": int(version), "run_id": run_id}


def _delete_alias_if_ours(client: Any, name: str, alias: str, ours: set[str]) -> None:
    from mlflow.exceptions import MlflowException

    try:
        current = client.get_model_version_by_alias(name, alias)
    except MlflowException:
        return
    if str(current.version) in ours:
        client.delete_registered_model_alias(name, alias)


def unregister_model(
    *, tracking_uri: str, name: str, address: str, workspace: str
) -> dict[str, Any]:
    """Delete the versions this resource registered (and the model once it has none left)."""
    with _registry_lock(tracking_uri):
        return _unregister(tracking_uri, name, address, workspace)


def _unregister(tracking_uri: str, name: str, address: str, workspace: str) -> dict[str, Any]:
    client = _client(tracking_uri)
    removed = []
    for version in _versions(client, name):
        if _ours(version, address, workspace):
            client.delete_model_version(name, version.version)
            removed.append(int(version.version))
    if removed and not _versions(client, name):
        client.delete_registered_model(name)
    print(f"removed versions {removed} of {name}", flush=True)
    return {"removed": removed}
