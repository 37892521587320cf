"""`specs` is pure data: the engine and the providers import it, never the other way round."""

from __future__ import annotations

import ast
from pathlib import Path

import specs

SPECS = Path(specs.__file__).parent


def _imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_no_spec_module_imports_the_engine_or_a_provider() -> None:
    modules = sorted(SPECS.rglob("*.py"))
    assert len(modules) > 5
    offenders = {
        str(m.relative_to(SPECS)): sorted(_imported(m) & {"engine", "providers"}) for m in modules
    }
    assert {m: found for m, found in offenders.items() if found} == {}
