"""Which estimators a spec may name, and validating their parameters at plan time.

An estimator is an import path, and importing runs code, so only the estimator modules of
libraries on an allow-list may be named (scikit-learn's ``linear_model``, ``ensemble``, ...):
a pull request's plan (``--untrusted``) may then import them too, but not one of the library's
other modules, whose import can do anything (download data sets, patch the library).
Validating ``params`` needs the estimator class, so it imports scikit-learn; the training
provider calls :func:`validate_estimator` only when the estimator or its params changed since
the last plan, which keeps a no-op re-plan free of the import.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import re
from collections.abc import Mapping
from typing import Any

from engine.providers import CheckFailure

__all__ = [
    "ALLOWED_LIBRARIES",
    "ESTIMATOR_MODULES",
    "check_allowed",
    "estimator_distribution",
    "validate_estimator",
]

# Top-level module -> the distribution whose version goes into cache keys.
ALLOWED_LIBRARIES: dict[str, str] = {"sklearn": "scikit-learn"}

# The public modules that define estimators buildable from JSON params (meta-estimators,
# which need an estimator object, are left out): the only modules a spec makes opspec import.
ESTIMATOR_MODULES: frozenset[str] = frozenset(
    f"sklearn.{name}"
    for name in (
        "cross_decomposition",
        "discriminant_analysis",
        "dummy",
        "ensemble",
        "gaussian_process",
        "isotonic",
        "kernel_ridge",
        "linear_model",
        "naive_bayes",
        "neighbors",
        "neural_network",
        "svm",
        "tree",
    )
)

_PATH = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$")
_PARAM_IN_MESSAGE = re.compile(r"The '(\w+)' parameter")


def estimator_distribution(path: str) -> str | None:
    """The allow-listed distribution that provides ``path``, or None."""
    return ALLOWED_LIBRARIES.get(path.split(".", 1)[0])


def check_allowed(path: str) -> list[CheckFailure]:
    """Cheap checks that need no import: the path's shape and its library."""
    if not _PATH.match(path):
        return [
            CheckFailure("estimator", f"expected an import path like sklearn.svm.SVC: {path!r}")
        ]
    if estimator_distribution(path) is None:
        allowed = ", ".join(sorted(ALLOWED_LIBRARIES))
        return [
            CheckFailure(
                "estimator",
                f"{path} is not from an allowed library ({allowed}); estimators are imported "
                "at plan time, so only these libraries may be named",
            )
        ]
    return []


def _load_class(path: str) -> tuple[Any, list[CheckFailure]]:
    module_name, _, class_name = path.rpartition(".")
    if module_name not in ESTIMATOR_MODULES or class_name.startswith("_"):
        modules = ", ".join(sorted(ESTIMATOR_MODULES))
        return None, [
            CheckFailure(
                "estimator",
                f"unknown estimator {path}: no module {module_name} among the estimator "
                f"modules ({modules}), or a private name",
            )
        ]
    try:
        found = importlib.util.find_spec(module_name) is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        return None, [
            CheckFailure("estimator", f"unknown estimator {path}: no module {module_name}")
        ]
    module = importlib.import_module(module_name)
    cls = getattr(module, class_name, None)
    if not inspect.isclass(cls) or not hasattr(cls, "fit") or not hasattr(cls, "get_params"):
        return None, [
            CheckFailure(
                "estimator",
                f"unknown estimator {path}: {module_name} has no estimator class {class_name}",
            )
        ]
    return cls, []


def validate_estimator(path: str, params: Mapping[str, Any]) -> list[CheckFailure]:
    """Import the estimator class and check ``params`` against its constructor (plan time)."""
    failures = check_allowed(path)
    if failures:
        return failures
    cls, failures = _load_class(path)
    if failures:
        return failures
    try:
        estimator = cls()
    except TypeError as exc:
        return [CheckFailure("estimator", f"{path} cannot be built from params alone: {exc}")]
    valid = estimator.get_params(deep=False)
    unknown = [k for k in params if k not in valid]
    if unknown:
        names = ", ".join(sorted(valid))
        return [
            CheckFailure(f"params.{k}", f"{cls.__name__} has no parameter {k!r} (it has: {names})")
            for k in unknown
        ]
    try:
        estimator.set_params(**params)
        validate = getattr(estimator, "_validate_params", None)
        if callable(validate):
            validate()
    except (ValueError, TypeError) as exc:
        match = _PARAM_IN_MESSAGE.search(str(exc))
        where = f"params.{match.group(1)}" if match and match.group(1) in params else "params"
        return [CheckFailure(where, str(exc))]
    return []
