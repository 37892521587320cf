"""The Jinja2 sandbox that evaluates expressions: nothing in a spec reaches Python internals,
changes a value, or runs away with memory or time.

``jinja2.sandbox.ImmutableSandboxedEnvironment`` refuses unsafe attributes (``__class__``,
``mro``, function globals, ...) and every method that modifies a list, map or set
(``update``, ``clear``, ``append``, ...): the values an expression reads are the variables,
locals and resource attributes every other expression reads too, so an expression must not be
able to copy a secret into a plain map or empty ``var`` for the resources after it. Undefined
names are errors, not empty strings; constant folding is off, so nothing runs at compile time.

A pull request's spec is untrusted input, so every expression also runs under bounds (the
numbers are in :mod:`engine.expr.limits`, read at each use). Hitting one is a
:class:`~engine.expr.errors.LimitError`, reported like any expression error at the string:

- **source**: at most ``MAX_EXPRESSION_LENGTH`` characters (10,000), ``MAX_NESTING_DEPTH``
  brackets open at once (32) and ``MAX_TREE_DEPTH`` levels of syntax tree (100: a chain of
  100 operators or filters), checked before Jinja2 compiles it, so parsing and compiling
  cannot exhaust Python's stack (a ``RecursionError`` left anyway is reported the same way);
- **size**: no value an operation makes, and no expression's result, renders to more than
  ``MAX_VALUE_SIZE`` characters (1,000,000). Widths and counts are checked before the work is
  done (``"{:>N}".format``, ``"%Ns" %``, ``ljust``/``center``/``zfill``/``expandtabs``,
  ``replace``, ``join``, ``indent``, ``wordwrap``, ``batch``, ``slice``, ``sum``, sequence
  ``*`` counted with shared items, so nested products are caught), everything else is measured
  after it is made; all values one expression makes together stay under ``MAX_ALLOCATED``
  (20,000,000), which bounds loops through ``map`` and friends;
- **numbers**: ``**`` exponents at most ``MAX_POWER_EXPONENT`` (128) and integers made by ``*``
  or ``**`` at most ``MAX_INT_BITS`` (4,096 bits), which stops power towers;
- **time**: ``MAX_EVALUATION_SECONDS`` (2 s) per expression, checked at every attribute, item,
  call, filter, test and operator.

Real specs stay far below all of these: they are there so that a few bytes of YAML cannot keep
a CI runner busy for minutes or take gigabytes.
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable
from functools import cache, lru_cache, update_wrapper, wraps
from typing import Any

from jinja2 import StrictUndefined, nodes
from jinja2.environment import TemplateExpression
from jinja2.exceptions import TemplateSyntaxError
from jinja2.parser import Parser
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer
from markupsafe import Markup

from engine.expr import limits
from engine.expr.budget import current_budget, rendered_size, too_large
from engine.expr.errors import ExprError, LimitError
from engine.expr.guards import (
    FILTER_CHECKS,
    BoundedEscapeFormatter,
    BoundedFormatter,
    bind_arguments,
    check_binop,
    check_method_call,
)

# The filter ``~`` is compiled to, so that concatenation is bounded too. Not an identifier:
# no spec can name it.
CONCAT_FILTER = "opspec:concat"

# The names Jinja2's filters give the context, environment or evaluation context it passes.
_PASSED = frozenset(["context", "environment", "eval_ctx"])


def _made_by(result: Any, inputs: tuple[Any, ...]) -> bool:
    """Whether ``result`` is new (an operation that returns one of its inputs made nothing)."""
    return not any(result is i for i in inputs)


def _guarded_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    check = FILTER_CHECKS.get(name)
    signature = inspect.signature(func) if check is not None else None
    # Jinja2's sync/async wrappers take an evaluation context that the filter itself does not.
    passed = getattr(func, "jinja_pass_arg", None) is not None
    leading = int(
        passed and signature is not None and next(iter(signature.parameters)) not in _PASSED
    )

    @wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        budget = current_budget()
        budget.tick()
        if check is not None and signature is not None:
            bound = bind_arguments(signature, args[leading:], kwargs)
            if bound is not None:
                check(bound.arguments)
                args, kwargs = (*args[:leading], *bound.args), bound.kwargs
        result = func(*args, **kwargs)
        if _made_by(result, args):
            budget.charge(result)
        return result

    return run


def _ticking_test(func: Any) -> Callable[..., Any]:
    @wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        current_budget().tick()
        return func(*args, **kwargs)

    return run


def _concat(values: tuple[Any, ...]) -> str:
    """``a ~ b``: what ``str_join`` does, refusing a result past the bound before making it."""
    limit = limits.MAX_VALUE_SIZE
    parts: list[str] = []
    total = 0
    for value in values:
        if not isinstance(value, str) and rendered_size(value, limit) > limit:
            raise too_large()
        text = str(value)
        total += len(text)
        if total > limit:
            raise too_large()
        parts.append(text)
    result = "".join(parts)
    current_budget().charge(result)
    return result


class SpecSandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset(["**", "*", "%", "+"])

    def __init__(self) -> None:
        super().__init__(undefined=StrictUndefined, autoescape=False, optimized=False)
        self.filters = {name: _guarded_filter(name, f) for name, f in self.filters.items()}
        self.filters[CONCAT_FILTER] = _concat
        self.tests = {name: _ticking_test(t) for name, t in self.tests.items()}

    def call_binop(self, context: Context, operator_: str, left: Any, right: Any) -> Any:
        budget = current_budget()
        budget.tick()
        check_binop(operator_, left, right)
        result = self.binop_table[operator_](left, right)
        if _made_by(result, (left, right)):
            budget.charge(result)
        return result

    def getattr(self, obj: Any, attribute: str) -> Any:
        current_budget().tick()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        # Jinja2 compiles slices to plain Python, past this hook: a slice is never larger
        # than the value sliced, which is bounded already.
        current_budget().tick()
        return super().getitem(obj, argument)

    def call(
        __self,  # Jinja2's spelling: a call may pass `self` or `obj` as a keyword
        __context: Context,
        __obj: Any,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        budget = current_budget()
        budget.tick()
        args = check_method_call(__obj, args, kwargs)
        result = super().call(__context, __obj, *args, **kwargs)
        if _made_by(result, (__obj, *args)):
            budget.charge(result)
        return result

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """``str.format`` and ``format_map`` through a formatter that bounds the result."""
        if getattr(value, "__name__", None) not in ("format", "format_map"):
            return None
        template = getattr(value, "__self__", None)
        if not isinstance(template, str):
            return None
        is_format_map = value.__name__ == "format_map"

        def run(*args: Any, **kwargs: Any) -> str:
            if is_format_map:
                if kwargs or len(args) != 1:
                    raise TypeError("format_map() takes exactly one argument")
                kwargs, args = args[0], ()
            formatter = (
                BoundedEscapeFormatter(self, escape=template.escape)
                if isinstance(template, Markup)
                else BoundedFormatter(self)
            )
            return type(template)(formatter.vformat(template, args, kwargs))

        return update_wrapper(run, value)


@cache
def environment() -> SpecSandbox:
    return SpecSandbox()


def _check_source(source: str) -> None:
    if len(source) > limits.MAX_EXPRESSION_LENGTH:
        raise LimitError(f"expression longer than {limits.MAX_EXPRESSION_LENGTH:,} characters")
    depth = 0
    quote = ""
    escaped = False
    for char in source:
        if quote:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char in "([{":
            depth += 1
            if depth > limits.MAX_NESTING_DEPTH:
                raise LimitError(
                    f"expression nests more than {limits.MAX_NESTING_DEPTH} brackets deep"
                )
        elif char in ")]}":
            depth -= 1


def _check_tree_depth(tree: nodes.Node) -> None:
    pending = [(tree, 1)]
    while pending:
        node, depth = pending.pop()
        if depth > limits.MAX_TREE_DEPTH:
            raise LimitError(
                f"expression nests more than {limits.MAX_TREE_DEPTH} operations deep"
                " (a chain of operators or filters that long)"
            )
        pending.extend((child, depth + 1) for child in node.iter_child_nodes())


def parse_expression(source: str) -> nodes.Expr:
    """The syntax tree of the inside of one ``${...}``, refused past the source bounds."""
    _check_source(source)
    env = environment()
    try:
        parser = Parser(env, source, state="variable")
        tree = parser.parse_expression()
        if not parser.stream.eos:
            token = parser.stream.current
            raise TemplateSyntaxError(f"unexpected {token.value!r}", token.lineno)
    except RecursionError:
        raise LimitError("expression nests too deeply") from None
    except Exception as exc:  # TemplateSyntaxError, and the lexer's own ValueErrors
        raise ExprError(f"invalid expression ${{{source}}}: {exc}") from None
    _check_tree_depth(tree)
    tree.set_environment(env)
    return tree


class _BoundedConcat(NodeTransformer):
    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        items = [self.visit(n) for n in node.nodes]
        pack = nodes.Tuple(items, "load", lineno=node.lineno)
        return nodes.Filter(pack, CONCAT_FILTER, [], [], None, None, lineno=node.lineno)


@lru_cache(maxsize=65536)
def compile_expression(source: str) -> Callable[..., Any]:
    """A callable that evaluates ``source`` with its names given as keyword arguments."""
    env = environment()
    tree = _BoundedConcat().visit(parse_expression(source))
    body = [nodes.Assign(nodes.Name("result", "store"), tree, lineno=1)]
    try:
        with warnings.catch_warnings():
            # Python warns about code such as `7[0]`, which only fails when evaluated.
            warnings.simplefilter("ignore", SyntaxWarning)
            template = env.from_string(nodes.Template(body, lineno=1))
    except RecursionError:
        raise LimitError("expression nests too deeply") from None
    except Exception as exc:  # TemplateSyntaxError: an unknown filter or test, ...
        raise ExprError(f"invalid expression ${{{source}}}: {exc}") from None
    return TemplateExpression(template, undefined_to_none=False)
