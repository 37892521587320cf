"""CEL rules: expressions from YAML packs, compiled once and evaluated over resource changes.

Uses cel-python (``celpy``) with its transpiling runner (CEL compiled to a Python code object).
Each expression is parsed and transpiled once when the pack is loaded. At evaluation a rule
projects every selected resource change onto the parts its expressions read
(:mod:`engine.policy.celpaths`), converts only that to CEL values, and evaluates each distinct
projection once: CEL is free of side effects, so equal inputs give equal results.

Variables: ``resource`` (the resource change as in the plan JSON), ``after`` and ``before``
(``resource.change.after``/``.before``), ``params`` (the rule's ``params``) and ``plan`` (the
whole plan document). Numbers keep their JSON type; compare an integer field with a double
through ``double()`` or ``int()``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import celpy
from celpy import celtypes
from celpy.celparser import CELParseError, CELParser
from celpy.evaluation import CELEvalError, TranspilerTree

from engine.policy.celpaths import Trie, access_paths, project
from engine.policy.context import EvalContext
from engine.policy.model import Rule, Violation
from engine.views.plan_graph import Change

RESOURCE_ROOTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "resource": ("resource", ()),
    "after": ("resource", ("change", "after")),
    "before": ("resource", ("change", "before")),
    "params": ("params", ()),
    "plan": ("plan", ()),
}
PLAN_ROOTS = {k: v for k, v in RESOURCE_ROOTS.items() if k in ("params", "plan")}
DEFAULT_ACTIONS = frozenset({"create", "update", "replace", "no-op"})

_env: celpy.Environment | None = None


def _environment() -> celpy.Environment:
    """The shared environment, with a parser whose trees the transpiler accepts.

    cel-python keeps one parser per process, built with the tree class of the first
    environment; trees for the transpiler work with the interpreter too, so the parser is
    rebuilt once when another environment came first.
    """
    global _env
    parser = CELParser.CEL_PARSER
    tree_class = getattr(parser.options, "tree_class", None) if parser is not None else None
    if parser is not None and not (
        isinstance(tree_class, type) and issubclass(tree_class, TranspilerTree)
    ):
        CELParser.CEL_PARSER = None
        _env = None
    if _env is None:
        # Evaluation errors become policy violations; cel-python would also log each one.
        logging.getLogger("celpy.Transpiler").setLevel(logging.CRITICAL)
        _env = celpy.Environment(runner_class=celpy.CompiledRunner)
    return _env


class CelCompileError(Exception):
    """An expression that does not parse or transpile; ``line``/``column`` are 1-based."""

    def __init__(self, message: str, line: int = 1, column: int = 1, context: str = "") -> None:
        super().__init__(message)
        self.line = line
        self.column = column
        self.context = context


@dataclass(slots=True)
class CelProgram:
    """A compiled expression, what it reads, and what :func:`run` executes it with."""

    source: str
    runner: celpy.Runner
    tries: dict[str, Trie]
    code: Any = None
    globals: dict[str, Any] | None = None
    base: Any = None

    def __post_init__(self) -> None:
        transpiler = getattr(self.runner, "tp", None)
        code = getattr(transpiler, "executable_code", None)
        if code is not None:
            # The namespace cel-python executes transpiled code in, one copy per program.
            self.code = code
            self.globals = dict(celpy.evaluation.result.__globals__)
            self.base = self.runner.new_activation()


def compile_expression(source: str, roots: dict[str, tuple[str, tuple[str, ...]]]) -> CelProgram:
    env = _environment()
    try:
        ast = env.compile(source)
    except CELParseError as exc:
        line, column = exc.line or 1, exc.column or 1
        source_line = (
            (source.splitlines() or [""])[line - 1] if line <= len(source.splitlines()) else ""
        )
        near = source_line[column - 1 : column + 9].strip() or "the end"
        context = f"{source_line}\n{' ' * (column - 1)}^"
        raise CelCompileError(f"invalid CEL expression: unexpected `{near}`", line, column,
                              context) from None  # fmt: skip
    try:
        runner = env.program(ast)
    except Exception as exc:  # cel-python's transpiler raises plain Python errors
        raise CelCompileError(
            "invalid CEL expression: it parses but cannot be compiled (a macro such as "
            f"`exists` needs a variable and a condition: `list.exists(x, x > 0)`); {exc!r}"
        ) from None
    return CelProgram(source, runner, access_paths(ast, roots))


def _cel_string(value: str) -> Any:
    return str.__new__(celtypes.StringType, value)  # what StringType(value) builds, minus checks


def _cel_map(value: dict[Any, Any]) -> Any:
    out = celtypes.MapType()
    dict.update(out, {_cel_string(str(k)): to_cel(v) for k, v in value.items()})
    return out


def _cel_list(value: list[Any] | tuple[Any, ...]) -> Any:
    items = celtypes.ListType()
    list.extend(items, [to_cel(v) for v in value])
    return items


_CONVERT: dict[type, Any] = {
    str: _cel_string,
    bool: celtypes.BoolType,
    int: celtypes.IntType,
    float: celtypes.DoubleType,
    dict: _cel_map,
    list: _cel_list,
    tuple: _cel_list,
    type(None): lambda _: None,
}


def to_cel(value: Any) -> Any:
    """JSON-like Python data as CEL values (faster than celpy.json_to_cel for plan data)."""
    convert = _CONVERT.get(type(value))
    if convert is not None:
        return convert(value)
    for kind in (str, bool, int, float, dict, list):  # subclasses, e.g. YAML mappings
        if isinstance(value, kind):
            return _CONVERT[kind](value)
    return _cel_string(str(value))


def _selects_from_null(exc: BaseException) -> bool:
    """Whether ``exc`` is a member selected from null. cel-python reads ``a.b`` as
    ``a.get("b")``; on null that attribute lookup fails, raised as such by the transpiled code
    and wrapped in a CELEvalError by cel-python's own runner."""
    lookup = exc if isinstance(exc, AttributeError) else exc.__cause__ or exc.__context__
    return isinstance(lookup, AttributeError) and lookup.name is not None and lookup.obj is None


