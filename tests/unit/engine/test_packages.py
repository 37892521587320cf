"""Every package under ``engine/``, ``specs/`` and ``providers/`` says why it exists, and its
``__all__`` names only what it has.

A package's docstring is the first thing a new reader meets (Terraform's habit: each package
opens with a paragraph on why it exists), so it must be there and open with a paragraph, not a
label: a summary line alone is not enough unless the paragraph after it carries on.
An ``__all__`` naming something the package no longer has breaks ``from package import *`` and
misleads every reader and tool that trusts it (httpx checks its own with a test).
"""

from __future__ import annotations

import ast
import importlib
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
TOP_LEVEL = ("engine", "specs", "providers")
# Fewer words than this is a label, not a reason for the package to exist.
MIN_OPENING_WORDS = 10


def _package_inits() -> list[Path]:
    return sorted(
        init
        for top in TOP_LEVEL
        for init in (ROOT / top).rglob("__init__.py")
        if "__pycache__" not in init.parts
    )


def _package_name(init: Path) -> str:
    return ".".join(init.parent.relative_to(ROOT).parts)


PACKAGES = {_package_name(init): init for init in _package_inits()}


def _opening(docstring: str) -> str:
    """The first paragraph; when it is a one-line summary, with the paragraph after it."""
    paragraphs = docstring.strip().split("\n\n")
    if "\n" not in paragraphs[0] and len(paragraphs) > 1:
        return paragraphs[0] + "\n" + paragraphs[1]
    return paragraphs[0]


def _missing_from(module: types.ModuleType) -> list[str]:
    """The names in ``module.__all__`` that the module does not have."""
    return [name for name in getattr(module, "__all__", ()) if not hasattr(module, name)]


def test_every_package_is_found() -> None:
    for name in ("engine", "engine.plans", "engine.views", "specs", "specs.monitor", "providers"):
        assert name in PACKAGES
    assert len(PACKAGES) > 20, "the packages were not found"


def test_no_folder_of_modules_lacks_its_init() -> None:
    """A folder of modules without ``__init__.py`` is a namespace package with no docstring."""
    folders = {
        path.parent
        for top in TOP_LEVEL
        for path in (ROOT / top).rglob("*.py")
        if "__pycache__" not in path.parts
    }
    assert (
        sorted(str(f.relative_to(ROOT)) for f in folders if not (f / "__init__.py").exists()) == []
    )


@pytest.mark.parametrize("name", sorted(PACKAGES))
def test_package_opens_with_why_it_exists(name: str) -> None:
    init = PACKAGES[name]
    docstring = ast.get_docstring(ast.parse(init.read_text(), str(init)))
    assert docstring, f"{name} has no docstring"
    words = _opening(docstring).split()
    assert len(words) >= MIN_OPENING_WORDS, f"{name} opens with {' '.join(words)!r}"


def test_the_opening_rule_can_fail() -> None:
    assert len(_opening("Plans.\n\nWhat apply does.\n\n- a list").split()) < MIN_OPENING_WORDS
    assert _opening("Plans: a summary.\n\nWhy they exist.") == "Plans: a summary.\nWhy they exist."


@pytest.mark.parametrize("name", sorted(PACKAGES))
def test_package_all_names_only_what_exists(name: str) -> None:
    package = importlib.import_module(name)
    names = getattr(package, "__all__", [])
    assert all(isinstance(n, str) for n in names), f"{name}.__all__ holds a non-string"
    assert len(set(names)) == len(names), f"{name}.__all__ names something twice"
    assert _missing_from(package) == []


def test_packages_with_all_are_checked() -> None:
    with_all = [n for n in PACKAGES if "__all__" in PACKAGES[n].read_text()]
    assert len(with_all) >= 5, "no package's __all__ was found to check"


def test_the_all_check_can_fail() -> None:
    module = types.ModuleType("example")
    module.__all__ = ["present", "gone"]  # type: ignore[attr-defined]
    module.present = 1  # type: ignore[attr-defined]
    assert _missing_from(module) == ["gone"]
