"""Variable values: defaults < ``OPSPEC_VAR_<name>`` < ``--var-file`` < ``--var``, type-checked.

Under ``--untrusted`` a var file that lies in the project belongs to the change under review: it
is resolved under the one path rule (:mod:`engine.providers.paths`) and refused, never opened,
when it is a link out of the project (its keys would otherwise pull an outside file's values
into variables the change declares).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from engine.config.model import Config, VarType
from engine.config.yamlpos import YamlError, YamlMap, parse, position
from engine.diagnostics import Diagnostics, SourcePos, error
from engine.placeholders import SENSITIVE
from engine.providers.paths import PathEscapeError, resolve_if_in_project

ENV_PREFIX = "OPSPEC_VAR_"


def _type_ok(kind: VarType, value: Any) -> bool:
    match kind:
        case VarType.ANY:
            return True
        case VarType.STRING:
            return isinstance(value, str)
        case VarType.NUMBER:
            return isinstance(value, int | float) and not isinstance(value, bool)
        case VarType.BOOL:
            return isinstance(value, bool)
        case VarType.LIST:
            return isinstance(value, list)
        case VarType.MAP:
            return isinstance(value, dict)


def _from_text(kind: VarType, text: str) -> Any:
    """Convert a value given as text (command line, environment) to the variable's type."""
    match kind:
        case VarType.STRING | VarType.ANY:
            return text
        case VarType.NUMBER:
            try:
                return int(text)
            except ValueError:
                return float(text)
        case VarType.BOOL:
            lowered = text.strip().lower()
            if lowered in ("true", "1", "yes"):
                return True
            if lowered in ("false", "0", "no"):
                return False
            raise ValueError(f"{text!r} is not a bool (true/false)")
        case VarType.LIST | VarType.MAP:
            try:
                return json.loads(
                    text, parse_constant=_no_constant, parse_float=_finite, parse_int=_int64
                )
            except (ValueError, RecursionError):  # YAML then, with its bounds and positions
                return parse(text)


# JSON given on the command line holds what a spec file may (engine.config.yamlvalues).
def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number state can hold")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError("a number too large for a float")
    return value


def _int64(text: str) -> int:
    value = int(text)
    if not -(2**63) <= value < 2**63:
        raise ValueError("an integer larger than 64 bits")
    return value


def _plain(value: Any) -> Any:
    """Strip YAML position wrappers so values compare and serialise as plain data."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def resolve_variables(
    config: Config,
    cli_vars: list[str],
    var_files: list[Path],
    environ: Mapping[str, str] | None = None,
    *,
    untrusted: bool = False,
) -> tuple[dict[str, Any], set[str], Diagnostics]:
    """Final variable values, the names of sensitive ones, and diagnostics."""
    environ = os.environ if environ is None else environ
    diags = Diagnostics()
    given: dict[str, tuple[Any, SourcePos | None, str]] = {}

    for name in config.variables:
        env_value = environ.get(ENV_PREFIX + name)
        if env_value is not None:
            origin = f"${ENV_PREFIX}{name}"
            _convert_text(config, name, env_value, origin, given, diags)

    for vf in var_files:
        _read_var_file(config, vf, given, diags, untrusted=untrusted)

    for item in cli_vars:
        name, sep, text = item.partition("=")
        if not sep:
            diags.append(error(f"invalid --var {item!r}", "Write --var NAME=VALUE."))
            continue
        if name not in config.variables:
            diags.append(error(f"--var {name}: no variable `{name}` is declared"))
            continue
        _convert_text(config, name, text, "--var", given, diags)

    values: dict[str, Any] = {}
    for name, block in config.variables.items():
        if name in given:
            value, pos, origin = given[name]
        elif block.has_default:
            value, pos, origin = block.spec.default, block.pos, "default"
        else:
            diags.append(
                error(
                    f"no value for required variable `{name}`",
                    f"Give one with --var {name}=VALUE, a --var-file or ${ENV_PREFIX}{name}.",
                    block.pos,
                )
            )
            continue
        value = _plain(value)
        if not _type_ok(block.spec.type, value):
            shown = SENSITIVE if block.spec.sensitive else repr(value)
            diags.append(
                error(
                    f"variable `{name}` must be a {block.spec.type.value}",
                    f"got {type(value).__name__} {shown} from {origin}",
                    pos or block.pos,
                )
            )
            continue
        values[name] = value
    sensitive = {n for n, b in config.variables.items() if b.spec.sensitive}
    return values, sensitive, diags


def _convert_text(
    config: Config,
    name: str,
    text: str,
    origin: str,
    given: dict[str, tuple[Any, SourcePos | None, str]],
    diags: Diagnostics,
) -> None:
    spec = config.variables[name].spec
    try:
        given[name] = (_from_text(spec.type, text), None, origin)
    except (ValueError, YamlError) as exc:
        # The conversion's message quotes the text: say only what was expected of a secret.
        why = f"the value is not a {spec.type.value}" if spec.sensitive else str(exc)
        diags.append(error(f"invalid value for variable `{name}` from {origin}", why))


def _read_var_file(
    config: Config,
    path: Path,
    given: dict[str, tuple[Any, SourcePos | None, str]],
    diags: Diagnostics,
    *,
    untrusted: bool,
) -> None:
    name = str(path)
    try:
        if untrusted:
            path = resolve_if_in_project(config.directory, path) or path
        doc = parse(path.read_text())
    except PathEscapeError as exc:
        diags.append(error(f"var file {name} leaves the project; refused", str(exc)))
        return
    except OSError as exc:
        diags.append(error(f"cannot read var file {name}: {exc.strerror}"))
        return
    except YamlError as exc:
        diags.append(error(exc.message, exc.detail, SourcePos(name, exc.line, exc.col)))
        return
    if not isinstance(doc, YamlMap):
        diags.append(
            error(
                f"var file {name} must be a mapping of variable names to values",
                pos=SourcePos(name, 1, 1),
            )
        )
        return
    for key, value in doc.items():
        line, col = position(doc, (key,)) or (1, 1)
        pos = SourcePos(name, line, col)
        if key not in config.variables:
            diags.append(error(f"no variable `{key}` is declared", "", pos))
            continue
        given[key] = (value, pos, name)
