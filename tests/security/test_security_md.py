"""SECURITY.md names, for every line of the threat model, the tests that prove it: each one it
names must exist, so a renamed or removed test cannot leave a promise without its proof."""

from __future__ import annotations

import ast
import re
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
SECURITY_MD = TESTS.parent / "SECURITY.md"
# `security/test_x.py::test_y`, `::test_z` (same file), `[param]` ids, or a file or fixture alone.
_CITED = re.compile(r"`((?:unit|e2e|security|fixtures)/[^`:]+)?(?:::(test_\w+))?(?:\[[^\]]*\])?`")


def _cited() -> list[tuple[str, str | None]]:
    found: list[tuple[str, str | None]] = []
    for line in SECURITY_MD.read_text().splitlines():
        current = None
        for match in _CITED.finditer(line):
            current = match.group(1) or current
            if current is not None and (match.group(1) or match.group(2)):
                found.append((current, match.group(2)))
    return found


def test_every_test_security_md_names_exists() -> None:
    cited = _cited()
    assert len(cited) > 60, "SECURITY.md names too few tests: was the format changed?"
    missing = []
    for file, name in cited:
        path = TESTS / file
        if not path.exists():
            missing.append(file)
        elif name is not None:
            tree = ast.parse(path.read_text())
            names = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
            if name not in names:
                missing.append(f"{file}::{name}")
    assert missing == []
