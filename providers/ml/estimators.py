"""Which estimators a spec may name, and validating their parameters at plan time.

An estimator is an import path, and importing runs code, so only the estimator modules of
libraries on an allow-list may be named (scikit-learn's ``linear_model``, ``ensemble``, ...):
a pull request's plan (``--untrusted``) may then import them too, but not one of the library's
other modules, whose import can do anything (download data sets, patch the library).
Validating ``params`` needs the estimator class, so it imports scikit-learn: that happens in a
child process (:mod:`providers.ml.jobs.estimator_params`), never in the plan's own, and the
training provider asks for it only when the estimator or its params changed since the last
plan, which keeps a no-op re-plan free of it.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
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
_PARAMS_JOB = "providers.ml.jobs.estimator_params"
# Importing scikit-learn's estimator modules takes seconds on a busy machine, never minutes.
_PARAMS_TIMEOUT_S = 300


def estimator_distribution(path: str) -> str | None:
    """The allow-listed distribution that provides ``path``, or None."""
    return ALLOWED_LIBRARIES.get(path.split(".", 1)[0])


def check_allowed(path: str) -> list[CheckFailure]:
    """Checks that need no import: the path's shape, its library and its module."""
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
    module_name, _, class_name = path.rpartition(".")
    if module_name not in ESTIMATOR_MODULES or class_name.startswith("_"):
        modules = ", ".join(sorted(ESTIMATOR_MODULES))
        return [
            CheckFailure(
                "estimator",
                f"unknown estimator {path}: no module {module_name} among the estimator "
                f"modules ({modules}), or a private name",
            )
        ]
    return []


def validate_estimator(path: str, params: Mapping[str, Any]) -> list[CheckFailure]:
    """Check ``path`` against the allow-list, then ``params`` against the estimator's class,
    which a child process imports (plan time)."""
    failures = check_allowed(path)
    if failures:
        return failures
    return [CheckFailure(field, reason) for field, reason in _params_failures(path, params)]


def _params_failures(path: str, params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The child's verdict on ``params``; a child that gives none is itself a failure."""
    try:
        proc = subprocess.run(
            # -P: nothing from the current folder (a project's `sklearn.py`) shadows a library.
            [sys.executable, "-P", "-m", _PARAMS_JOB],
            input=json.dumps({"estimator": path, "params": dict(params)}),
            capture_output=True,
            text=True,
            timeout=_PARAMS_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        return [("estimator", f"validating {path} took over {_PARAMS_TIMEOUT_S}s")]
    try:
        found = json.loads(proc.stdout) if proc.returncode == 0 else None
    except ValueError:
        found = None
    if not isinstance(found, list):
        last = (proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]
        return [("estimator", f"cannot validate the params of {path}: {last}")]
    return [(str(field), str(reason)) for field, reason in found]
