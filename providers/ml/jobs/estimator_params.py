"""Check an estimator's params against its class: the part of planning that needs scikit-learn.

Run by :func:`providers.ml.estimators.validate_estimator` as
``python -P -m providers.ml.jobs.estimator_params`` with ``{"estimator", "params"}`` as JSON on
stdin; it prints the failures as JSON, ``[[field, reason], ...]``. It runs in a child so that
the plan's own process never imports scikit-learn, and only for an import path that the
allow-list already accepted (:func:`providers.ml.estimators.check_allowed`).
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import json
import re
import sys
from typing import Any

__all__ = ["check_params"]

_PARAM_IN_MESSAGE = re.compile(r"The '(\w+)' parameter")

Failures = list[tuple[str, str]]


def _load_class(path: str) -> tuple[Any, Failures]:
    module_name, _, class_name = path.rpartition(".")
    try:
        found = importlib.util.find_spec(module_name) is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        return None, [("estimator", f"unknown estimator {path}: no module {module_name}")]
    cls = getattr(importlib.import_module(module_name), class_name, None)
    if not inspect.isclass(cls) or not hasattr(cls, "fit") or not hasattr(cls, "get_params"):
        reason = f"unknown estimator {path}: {module_name} has no estimator class {class_name}"
        return None, [("estimator", reason)]
    return cls, []


def check_params(estimator: str, params: dict[str, Any]) -> Failures:
    """Import the estimator class and check ``params`` against its constructor."""
    cls, failures = _load_class(estimator)
    if failures:
        return failures
    try:
        instance = cls()
    except TypeError as exc:
        return [("estimator", f"{estimator} cannot be built from params alone: {exc}")]
    valid = instance.get_params(deep=False)
    unknown = [k for k in params if k not in valid]
    if unknown:
        names = ", ".join(sorted(valid))
        return [
            (f"params.{k}", f"{cls.__name__} has no parameter {k!r} (it has: {names})")
            for k in unknown
        ]
    try:
        instance.set_params(**params)
        validate = getattr(instance, "_validate_params", None)
        if callable(validate):
            validate()
    except (ValueError, TypeError) as exc:
        match = _PARAM_IN_MESSAGE.search(str(exc))
        where = f"params.{match.group(1)}" if match and match.group(1) in params else "params"
        return [(where, str(exc))]
    return []


def main() -> None:
    request = json.load(sys.stdin)
    json.dump(check_params(request["estimator"], request["params"]), sys.stdout)


if __name__ == "__main__":
    main()
