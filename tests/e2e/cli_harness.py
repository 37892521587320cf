"""Running the real ``opspec`` command line in a subprocess against a throwaway project.

End-to-end tests drive the CLI the way a user (or CI) does: a separate interpreter, arguments,
exit status, stdout and stderr. :class:`CliProject` owns one project directory under the test's
``tmp_path`` and an environment whose secrets key file lives there too, so no test reads or
writes ``~/.config/opspec``. Every run gets ``stdin`` from ``/dev/null``: a command that would
wait for an answer must refuse instead of hanging the suite.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

OPSPEC = (sys.executable, "-m", "engine.cli.main")
RUN_TIMEOUT_S = 120.0

# Plan headers as the text renderer prints them: `  # null.a will be created`.
_HEADER = re.compile(r"^  # (\S+) (will be|must be) (.+)$", re.MULTILINE)
# Progress lines of apply: `null.a: Creation complete after 0.0s [id=...]`.
_COMPLETE = re.compile(
    r"^(\S+): (?:Creation|Replacement|Modifications) complete after \S+ \[id=([^\]]+)\]$",
    re.MULTILINE,
)


@dataclass(frozen=True)
class Run:
    """One finished ``opspec`` invocation."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        """stdout parsed as exactly one JSON document (anything else around it fails)."""
        return json.loads(self.stdout)

    def describe(self) -> str:
        return (
            f"opspec {' '.join(self.args)} -> exit {self.returncode}\n"
            f"--- stdout ---\n{self.stdout}--- stderr ---\n{self.stderr}"
        )


def planned_headers(text: str) -> dict[str, str]:
    """``{address: verb}`` for every change header of a text plan ("created", "replaced"...)."""
    return {m.group(1): m.group(3) for m in _HEADER.finditer(text)}


def completed_ids(apply_output: str) -> dict[str, str]:
    """``{address: id}`` of every resource an apply reported as created, replaced or updated."""
    return {m.group(1): m.group(2) for m in _COMPLETE.finditer(apply_output)}


def actions_by_address(plan_json: dict[str, Any]) -> dict[str, list[str]]:
    return {rc["address"]: rc["change"]["actions"] for rc in plan_json["resource_changes"]}


def changed_only(plan_json: dict[str, Any]) -> dict[str, list[str]]:
    """The resource changes of a JSON plan that are not no-ops."""
    return {a: acts for a, acts in actions_by_address(plan_json).items() if acts != ["no-op"]}


def isolated_env(home: Path) -> dict[str, str]:
    """This process's environment without opspec settings, with a key file under ``home``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPSPEC_")}
    env["OPSPEC_SECRETS_KEY_FILE"] = str(home / "secrets" / "key")
    return env


class CliProject:
    """A project directory and the means to run ``opspec -C <it> ...`` against it."""

    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.root = root
        self.env = env
        root.mkdir(parents=True, exist_ok=True)

    @property
    def state_db(self) -> Path:
        return self.root / ".opspec" / "state.db"

    def write(self, text: str, name: str = "main.ops.yaml") -> Path:
        path = self.root / name
        path.write_text(textwrap.dedent(text))
        return path

    def edit(self, old: str, new: str, name: str = "main.ops.yaml") -> None:
        """Replace ``old`` (which must occur exactly once) in a spec file."""
        path = self.root / name
        text = path.read_text()
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {name}"
        path.write_text(text.replace(old, new))

    def argv(self, *args: str) -> list[str]:
        return [*OPSPEC, "-C", str(self.root), *args]

    def run(
        self,
        *args: str,
        expect: int | None = 0,
        env: dict[str, str] | None = None,
        timeout: float = RUN_TIMEOUT_S,
    ) -> Run:
        """Run opspec to the end; assert its exit status is ``expect`` (None: any)."""
        proc = subprocess.run(
            self.argv(*args),
            cwd=self.root.parent,
            env={**self.env, **(env or {})},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        run = Run(tuple(args), proc.returncode, proc.stdout, proc.stderr)
        if expect is not None:
            assert run.returncode == expect, run.describe()
        return run

    def start(self, *args: str) -> subprocess.Popen[str]:
        """Start opspec without waiting; stdout is a pipe, stderr goes with it."""
        return subprocess.Popen(
            self.argv(*args),
            cwd=self.root.parent,
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    # -- state, through the CLI ---------------------------------------------------------------

    def addresses(self) -> list[str]:
        """``state list``, one address per line."""
        return self.run("state", "list").stdout.splitlines()

    def pull(self) -> dict[str, Any]:
        doc: dict[str, Any] = self.run("state", "pull").json()
        return doc

    def ids(self) -> dict[str, str]:
        return {r["address"]: r["id"] for r in self.pull()["resources"]}
