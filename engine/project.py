"""A project on disk: its directory, its ``.opspec`` folder, workspace and state store."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from engine.config.loader import load_project
from engine.config.model import Config
from engine.diagnostics import Diagnostics
from engine.errors import OpspecError, StateError
from engine.private_paths import make_private_dir
from engine.registry import Registry
from engine.states.rules import check_workspace_name
from engine.states.secrets import SecretBox
from engine.states.sqlite import SqliteStateStore
from engine.states.store import StateStore

if TYPE_CHECKING:
    from engine.providers import ProviderContext

STATE_DIR = ".opspec"
WORKSPACE_FILE = "environment"
WORKSPACE_ENV = "OPSPEC_WORKSPACE"


def checked_state_dir(directory: Path) -> Path:
    """``directory/.opspec``, refused when it or anything directly in it is a symlink.

    A pull request can ship ``.opspec`` (or its ``state.db``, ``environment``, ``artifacts``)
    as a link to another project's state; following it would open, create and show that state.
    Nothing here creates the folder.
    """
    state_dir = directory / STATE_DIR
    links = [state_dir] if state_dir.is_symlink() else []
    if not links and state_dir.is_dir():
        links = sorted(entry for entry in state_dir.iterdir() if entry.is_symlink())
    if links:
        raise StateError(
            f"{links[0]} is a symbolic link: opspec keeps state only in the project's own "
            f"{STATE_DIR} folder and does not follow links out of it; remove the link"
        )
    return state_dir


@dataclass
class Project:
    directory: Path
    workspace_arg: str | None = None

    @cached_property
    def state_dir(self) -> Path:
        return checked_state_dir(self.directory)

    @cached_property
    def workspace(self) -> str:
        if self.workspace_arg:
            return check_workspace_name(self.workspace_arg, "--workspace")
        env = os.environ.get(WORKSPACE_ENV)
        if env:
            return check_workspace_name(env, WORKSPACE_ENV)
        selected_file = self.state_dir / WORKSPACE_FILE
        try:
            selected = selected_file.read_text().strip()
        except (OSError, UnicodeDecodeError):
            selected = ""
        return check_workspace_name(selected, str(selected_file)) if selected else "default"

    def select_workspace(self, name: str) -> None:
        check_workspace_name(name)
        make_private_dir(self.state_dir)
        (self.state_dir / WORKSPACE_FILE).write_text(name + "\n")

    @cached_property
    def secrets(self) -> SecretBox:
        return SecretBox.from_environment()

    @cached_property
    def store(self) -> StateStore:
        return SqliteStateStore(self.state_dir / "state.db", secrets=self.secrets)

    @cached_property
    def registry(self) -> Registry:
        return Registry()

    def load(self, *, untrusted: bool = False) -> tuple[Config, Diagnostics]:
        return load_project(self.directory, untrusted=untrusted)

    def context(self, config: Config, *, untrusted: bool = False) -> ProviderContext:
        from engine.providers import ProviderContext

        return ProviderContext(
            project_dir=str(self.directory.resolve()),
            state_dir=str(self.state_dir.resolve()),
            workspace=self.workspace,
            settings=config.providers,
            untrusted=untrusted,
        )


def open_project(directory: Path, workspace: str | None) -> Project:
    """The project a command works on; a directory that does not exist is refused rather than
    given a state folder."""
    if not directory.is_dir():
        raise OpspecError(f"project directory {directory} does not exist")
    return Project(directory, workspace)
