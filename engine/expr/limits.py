"""The bounds every expression runs under, in one place (why each exists: ``engine.expr.sandbox``).

Read as ``limits.NAME`` at the moment of use, so a test can lower one with ``monkeypatch``.
"""

from __future__ import annotations

# Source: refused before Jinja2 parses or compiles it.
MAX_EXPRESSION_LENGTH = 10_000  # characters inside one ``${...}``
MAX_NESTING_DEPTH = 32  # brackets ``( [ {`` open at once
MAX_TREE_DEPTH = 100  # levels of the parsed syntax tree (operator and filter chains)

# Values: the rendered size of a value is about the length of its text (strings count their
# characters, numbers their digits, lists and maps their items and separators).
MAX_VALUE_SIZE = 1_000_000  # any one value an operation makes, and an expression's result
MAX_ALLOCATED = 20_000_000  # all the values one expression's operations make, together
MAX_INT_BITS = 4_096  # an integer made by ``*`` or ``**`` (about 1,230 digits)
MAX_POWER_EXPONENT = 128  # the right side of ``**``

# Time: checked at every attribute, item, call, filter and operator of one expression.
MAX_EVALUATION_SECONDS = 2.0
