"""Spec models of the core resource types: ``null``, ``file`` and ``command``.

They exercise the engine without any heavy library: ``null`` is a no-op with triggers, ``file``
writes a file inside the project and ``command`` runs shell commands during apply. Paths are
checked here lexically (relative, no ``..`` escape) so ``validate`` catches them from the specs
alone; the provider adds the check that needs the filesystem (symlinks pointing outside).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BeforeValidator, Field, field_validator

from specs.base import DerivedFrom, ForceNew, Outputs, ResourceSpec

__all__ = [
    "CommandOutputs",
    "CommandSpec",
    "FileOutputs",
    "FileSpec",
    "NullOutputs",
    "NullSpec",
    "ProjectPath",
    "normalize_project_path",
]

_MODE = re.compile(r"[0-7]{3,4}")


def normalize_project_path(value: str) -> str:
    """``value`` as a clean relative POSIX path, or ValueError when it leaves the project."""
    if not value or not value.strip():
        raise ValueError("path must not be empty")
    if "\0" in value:
        raise ValueError("path must not contain NUL characters")
    path = PurePosixPath(value)
    if path.is_absolute():
        raise ValueError(f"path must be relative to the project directory, not absolute: {value}")
    parts: list[str] = []
    for part in path.parts:
        if part == "..":
            if not parts:
                raise ValueError(f"path escapes the project directory: {value}")
            parts.pop()
        elif part != ".":
            parts.append(part)
    if not parts:
        raise ValueError(f"path names the project directory itself: {value}")
    return "/".join(parts)


ProjectPath = Annotated[str, AfterValidator(normalize_project_path)]
"""A path relative to the project directory that stays inside it (lexically)."""


def _mode_string(value: Any) -> Any:
    # YAML 1.1 reads an unquoted 0644 as the integer 420: say how to write it instead.
    if isinstance(value, int) and not isinstance(value, bool):
        raise ValueError('write the mode as a quoted octal string, e.g. "0644"')
    return value


def _normalize_mode(value: str) -> str:
    if not _MODE.fullmatch(value):
        raise ValueError(f'mode must be an octal string such as "0644", got {value!r}')
    return format(int(value, 8), "04o")


def _scalar_string(value: Any) -> Any:
    # Like Terraform's string type: numbers and booleans become their string form.
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


class NullSpec(ResourceSpec):
    """A resource that does nothing; a change of its triggers replaces it."""

    triggers: Annotated[
        dict[str, Any],
        ForceNew(),
        Field(description="Arbitrary values; any change replaces the resource (new id)."),
    ] = {}


class NullOutputs(Outputs):
    """``null`` has no attributes besides its inputs and ``id`` (a random uuid)."""


class FileSpec(ResourceSpec):
    """A file inside the project, written atomically with the given content."""

    project_paths: ClassVar[tuple[str, ...]] = ("path",)

    path: Annotated[
        ProjectPath,
        ForceNew(),
        Field(description="Path of the file, relative to the project directory (inside it)."),
    ]
    content: Annotated[
        str,
        BeforeValidator(_scalar_string),
        Field(description="Text written to the file (UTF-8)."),
    ]
    mode: Annotated[
        str | None,
        BeforeValidator(_mode_string),
        Field(description='Permission bits as an octal string, e.g. "0644"; umask default.'),
    ] = None

    @field_validator("mode")
    @classmethod
    def _check_mode(cls, value: str | None) -> str | None:
        return None if value is None else _normalize_mode(value)


class FileOutputs(Outputs):
    """Attributes of a written file; its id is its path."""

    id_derived_from: ClassVar[tuple[str, ...]] = ("path",)

    sha256: Annotated[
        str, DerivedFrom("content"), Field(description="Hex sha256 of the file's bytes.")
    ] = ""


class CommandSpec(ResourceSpec):
    """Shell commands run during apply (never during plan), like Terraform's local-exec."""

    project_paths: ClassVar[tuple[str, ...]] = ("working_dir",)

    create: Annotated[str, Field(description="Command run by `/bin/sh -c` when created.")]
    update: Annotated[
        str | None,
        Field(
            description="Command run when `create`, `environment` or `working_dir` change; "
            "without it such a change replaces the resource (delete, then create)."
        ),
    ] = None
    delete: Annotated[str | None, Field(description="Command run when destroyed.")] = None
    environment: Annotated[
        dict[str, Annotated[str, BeforeValidator(_scalar_string)]],
        Field(description="Variables added to the engine's environment for the commands."),
    ] = {}
    triggers: Annotated[
        dict[str, Any],
        ForceNew(),
        Field(description="Arbitrary values; any change replaces the resource."),
    ] = {}
    working_dir: Annotated[
        ProjectPath | None,
        Field(description="Directory the commands run in, relative to the project."),
    ] = None
    timeout_s: Annotated[
        float | None,
        Field(gt=0, description="Seconds a command may run before it is stopped; no limit."),
    ] = None


class CommandOutputs(Outputs):
    """What the last create/update command printed and how it ended."""

    stdout: Annotated[
        str,
        DerivedFrom("create", "update", "environment", "working_dir"),
        Field(description="Standard output, one trailing newline removed."),
    ] = ""
    exit_code: Annotated[int, Field(description="Exit status of the command (0).")] = 0
