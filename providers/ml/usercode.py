"""A user's ``module:function``, located and fingerprinted without importing it.

Planning never runs user code (and a pull request's plan must not), yet a change to the
function must change the training job's cache key. So the module is resolved against the
project directory as a file, parsed with :mod:`ast` to confirm the function exists, and
fingerprinted by the sha256 of the file's bytes. Only that file counts: a helper module it
imports is not part of the fingerprint (keep the training code in the named module).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

from engine.hashing import sha256_bytes
from engine.providers.paths import PathEscapeError, resolve_in_project
from providers.ml.errors import UserCodeError

__all__ = ["UserFunction", "locate_function"]

_REF = re.compile(r"^(?P<module>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*):(?P<function>[A-Za-z_]\w*)$")


@dataclass(frozen=True)
class UserFunction:
    module: str
    function: str
    file: Path
    code_hash: str  # sha256 of the module file's bytes


def locate_function(project_dir: str, ref: str) -> UserFunction:
    """Find ``module:function`` among the project's files and hash its module."""
    match = _REF.match(ref)
    if match is None:
        raise UserCodeError(f"expected module:function (e.g. train:fit_model), got {ref!r}")
    module, function = match["module"], match["function"]
    rel = module.replace(".", "/")
    file: Path | None = None
    for candidate in (f"{rel}.py", f"{rel}/__init__.py"):
        try:
            path = resolve_in_project(project_dir, candidate)
        except PathEscapeError as exc:
            raise UserCodeError(str(exc)) from exc
        if path.is_file():
            file = path
            break
    if file is None:
        raise UserCodeError(f"no module {module} in the project (looked for {rel}.py)")
    data = file.read_bytes()
    try:
        tree = ast.parse(data, filename=str(file))
    except SyntaxError as exc:
        raise UserCodeError(f"{file.name}:{exc.lineno}: syntax error: {exc.msg}") from exc
    defined = {
        node.name for node in tree.body if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    if function not in defined:
        raise UserCodeError(f"{file.name} defines no top-level function {function!r}")
    return UserFunction(module, function, file, sha256_bytes(data))
