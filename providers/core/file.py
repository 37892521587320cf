"""The ``file`` provider: a file inside the project with a given content and mode.

Writes are atomic (a temporary file in the same folder, then a rename), so a crash never leaves
half a file. ``read`` reports the file as it is on disk: an edit outside opspec comes back as a
different ``content``/``sha256`` (drift), and a deleted file comes back with an empty id, which
is Pulumi's way of saying the resource is gone.
"""

from __future__ import annotations

import contextlib
import os
import stat
import uuid
from pathlib import Path
from typing import Any, ClassVar

from engine.expr.unknown import contains_unknown
from engine.hashing import sha256_bytes
from engine.providers import CheckFailure, CreateResult, Provider, ReadResult
from engine.providers.paths import PathEscapeError, resolve_in_project
from specs.core import FileOutputs, FileSpec

__all__ = ["FileProvider"]


class FileProvider(Provider):
    """Writes ``content`` to ``path`` (relative to the project); id is the relative path."""

    type_name: ClassVar[str] = "file"
    spec: ClassVar[type[FileSpec]] = FileSpec
    outputs: ClassVar[type[FileOutputs]] = FileOutputs

    def _target(self, relative: str) -> Path:
        target = resolve_in_project(self.ctx.project_dir, relative)
        state = Path(self.ctx.state_dir).resolve()
        if target == state or target.is_relative_to(state):
            raise PathEscapeError(f"path is inside opspec's state directory: {relative}")
        return target

    def check_semantics(self, spec: Any) -> list[CheckFailure]:
        try:
            target = self._target(spec.path)
        except PathEscapeError as exc:
            return [CheckFailure("path", str(exc))]
        if target.is_dir():
            return [CheckFailure("path", f"path is a directory: {spec.path}")]
        return []

    def plan_attributes(self, spec: Any, inputs: dict[str, Any]) -> dict[str, Any]:
        # Known at plan time, so `${file.x.sha256}` need not wait for apply.
        return {"sha256": sha256_bytes(spec.content.encode())}

    def partial_attributes(self, inputs: dict[str, Any]) -> dict[str, Any]:
        content = inputs.get("content")
        if isinstance(content, str) and not contains_unknown(content):
            return {"sha256": sha256_bytes(content.encode())}
        return {}

    def create(self, props: dict[str, Any]) -> CreateResult:
        spec = self.model(props)
        data = spec.content.encode()
        _write_atomic(self._target(spec.path), data, spec.mode)
        outs = spec.model_dump(mode="json", exclude_unset=True)
        outs["sha256"] = sha256_bytes(data)
        return CreateResult(spec.path, outs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        relative = props.get("path") or id_
        try:
            target = self._target(relative)
            data = target.read_bytes()
            mode = stat.S_IMODE(target.stat().st_mode)
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError, PathEscapeError):
            # Gone (or no longer a file of ours): an empty id tells the engine, as in Pulumi.
            return ReadResult("", {})
        outs = dict(props)
        outs["path"] = relative
        outs["content"] = data.decode("utf-8", errors="replace")
        outs["sha256"] = sha256_bytes(data)
        if props.get("mode") is not None:
            outs["mode"] = format(mode, "04o")
        return ReadResult(id_ or relative, outs)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        target = self._target(props.get("path") or id_)
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            target.unlink()


def _write_atomic(target: Path, data: bytes, mode: str | None) -> None:
    """Write ``data`` to ``target`` through a sibling temporary file and a rename."""
    created = _make_parents(target.parent)
    tmp = target.parent / f".{target.name}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        # 0o666 lets the umask decide the default mode, as for any new file.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if mode is not None:
            os.chmod(tmp, int(mode, 8))
        os.replace(tmp, target)
    except BaseException:
        # All-or-nothing: take back the temporary file and the folders made for it.
        with contextlib.suppress(OSError):
            tmp.unlink()
        for folder in reversed(created):
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise


def _make_parents(folder: Path) -> list[Path]:
    """Create ``folder`` and its missing parents; return those created, outermost first."""
    missing: list[Path] = []
    cur = folder
    while not cur.exists():
        missing.append(cur)
        cur = cur.parent
    missing.reverse()
    for path in missing:
        path.mkdir(exist_ok=True)
    return missing
