"""Python policy functions: for what CEL cannot express, written by the project.

A pack entry ``python: MODULE:FUNCTION`` names ``MODULE.py`` (dots for subfolders) in the pack's
directory. The function is called as ``FUNCTION(plan, params)`` with the plan JSON document
(treat it as read-only) and the entry's ``params``, and returns an iterable of violations, each a
mapping ``{"address", "field", "message"}`` (missing keys are empty) or a plain message string;
nothing or an empty iterable means the policy passes.

This is the project author's code, so it runs only in trusted runs: with ``allow_python`` false
(``--untrusted`` plans of pull requests) the module is not even imported, and the policy fails
closed with the reason, like any rule that could not be evaluated.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from engine.policy.context import EvalContext
from engine.policy.model import Rule, RuleError, RuleNotRun, Violation


def module_path(base_dir: Path, module: str) -> Path | None:
    """The file of ``module`` inside ``base_dir``, or ``None`` if it escapes the directory."""
    if not module or any(not part.isidentifier() for part in module.split(".")):
        return None
    path = (base_dir / Path(*module.split("."))).with_suffix(".py").resolve()
    if not path.is_relative_to(base_dir.resolve()):
        return None
    return path


def _load_module(path: Path, ctx: EvalContext) -> ModuleType:
    cache_key = ("python-policy-module", str(path))
    if cache_key in ctx.shared:
        module: ModuleType = ctx.shared[cache_key]
        return module
    name = "_opspec_policy_" + hashlib.sha256(str(path).encode()).hexdigest()[:16]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise RuleError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        sys.modules.pop(name, None)
        raise RuleError(f"importing {path.name} raised {type(exc).__name__}: {exc}") from exc
    ctx.shared[cache_key] = module
    return module


def _violation(item: Any) -> Violation:
    if isinstance(item, Violation):
        return item
    if isinstance(item, str):
        return Violation("", "", item)
    if isinstance(item, dict):
        return Violation(
            str(item.get("address", "")), str(item.get("field", "")), str(item.get("message", ""))
        )
    raise RuleError(f"a violation must be a mapping or a string, not {type(item).__name__}")


@dataclass(slots=True)
class PythonRule(Rule):
    """``module:function`` in the pack directory, called with the plan and ``params``."""

    base_dir: Path
    module: str
    function: str
    params: Any = None
    kind: str = "python"

    @property
    def target(self) -> str:
        return f"{self.module}:{self.function}"

    def check(self, ctx: EvalContext) -> list[Violation]:
        if not ctx.allow_python:
            raise RuleNotRun(
                f"Python policy `{self.target}` was not run: this run is untrusted, and "
                "Python policies execute only in trusted runs"
            )
        path = module_path(self.base_dir, self.module)
        if path is None or not path.is_file():
            raise RuleError(f"module `{self.module}` not found in {self.base_dir}")
        func = getattr(_load_module(path, ctx), self.function, None)
        if not callable(func):
            raise RuleError(f"`{self.target}` is not a function")
        return self._call(func, ctx.plan)

    def _call(self, func: Callable[..., Any], plan: dict[str, Any]) -> list[Violation]:
        try:
            found = func(plan, dict(self.params or {}))
        except Exception as exc:
            raise RuleError(f"`{self.target}` raised {type(exc).__name__}: {exc}") from exc
        if found is None:
            return []
        if isinstance(found, str | dict) or not isinstance(found, Iterable):
            found = [found]
        return [_violation(item) for item in found]
