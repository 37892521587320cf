"""Reading and parsing the spec files of a project: every ``*.ops.yaml`` directly in it.

Under ``--untrusted`` the spec files belong to the change under review, so each one is resolved
under the one path rule (:func:`engine.providers.paths.resolve_in_project`) before it is read:
a spec file that is a link out of the project is refused, never opened.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.config.yamlpos import YamlError, parse
from engine.hashing import sha256_bytes
from engine.providers.paths import PathEscapeError, resolve_in_project

SPEC_SUFFIX = ".ops.yaml"


@dataclass
class SpecFile:
    """One spec file: its content hash and document, or why it could not be read."""

    name: str
    sha256: str = ""
    doc: Any = None
    # (message, detail, line, col); line 0 when the problem has no position in the file.
    error: tuple[str, str, int, int] | None = None


def spec_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*" + SPEC_SUFFIX) if p.is_file())


def read_spec_file(path: Path, root: Path, *, untrusted: bool) -> SpecFile:
    name = path.name
    if untrusted:
        try:
            path = resolve_in_project(root, name)
        except PathEscapeError as exc:
            summary = f"{name} is a link to a file outside the project; refused"
            return SpecFile(name, error=(summary, str(exc), 0, 0))
    data = path.read_bytes()
    spec = SpecFile(name, sha256_bytes(data))
    try:
        spec.doc = parse(data.decode("utf-8"))
    except UnicodeDecodeError:
        spec.error = (f"{name} is not UTF-8 text", "", 1, 1)
    except YamlError as exc:
        spec.error = (exc.message, exc.detail, exc.line, exc.col)
    return spec


def read_spec_files(directory: Path, *, untrusted: bool) -> list[SpecFile]:
    """Every spec file of ``directory``, in name order (the project directory exists)."""
    root = directory.resolve()
    return [read_spec_file(p, root, untrusted=untrusted) for p in spec_files(directory)]