def error_text(exc: Exception) -> str:
    """The innermost human message of a cel-python evaluation error."""
    if _selects_from_null(exc):
        return "a field of null was selected (is the value absent or known after apply?)"
    args: tuple[Any, ...] = exc.args
    while len(args) >= 3 and isinstance(args[2], tuple) and args[0] == "evaluation error":
        args = args[2]
    message = str(args[0]) if args else str(exc)
    if len(args) >= 3 and isinstance(args[2], tuple) and ":" not in message and args[2]:
        message += ": " + ", ".join(str(a) for a in args[2])
    return message


class _Activation:
    """The variables of one evaluation, for cel-python's transpiled code.

    The transpiled code reads a variable as ``activation.NAME`` (or through
    ``resolve_variable``) and binds macro variables with ``nested_activation``. cel-python's own
    activation resolves every read through its package and annotation search, which costs more
    than the rest of an evaluation; here variables are a dict lookup, and every other name (type
    names, functions) goes to cel-python's activation, so results are the same (a test compares
    both on a corpus of expressions).
    """

    __slots__ = ("_base", "_vars")

    def __init__(self, variables: dict[str, Any], base: Any) -> None:
        self._vars = variables
        self._base = base

    def __getattr__(self, name: str) -> Any:
        try:
            return self._vars[name]
        except KeyError:
            return getattr(self._base, name)

    def resolve_variable(self, name: str) -> Any:
        if name in self._vars:
            return self._vars[name]
        return self._base.resolve_variable(name)

    def nested_activation(self, annotations: Any = None, vars: Any = None) -> _Activation:
        return _Activation({**self._vars, **(vars or {})}, self._base)


def run(program: CelProgram, activation: dict[str, Any]) -> Any:
    """Evaluate; an evaluation error is returned as :class:`CelEvalFailure`."""
    try:
        if program.globals is None:
            return program.runner.evaluate(activation)
        program.globals["base_activation"] = _Activation(activation, program.base)
        exec(program.code, program.globals)
        value = program.globals.pop("CEL")
    except Exception as exc:  # cel-python raises CELEvalError and, rarely, plain errors
        return CelEvalFailure(error_text(exc))
    return CelEvalFailure(error_text(value)) if isinstance(value, CELEvalError) else value


