"""The YAML loader refuses what a few hostile bytes can make of a document, at its position.

Each case is a reproduction from issue 11: a document that used to hang, eat memory, raise a
traceback, or load as a value that state and outputs cannot hold (or hold in a random order).
"""

from __future__ import annotations

import json
import time

import pytest

from engine.config import yamlpos
from engine.config.yamlpos import YamlError, YamlList, parse

# Generous for a loaded 2-core machine; without the bounds these take minutes or never end.
FAST_S = 5.0
MAX_NESTING = 100  # levels of mappings and lists, the top-level mapping included


def _timed_error(text: str) -> YamlError:
    start = time.monotonic()
    with pytest.raises(YamlError) as caught:
        parse(text)
    assert time.monotonic() - start < FAST_S
    return caught.value


def _billion_laughs(levels: int = 10, width: int = 9) -> str:
    lines = [f"a0: &a0 [{', '.join(['lol'] * width)}]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_of_a_few_hundred_bytes_is_refused_at_once() -> None:
    text = _billion_laughs()
    assert len(text) < 800
    error = _timed_error(text)
    assert "aliases expand the document past 200,000 nodes" in error.message
    assert error.line > 1  # the anchor whose copies crossed the bound


def test_merge_keys_of_merge_keys_are_bounded_too() -> None:
    lines = ["m0: &m0 {k0: 1}"]
    for i in range(1, 12):
        lines.append(f"m{i}: &m{i} {{<<: [{', '.join([f'*m{i - 1}'] * 9)}], k{i}: 1}}")
    assert "aliases expand" in _timed_error("\n".join(lines)).message


def test_aliases_within_the_bound_still_load() -> None:
    text = "base: &b {x: 1}\n" + "".join(f"r{i}: {{<<: *b, n: {i}}}\n" for i in range(500))
    doc = parse(text)
    assert doc["r499"] == {"x": 1, "n": 499}


@pytest.mark.parametrize("anchored", [False, True], ids=["fast path", "full path"])
def test_a_hundred_thousand_brackets_are_refused_at_the_first_level_too_deep(
    anchored: bool,
) -> None:
    inner = "&x 1" if anchored else "1"
    error = _timed_error("a: " + "[" * 100_000 + inner + "]" * 100_000)
    assert "nests deeper than 100 levels" in error.message
    assert (error.line, error.col) == (1, 3 + MAX_NESTING)


def test_nesting_through_aliases_counts_as_nesting() -> None:
    lines = ["l0: &l0 [1]"] + [f"l{i}: &l{i} [*l{i - 1}]" for i in range(1, MAX_NESTING + 1)]
    assert "nests deeper" in _timed_error("\n".join(lines)).message


def test_the_deepest_allowed_document_loads() -> None:
    depth = MAX_NESTING - 1  # under the top-level mapping
    doc = parse("a: " + "[" * depth + "1" + "]" * depth)
    assert json.loads(json.dumps(doc)) == doc


def test_a_self_referencing_alias_is_an_error() -> None:
    assert "refers to a node that contains it" in _timed_error("a: &a [1, *a]\n").message


@pytest.mark.parametrize(
    "number", ["9" * 4301, "-" + "9" * 5000, "0x" + "f" * 5000, "9223372036854775808"]
)
def test_integers_past_64_bits_are_refused_without_quoting_them(number: str) -> None:
    error = _timed_error(f"variables:\n  pin: {{default: {number}}}\n")
    assert "is not an integer of 64 bits" in error.message and (error.line, error.col) == (2, 18)
    assert number[-30:] not in error.message + error.detail  # the value may be a secret


def test_integers_up_to_64_bits_load_on_both_paths() -> None:
    doc = parse("a: 9223372036854775807\nb: -9223372036854775808\nc: 123456789012345678\n")
    assert doc == {"a": 2**63 - 1, "b": -(2**63), "c": 123456789012345678}
    assert parse("x: &x 1\na: 9223372036854775807\n")["a"] == 2**63 - 1


@pytest.mark.parametrize("number", [".nan", ".NaN", ".inf", "-.inf", "1.0e+400"])
def test_numbers_json_cannot_hold_are_refused(number: str) -> None:
    error = _timed_error(f"a: {number}\n")
    assert "not a finite number" in error.message and (error.line, error.col) == (1, 4)


def test_a_set_is_a_list_in_the_order_written() -> None:
    members = [f"m{i}" for i in range(40)]
    doc = parse("s: !!set {" + ", ".join(reversed(members)) + "}\n")
    assert isinstance(doc["s"], YamlList)
    assert doc["s"] == list(reversed(members))
    assert doc["s"].item_pos[0] == (1, 11)


def test_timestamps_stay_the_text_written() -> None:
    doc = parse("d: 2024-05-01\nt: 2024-05-01T06:00:00Z\n")
    assert doc == {"d": "2024-05-01", "t": "2024-05-01T06:00:00Z"}
    fast, slow = yamlpos._fast("d: 2024-05-01\n"), yamlpos._slow("d: 2024-05-01\n")
    assert fast == slow == {"d": "2024-05-01"}


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("b: !!binary aGVsbG8=\n", "!!binary"),
        ("o: !!omap [{x: 1}]\n", "!!omap"),
        ("p: !!pairs [{x: 1}]\n", "!!pairs"),
    ],
)
def test_tags_without_a_json_form_are_refused(text: str, tag: str) -> None:
    error = _timed_error(text)
    assert error.message == f"the tag {tag} is not supported"
    assert (error.line, error.col) == (1, 4)


def test_a_raw_control_character_is_reported_where_it_is() -> None:
    error = _timed_error("a: b\nc: dé\x07f\n")
    assert "#x0007" in error.message
    assert (error.line, error.col) == (2, 6)
