"""Dependencies point one way: the engine imports no provider family, plans no view.

The engine finds provider classes through the ``opspec.providers`` entry points and family
subcommands through ``opspec.commands``; providers import the SDK from ``engine.providers``. An
``import providers...`` anywhere under ``engine/`` (even one deferred into a function or kept
for type checking) would make the engine depend on the families again. Likewise views render
plans, so nothing under ``engine/plans/`` imports ``engine.views``: what both need (the
placeholders shown for secrets and unknowns) sits below both, in ``engine.placeholders``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ENGINE = Path(__file__).resolve().parents[3] / "engine"
FORBIDDEN = "providers"


def _imported_modules(tree: ast.AST) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def _is_forbidden(module: str, forbidden: str = FORBIDDEN) -> bool:
    return module == forbidden or module.startswith(forbidden + ".")


def test_the_walk_sees_every_kind_of_import() -> None:
    source = (
        "import providers\nfrom providers.core import null\ndef f():\n    import providers.ml\n"
    )
    found = [m for _, m in _imported_modules(ast.parse(source)) if _is_forbidden(m)]
    assert found == ["providers", "providers.core", "providers.ml"]
    assert not _is_forbidden("engine.providers")


def _offenders(files: list[Path], forbidden: str) -> list[str]:
    return [
        f"{path.relative_to(ENGINE.parent)}:{line}: {module}"
        for path in files
        for line, module in _imported_modules(ast.parse(path.read_text(), str(path)))
        if _is_forbidden(module, forbidden)
    ]


def test_no_engine_module_imports_providers() -> None:
    files = sorted(ENGINE.rglob("*.py"))
    assert len(files) > 50, "the engine's modules were not found"
    assert _offenders(files, FORBIDDEN) == []


def test_no_plans_module_imports_the_views() -> None:
    files = sorted((ENGINE / "plans").rglob("*.py"))
    assert len(files) > 5, "the plans' modules were not found"
    assert _offenders(files, "engine.views") == []


@pytest.mark.parametrize(
    "name", ["CachedJob", "CheckResult", "Provider", "ProviderContext", "PulumiNative"]
)
def test_the_sdk_exports_its_public_names(name: str) -> None:
    import engine.providers

    assert name in engine.providers.__all__
    assert getattr(engine.providers, name).__name__ == name
