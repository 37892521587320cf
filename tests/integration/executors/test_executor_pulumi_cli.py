"""``opspec apply --executor pulumi`` through the real command line.

Without the ``pulumi`` CLI the executor must refuse before anything changes: exit 1, a message
naming what is missing, state and files untouched. Where the CLI is installed, a small project
of ``null`` and ``file`` resources goes through the real Pulumi engine (a file backend inside
the project), and ``opspec plan`` afterwards shows no changes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.integration

PROJECT = """
resources:
  null.seed:
    triggers: {v: 1}
  file.note:
    path: out/note.txt
    content: "seed ${null.seed.id}"
outputs:
  note: {value: "${file.note.path}"}
"""


class _Cli:
    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.root = root
        self.env = env
        root.mkdir(parents=True, exist_ok=True)

    def write(self, text: str) -> None:
        (self.root / "main.ops.yaml").write_text(textwrap.dedent(text))

    def run(
        self, *args: str, expect: int, path: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        env = dict(self.env)
        if path is not None:
            env["PATH"] = path
        proc = subprocess.run(
            [sys.executable, "-m", "engine.cli.main", "-C", str(self.root), *args],
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert proc.returncode == expect, (
            f"opspec {' '.join(args)} -> {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
        )
        return proc

    def state(self) -> dict[str, Any]:
        doc: dict[str, Any] = json.loads(self.run("state", "pull", expect=0).stdout)
        return doc


@pytest.fixture
def cli(tmp_path: Path) -> _Cli:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPSPEC_", "PULUMI_"))}
    env["OPSPEC_SECRETS_KEY_FILE"] = str(tmp_path / "secrets" / "key")
    env["PULUMI_HOME"] = str(tmp_path / "pulumi-home")
    return _Cli(tmp_path / "project", env)


def _no_pulumi_path(tmp_path: Path) -> str:
    empty = tmp_path / "empty-bin"
    empty.mkdir(exist_ok=True)
    return str(empty)


def test_without_the_cli_apply_refuses_and_changes_nothing(cli: _Cli, tmp_path: Path) -> None:
    cli.write(PROJECT)
    before = cli.state()
    proc = cli.run(
        "apply", "--executor", "pulumi", "--auto-approve", expect=1, path=_no_pulumi_path(tmp_path)
    )
    assert "needs the Pulumi CLI (`pulumi` on PATH)" in proc.stderr
    assert "--executor local" in proc.stderr
    assert "Apply complete" not in proc.stdout
    assert cli.state() == before
    assert not (cli.root / "out").exists()
    assert not (cli.root / ".opspec" / "pulumi").exists()


def test_without_the_cli_an_existing_state_is_left_as_it_was(cli: _Cli, tmp_path: Path) -> None:
    cli.write(PROJECT)
    cli.run("apply", "--auto-approve", expect=0)
    before = cli.state()
    note = (cli.root / "out" / "note.txt").read_text()
    cli.write(PROJECT.replace("{v: 1}", "{v: 2}"))
    cli.run(
        "apply", "--executor", "pulumi", "--auto-approve", expect=1, path=_no_pulumi_path(tmp_path)
    )
    assert cli.state() == before
    assert (cli.root / "out" / "note.txt").read_text() == note


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("pulumi") is None,
    reason="the `pulumi` CLI is not installed here; the pulumi executor's real-engine apply "
    "needs it (the program itself is tested under Pulumi's mocks in tests/unit/executors)",
)
def test_real_engine_applies_and_converges(cli: _Cli) -> None:
    cli.write(PROJECT)
    cli.run("apply", "--executor", "pulumi", "--auto-approve", expect=0)
    state = cli.state()
    resources = {r["address"]: r for r in state["resources"]}
    assert set(resources) == {"null.seed", "file.note"}
    seed_id = resources["null.seed"]["id"]
    assert (cli.root / "out" / "note.txt").read_text() == f"seed {seed_id}"
    assert (cli.root / ".opspec" / "pulumi" / ".pulumi").is_dir()  # the file backend
    cli.run("plan", "--detailed-exitcode", expect=0)
    # Removing a resource from the specs deletes it through Pulumi.
    cli.write(PROJECT.split("  file.note:")[0] + "outputs: {}\n")
    cli.run("apply", "--executor", "pulumi", "--auto-approve", expect=0)
    assert [r["address"] for r in cli.state()["resources"]] == ["null.seed"]
    assert not (cli.root / "out" / "note.txt").exists()
    cli.run("plan", "--detailed-exitcode", expect=0)
