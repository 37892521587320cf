"""A scratch project planned and applied through the real CLI, and a search for canary secrets.

Secrets reach the project the way CI hands them over, through ``OPSPEC_VAR_<name>``, so the
spec files themselves hold none. :meth:`CanaryProject.leaks` then looks for a canary in every
stdout and stderr the project's runs printed and in the raw bytes of every file under the
project (the SQLite database and its WAL, saved plans gunzipped, run folders, logs).
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterable
from pathlib import Path

OPSPEC = (sys.executable, "-m", "engine.cli.main")
RUN_TIMEOUT_S = 180.0


class CanaryProject:
    def __init__(self, tmp_path: Path, spec: str, variables: dict[str, str]) -> None:
        self.root = tmp_path / "project"
        self.root.mkdir()
        (self.root / "main.ops.yaml").write_text(textwrap.dedent(spec))
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("OPSPEC_")}
        self.env["OPSPEC_SECRETS_KEY_FILE"] = str(tmp_path / "secrets" / "key")
        self.env.update({f"OPSPEC_VAR_{k}": v for k, v in variables.items()})
        self.printed: list[tuple[str, str]] = []  # (what ran, what it printed)

    def run(self, *args: str, expect: int = 0) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [*OPSPEC, "-C", str(self.root), *args],
            cwd=self.root.parent,
            env=self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT_S,
            check=False,
        )
        self.printed.append((" ".join(args), proc.stdout + proc.stderr))
        assert proc.returncode == expect, f"{args} -> {proc.returncode}\n{proc.stdout}{proc.stderr}"
        return proc

    def leaks(self, canary: str, *, written_on_purpose: Iterable[str] = ()) -> list[str]:
        """Where ``canary`` shows: runs by their arguments, files by their relative path.
        ``written_on_purpose`` names files a resource writes the secret into (its content)."""
        found = [f"opspec {args}" for args, text in self.printed if canary in text]
        allowed = {self.root / name for name in written_on_purpose}
        for path in sorted(self.root.rglob("*")):
            if not path.is_file() or path in allowed:
                continue
            data = path.read_bytes()
            if data[:2] == b"\x1f\x8b":
                data += gzip.decompress(data)
            if canary.encode() in data:
                found.append(str(path.relative_to(self.root)))
        return found
