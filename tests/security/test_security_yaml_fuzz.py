"""Fuzzing the spec loader with random and hostile YAML (issue 11, "what must be true" 7).

Documents are built from YAML's own pieces: every scalar style and tag (odd, unknown and
mistyped ones included), flow and block collections, anchors and aliases (defined, undefined,
self-referencing), merge keys, duplicate keys, raw control characters, integers of thousands of
digits, deep nesting and alias bombs, then some are cut or spliced at random. For each one the
loader must, within a few seconds, either return a document that JSON holds exactly (what state,
plans and outputs need) or raise :class:`YamlError` with a position; and the canary, which only
ever appears as a value (it could be a secret's default), never appears in an error.
"""

from __future__ import annotations

import json
import math
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.config.yamlpos import YamlError, parse

CANARY = "canary-5b2e9f"
# Far above what a bounded document costs even on a loaded machine; an unbounded one (an alias
# bomb, 100,000 brackets) takes minutes or never ends.
PER_DOCUMENT_S = 5.0

_ANCHORS = ["&a0 ", "&a1 ", "&a2 "]
_ALIASES = ["*a0", "*a1", "*a2", "*nope"]
_PLAIN = [
    "1",
    "-0",
    "0o17",
    "017",
    "0x1F",
    "0b101",
    "1_000",
    "190:20:30",
    ".5",
    "-1.5e+3",
    "1.0e+400",
    ".nan",
    ".NaN",
    "-.inf",
    "~",
    "null",
    "Null",
    "yes",
    "No",
    "on",
    "2024-05-01",
    "2024-05-01T06:00:00Z",
    "2001-12-14 21:59:43.10 -5",
    "''",
    '""',
    "=",
    "<<",
    "- x",
    "${var.x}",
    '"${var.x}"',
    "@x",
    "`x",
    "%x",
    "? x",
    "|",
    ">-",
    "'a''b'",
    '"\\x07\\u2028\\t"',
    '"\\q"',
    CANARY,
    f'"{CANARY}"',
    f"'{CANARY}'",
]
_TAGS = [
    "!!str",
    "!!int",
    "!!float",
    "!!bool",
    "!!null",
    "!!binary",
    "!!timestamp",
    "!!set",
    "!!omap",
    "!!pairs",
    "!!map",
    "!!seq",
    "!!merge",
    "!!value",
    "!!python/object:os.system",
    "!!python/name:os.system",
    "!foo",
    "!",
    "!<tag:example.com,2000:x>",
    "!!yaml",
]
_KEYS = ["a", "b", "a", "<<", "1", "1.0", "true", "~", "'a'", '"a"', "? [k]", "[k]", "{k: v}"]

scalars = st.one_of(
    st.sampled_from(_PLAIN),
    st.sampled_from(_ALIASES),
    st.integers(min_value=-(10**25), max_value=10**25).map(str),
    st.integers(min_value=4290, max_value=4400).map(lambda n: "9" * n),
    st.integers(min_value=1, max_value=3000).map(lambda n: "0x" + "f" * n),
    st.floats().map(repr),
    st.text(max_size=6),  # any characters, raw control characters included
    st.text(max_size=6).map(json.dumps),  # the same, escaped in double quotes
    st.tuples(st.sampled_from(_TAGS), st.sampled_from(_PLAIN)).map(" ".join),
)


def _collections(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    decorated = st.tuples(
        st.sampled_from(["", "", *_ANCHORS, "!!set ", "!!map ", "!!seq ", "!!omap "]), children
    ).map("".join)
    pairs = st.lists(st.tuples(st.sampled_from(_KEYS), decorated), max_size=4)
    return st.one_of(
        st.lists(decorated, max_size=4).map(lambda items: "[" + ", ".join(items) + "]"),
        pairs.map(lambda kv: "{" + ", ".join(f"{k}: {v}" for k, v in kv) + "}"),
    )


flow_values = st.recursive(scalars, _collections, max_leaves=12)


@st.composite
def block_documents(draw: st.DrawFn) -> str:
    """A top-level block mapping (spec files look like this), with anchors used further down."""
    lines = []
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        key = draw(st.sampled_from(_KEYS[:9]))
        anchor = draw(st.sampled_from(["", "", *_ANCHORS]))
        if draw(st.booleans()):
            items = draw(st.lists(flow_values, min_size=1, max_size=3))
            lines.append(f"{key}: {anchor}".rstrip())
            lines += [f"  - {item}" for item in items]
        else:
            lines.append(f"{key}: {anchor}{draw(flow_values)}")
    return "\n".join(lines) + "\n"


@st.composite
def hostile_documents(draw: st.DrawFn) -> str:
    kind = draw(st.sampled_from(["brackets", "braces", "anchored", "laughs", "merges"]))
    depth = draw(st.integers(min_value=90, max_value=20_000))
    if kind == "brackets":
        return "k: " + "[" * depth + "1" + "]" * draw(st.integers(0, depth))
    if kind == "braces":
        return "{a: " * depth + "1" + "}" * depth
    if kind == "anchored":
        return "k: " + "[" * depth + "&x 1, *x" + "]" * depth
    levels = draw(st.integers(min_value=2, max_value=14))
    width = draw(st.integers(min_value=2, max_value=12))
    if kind == "laughs":
        lines = [f"a0: &a0 [{CANARY}]"]
        lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]" for i in range(1, levels)]
    else:
        lines = [f"m0: &m0 {{k0: {CANARY}}}"]
        lines += [
            f"m{i}: &m{i} {{<<: [{', '.join([f'*m{i - 1}'] * width)}], k{i}: 1}}"
            for i in range(1, levels)
        ]
    return "\n".join(lines) + "\n"


@st.composite
def spliced(draw: st.DrawFn, documents: st.SearchStrategy[str]) -> str:
    """A document cut, or with a few characters (control characters included) put in."""
    text = draw(documents)
    at = draw(st.integers(min_value=0, max_value=len(text)))
    if draw(st.booleans()):
        return text[:at]
    return text[:at] + draw(st.text(min_size=1, max_size=3)) + text[at:]


documents = st.one_of(
    flow_values,
    block_documents(),
    hostile_documents(),
    spliced(block_documents()),
    spliced(flow_values),
)


def _json_exact(value: Any) -> bool:
    """Only JSON's own types, finite floats, 64-bit integers: what state keeps as written."""
    if isinstance(value, dict):
        return all(
            (k is None or isinstance(k, str | int | float | bool)) and _json_exact(v)
            for k, v in value.items()
        )
    if isinstance(value, list):
        return all(_json_exact(v) for v in value)
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return True
    if isinstance(value, int):
        return -(2**63) <= value < 2**63
    return isinstance(value, float) and math.isfinite(value)


class Hang(Exception):
    """A document took longer than PER_DOCUMENT_S."""


@contextmanager
def _bounded_time() -> Iterator[None]:
    def stop(_signum: int, _frame: FrameType | None) -> None:
        raise Hang(f"no answer within {PER_DOCUMENT_S} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, PER_DOCUMENT_S)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@settings(
    max_examples=300,
    deadline=None,  # bounded by _bounded_time instead, which a loaded CI machine does not trip
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
@given(documents)
def test_the_loader_answers_every_document_with_a_value_or_a_positioned_error(text: str) -> None:
    with _bounded_time():
        try:
            doc = parse(text)
        except YamlError as exc:
            assert exc.line >= 1 and exc.col >= 1
            assert CANARY not in exc.message + exc.detail
        else:
            assert _json_exact(doc)
            json.dumps(doc, allow_nan=False)  # and JSON writes it (no recursion limit reached)
