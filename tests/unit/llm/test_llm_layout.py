"""The family's shape: heavy libraries only in ``jobs/``, every error under the root error."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import providers.llm
from engine.errors import OpspecError
from providers.llm import errors

FAMILY = Path(providers.llm.__file__).parent
HEAVY = {"torch", "transformers", "optimum", "onnxruntime", "onnx", "peft", "matplotlib", "gguf"}


def _heavy_imports(path: Path) -> set[str]:
    """Heavy libraries ``path`` imports, by statement or through ``untyped("...")``."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "untyped"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            names.add(str(node.args[0].value).split(".")[0])
    return names & HEAVY


def test_heavy_libraries_are_imported_only_by_jobs() -> None:
    # The check sees what it looks for: a job imports torch and, through untyped, transformers.
    assert _heavy_imports(FAMILY / "jobs" / "build.py") == {"torch", "transformers"}
    modules = sorted(FAMILY.rglob("*.py"))
    outside = {
        str(m.relative_to(FAMILY)): _heavy_imports(m) for m in modules if m.parent.name != "jobs"
    }
    assert len(outside) > 5
    assert {m: found for m, found in outside.items() if found} == {}


def test_every_family_error_is_an_llm_error_drawn_in_the_tree() -> None:
    classes = [getattr(errors, name) for name in errors.__all__]
    assert all(inspect.isclass(c) and issubclass(c, errors.LlmError) for c in classes)
    assert issubclass(errors.LlmError, OpspecError)
    tree = errors.__doc__ or ""
    assert [c.__name__ for c in classes if c.__name__ not in tree] == []
