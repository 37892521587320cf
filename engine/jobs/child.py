"""Entry point of a job's child process: ``python -m engine.jobs.child REQUEST.json``."""

from __future__ import annotations

import ctypes
import importlib
import json
import os
import signal
import sys
import traceback
from importlib.metadata import entry_points
from pathlib import Path

from engine.jobs.runner import PRIVATE_KWARGS_ENV
from engine.registry import ENTRY_POINT_GROUP


def _die_with_parent() -> None:
    """Ask Linux to stop this job when the engine dies (even by ``kill -9``)."""
    try:
        libc = ctypes.CDLL(None)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def _import_installed_packages() -> None:
    """Import opspec's packages and every registered provider's top-level package, found by the
    entry points as the engine finds providers: an editable install finds them only after
    ``sys.path``, so a project file of the same name would otherwise shadow them."""
    providers = {ep.module.partition(".")[0] for ep in entry_points(group=ENTRY_POINT_GROUP)}
    for package in sorted({"engine", "specs", *providers}):
        importlib.import_module(package)


def main(argv: list[str]) -> int:
    _die_with_parent()
    request = json.loads(Path(argv[1]).read_text())
    # Taken out of the environment, so nothing the job starts inherits it.
    private = json.loads(os.environ.pop(PRIVATE_KWARGS_ENV, "{}"))
    if request.get("path"):
        # A job that runs user code finds it in the project, after every installed package,
        # so a project file named like a library (`pandas.py`) shadows nothing.
        _import_installed_packages()
        sys.path.append(request["path"])
    module_name, _, func_name = request["target"].partition(":")
    try:
        func = getattr(importlib.import_module(module_name), func_name)
        value = func(**request["kwargs"], **private)
    except Exception:
        traceback.print_exc()
        return 1
    tmp = Path(request["result"] + ".tmp")
    tmp.write_text(json.dumps(value))
    tmp.replace(request["result"])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