def run_reference(program: CelProgram, activation: dict[str, Any]) -> Any:
    """Evaluate through cel-python's own runner (what :func:`run` must agree with)."""
    try:
        return program.runner.evaluate(activation)
    except Exception as exc:
        return CelEvalFailure(error_text(exc))


@dataclass(frozen=True, slots=True)
class CelEvalFailure:
    message: str


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool | celtypes.BoolType)


def action_kind(change: Change) -> str:
    actions = (change.get("change") or {}).get("actions") or []
    if len(actions) == 2:
        return "replace"
    return str(actions[0]) if actions else "no-op"


@dataclass(slots=True)
class CelRule(Rule):
    """A CEL rule: ``expression`` must hold for each selected change (or for the plan)."""

    expression: CelProgram
    scope: str = "resource"
    types: frozenset[str] | None = None
    actions: frozenset[str] = DEFAULT_ACTIONS
    when: CelProgram | None = None
    message: str = ""
    message_expression: CelProgram | None = None
    field: str = ""
    params: Any = None
    kind: str = "cel"

    def _programs(self) -> list[CelProgram]:
        found = [self.expression, self.when, self.message_expression]
        return [p for p in found if p is not None]

    def _trie(self, root: str) -> Trie | None:
        tries = [p.tries[root] for p in self._programs() if root in p.tries]
        if not tries:
            return None
        merged = Trie()
        for trie in tries:
            merged.merge(trie)
        return merged

    def _constants(self, ctx: EvalContext) -> dict[str, Any]:
        values: dict[str, Any] = {"params": to_cel(self.params or {})}
        plan_trie = self._trie("plan")
        if plan_trie is not None:
            values["plan"] = to_cel(project(ctx.plan, plan_trie))
        return values

    def check(self, ctx: EvalContext) -> list[Violation]:
        constants = self._constants(ctx)
        if self.scope == "plan":
            return self._check_plan(constants)
        trie = self._trie("resource") or Trie()
        verdicts: dict[str, str | None] = {}
        out: list[Violation] = []
        for change in ctx.of_types(self.types):
            if action_kind(change) not in self.actions:
                continue
            projected = project(change, trie)
            # Equal reprs mean equal plan values (True, 1 and 1.0 stay apart); a projection
            # built in another key order only costs a second evaluation.
            key = repr(projected)
            if key not in verdicts:
                verdicts[key] = self._judge(projected, constants)
            verdict = verdicts[key]
            if verdict is not None:
                out.append(Violation(str(change.get("address", "")), self.field, verdict))
        return out

    def _judge(self, projected: dict[str, Any], constants: dict[str, Any]) -> str | None:
        """``None`` when the change complies, else the violation message."""
        resource = to_cel(projected)
        # dict.get: celpy's MapType.get raises on a missing key.
        change = dict.get(resource, "change") if isinstance(resource, dict) else None
        activation = {
            **constants,
            "resource": resource,
            "after": dict.get(change, "after") if isinstance(change, dict) else None,
            "before": dict.get(change, "before") if isinstance(change, dict) else None,
        }
        if self.when is not None:
            applies = run(self.when, activation)
            if isinstance(applies, CelEvalFailure):
                return f"could not evaluate `when`: {applies.message}"
            if not _is_bool(applies):
                return f"`when` returned {applies!r}, not a bool"
            if not applies:
                return None
        result = run(self.expression, activation)
        if isinstance(result, CelEvalFailure):
            return f"could not evaluate the rule: {result.message}"
        if _is_bool(result):
            return None if result else self._message(activation)
        return f"the rule returned {result!r}, not a bool"

    def _message(self, activation: dict[str, Any]) -> str:
        if self.message_expression is not None:
            text = run(self.message_expression, activation)
            if isinstance(text, str):
                return str(text)
        return self.message or f"`{self.expression.source.strip()}` is false"

    def _check_plan(self, constants: dict[str, Any]) -> list[Violation]:
        result = run(self.expression, constants)
        if isinstance(result, CelEvalFailure):
            return [Violation("", self.field, f"could not evaluate the rule: {result.message}")]
        if _is_bool(result):
            return [] if result else [Violation("", self.field, self._message(constants))]
        if isinstance(result, list):
            message = self._message(constants)
            return [Violation(str(item), self.field, message) for item in result]
        return [Violation("", self.field, f"the rule returned {result!r}, not a bool or list")]
