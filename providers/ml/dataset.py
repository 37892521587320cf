"""The ``dataset`` provider: a table snapshotted into the artifact store under its content hash.

``check`` hashes the data (plan time, standard library only) and derives the snapshot's URI, so
every job downstream knows its cache key before anything runs; an edited file changes ``sha256``
and ``uri`` in the next plan and the change cascades. ``create`` writes the snapshot (data +
manifest) and profiles it in a child process (rows, columns, types, split sizes); the profile is
cached by URI. ``read`` re-hashes the data, so ``refresh`` reports an edited file as drift of
``sha256``, and reports a snapshot removed from the store as a lost ``uri``. ``update`` takes
a new snapshot and ``delete`` removes nothing: snapshots stay in the store for the cache (until
``artifacts gc``).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any, ClassVar

from pydantic import ValidationError

from engine.artifacts import ArtifactStore
from engine.hashing import sha256_json
from engine.providers import (
    CreateResult,
    DiffResult,
    PlanAttributeError,
    Provider,
    ReadResult,
)
from providers.ml.cache_parts import JOB_FORMAT, library_versions
from providers.ml.catalog import remember_dataset
from providers.ml.diff import diff_fields, spec_defaults
from providers.ml.errors import DataChangedError, SourceError
from providers.ml.snapshot import Snapshot, plan_snapshot
from providers.ml.sources import resolve_path, resolve_sklearn
from specs.ml import DataFormat, DatasetOutputs, DatasetSpec

__all__ = ["DatasetProvider"]

_PROFILE_JOB = "providers.ml.jobs.profile:profile_dataset"
_PLANNED = ("sha256", "uri")
_SHOWN_COLUMNS = 12


class DatasetProvider(Provider):
    """Snapshots ``path`` or ``source``; its id is that location, its ``uri`` the snapshot."""

    type_name: ClassVar[str] = "dataset"
    spec: ClassVar[type[DatasetSpec]] = DatasetSpec
    outputs: ClassVar[type[DatasetOutputs]] = DatasetOutputs

    # -- plan -------------------------------------------------------------------------------

    def _snapshot(self, spec: DatasetSpec) -> Snapshot:
        if (spec.path is None) == (spec.source is None):
            raise SourceError("path", "set exactly one of `path` (a file) or `source` (sklearn:)")
        target = spec.target
        if spec.source is not None:
            if spec.format not in (None, DataFormat.CSV):
                raise SourceError("format", "sklearn: datasets are CSV; leave `format` out")
            source = resolve_sklearn(spec.source)
            target = target or "target"
        else:
            assert spec.path is not None
            source = resolve_path(self.ctx.project_dir, spec.path, spec.format)
        split = spec.split.model_dump(mode="json") if spec.split else None
        return plan_snapshot(source, target, split)

    def plan_attributes(self, spec: Any, inputs: dict[str, Any]) -> dict[str, Any]:
        """The snapshot's ``sha256`` and ``uri`` (and the ``target`` it defaults to)."""
        try:
            snap = self._snapshot(spec)
        except SourceError as exc:
            raise PlanAttributeError(exc.field, exc.reason) from exc
        target = snap.manifest["target"]
        columns = snap.columns
        if columns is not None and target is not None and target not in columns:
            shown = ", ".join(columns[:_SHOWN_COLUMNS])
            more = "…" if len(columns) > _SHOWN_COLUMNS else ""
            raise PlanAttributeError("target", f"no column {target!r} in the data ({shown}{more})")
        remember_dataset(snap.uri, snap.manifest)
        planned = {} if target is None else {"target": target}
        return {**planned, "sha256": snap.sha256, "uri": snap.uri}

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        # A new snapshot is an in-place update: nothing outside the store is replaced.
        fields = [*self.spec.model_fields, *_PLANNED]
        return diff_fields(olds, news, fields, defaults=spec_defaults(self.spec))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        """Re-hash the data (an edit is drift of ``sha256``); a lost snapshot loses ``uri``."""
        outs = dict(props)
        try:
            snap = self._snapshot(self.model(props))
            outs["sha256"] = snap.sha256
        except (SourceError, ValidationError):
            outs["sha256"] = ""
        if not ArtifactStore(self.ctx.artifacts_dir).exists(str(props.get("uri", ""))):
            outs["uri"] = ""
        return ReadResult(id_, outs)

    # -- apply ------------------------------------------------------------------------------

    def create(self, props: dict[str, Any]) -> CreateResult:
        spec = self.model(props)
        snap = self._snapshot(spec)
        planned = props.get("uri")
        if planned and planned != snap.uri:
            where = spec.path or spec.source
            raise DataChangedError(
                f"{where} changed since the plan (snapshot {planned} is now {snap.uri}); plan again"
            )
        store = ArtifactStore(self.ctx.artifacts_dir)
        if not store.exists(snap.uri):
            self._store(snap, store)
        outs = dict(props)
        outs.update(sha256=snap.sha256, uri=snap.uri)
        if snap.manifest["target"] is not None:
            outs["target"] = snap.manifest["target"]
        outs.update(self._profile(snap.uri, store))
        return CreateResult(str(spec.path or spec.source), outs)

    def _store(self, snap: Snapshot, store: ArtifactStore) -> None:
        store.root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".dataset-", dir=store.root))
        try:
            folder = staging / "snapshot"
            folder.mkdir()
            snap.materialize(folder)
            stored = store.put(folder)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        if stored != snap.uri:
            raise DataChangedError(f"the data changed while it was copied ({stored}); apply again")

    def _profile(self, uri: str, store: ArtifactStore) -> dict[str, Any]:
        """Rows, columns, types and split sizes, from the cache or a child process."""
        key = sha256_json(
            {
                "type": "dataset.profile",
                "uri": uri,
                "job": JOB_FORMAT,
                "libraries": library_versions("pandas", "numpy", "pyarrow"),
            }
        )
        record = store.cache_get(key)
        if record is not None:
            return dict(record["outputs"])
        result = self.ctx.run_job(_PROFILE_JOB, {"snapshot_dir": str(store.path(uri))})
        profile = dict(result.value)
        store.cache_put(key, {"outputs": profile, "snapshot": uri})  # gc drops it with it
        return profile
