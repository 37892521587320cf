"""YAML with positions: the event-built fast path gives exactly what the full path gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from engine.config import yamlpos
from engine.config.yamlpos import YamlError, YamlList, YamlMap, parse

ROOT = Path(__file__).resolve().parents[3]


def _shape(value: Any) -> Any:
    """Everything parse() keeps, positions included, as plain comparable data."""
    if isinstance(value, YamlMap):
        return (
            "map",
            value.pos,
            [
                (k, type(k).__name__, value.key_pos[k], value.value_pos[k], _shape(v))
                for k, v in value.items()
            ],
        )
    if isinstance(value, YamlList):
        return ("list", value.pos, list(value.item_pos), [_shape(v) for v in value])
    return (type(value).__name__, value)


def _both(text: str) -> tuple[Any, Any]:
    fast = yamlpos._fast(text)
    return fast, yamlpos._slow(text)


def _repo_yaml() -> list[Path]:
    found = [
        p
        for pattern in ("examples/**/*.yaml", "tests/fixtures/**/*.yaml")
        for p in ROOT.glob(pattern)
    ]
    return sorted(found)


def test_the_corpus_is_not_empty() -> None:
    assert len(_repo_yaml()) > 20


@pytest.mark.parametrize("path", _repo_yaml(), ids=lambda p: str(p.relative_to(ROOT)))
def test_fast_path_matches_full_path_on_every_spec_in_the_repo(path: Path) -> None:
    text = path.read_text()
    try:
        slow = yamlpos._slow(text)
    except Exception as slow_exc:  # bad-input fixtures fail on both paths
        with pytest.raises(type(slow_exc)):
            fast = yamlpos._fast(text)
            if fast is yamlpos._FALLBACK:
                yamlpos._slow(text)
        return
    fast = yamlpos._fast(text)
    if fast is not yamlpos._FALLBACK:
        assert _shape(fast) == _shape(slow)


SCALARS = """\
a: 1
b: 0
c: 017
d: 0x1F
e: 1_000
f: -3
g: 1.5
h: -1.5e3
i: true
j: no
k: ~
l:
m: "1"
n: '2'
o: 2024-01-02
q: |
  block
r: >-
  folded
s: "${null.a.id}"
t: [1, "x", {u: v}]
1: int key
null: null key
"""


def test_scalars_resolve_as_pyyaml_does() -> None:
    fast, slow = _both(SCALARS)
    assert fast is not yamlpos._FALLBACK
    assert _shape(fast) == _shape(slow)
    assert fast["c"] == 15  # YAML 1.1 octal


@pytest.mark.parametrize(
    "text",
    [
        "base: &b {x: 1}\nother: *b\n",
        "base: &b {x: 1}\nmerged:\n  <<: *b\n  y: 2\n",
        "merged:\n  <<: {x: 1}\n  y: 2\n",
        "a: !!str 1\n",
        "a: ! 7\n",
        "? [complex, key]\n: value\n",
        "a: 1\n---\nb: 2\n",
    ],
)
def test_anything_unusual_takes_the_full_path(text: str) -> None:
    assert yamlpos._fast(text) is yamlpos._FALLBACK


def test_parse_still_answers_for_unusual_documents() -> None:
    doc = parse("base: &b {x: 1}\nmerged:\n  <<: *b\n  y: 2\n")
    assert doc["merged"] == {"x": 1, "y": 2}
    with pytest.raises(YamlError, match="mapping keys must be scalars"):
        parse("? [complex, key]\n: value\n")
    with pytest.raises(YamlError, match="another document"):
        parse("a: 1\n---\nb: 2\n")


def test_duplicate_keys_name_both_lines_on_either_path() -> None:
    with pytest.raises(YamlError) as fast:
        parse("a:\n  x: 1\n  y: 2\n  x: 3\n")
    assert (fast.value.line, fast.value.col) == (4, 3)
    assert fast.value.detail == "first defined at line 2"
    with pytest.raises(YamlError) as slow:
        parse("base: &b 1\na:\n  x: 1\n  x: *b\n")
    assert (slow.value.line, slow.value.col) == (4, 3)


@pytest.mark.parametrize(
    ("text", "merged"),
    [
        ("b: &b {x: 1, y: 1}\nr: {<<: *b, x: 2}\n", {"x": 2, "y": 1}),
        ("b: &b {x: 1}\nr:\n  <<: *b\n  x: 2\n", {"x": 2}),
        ("b: &b {x: 1}\nr: {x: 2, <<: *b}\n", {"x": 2}),
        ("b: &b {x: 1}\nc: &c {x: 3}\nr: {<<: [*b, *c], z: 2}\n", {"x": 1, "z": 2}),
        ("w: &w {k: 0}\nb: &b {<<: *w, k: 1}\nr: {<<: *b, k: 2}\n", {"k": 2}),
        (
            "w: &w {k: 0, j: 0}\nr: {m: &b {<<: *w, k: 1}, <<: *b}\n",
            {"m": {"k": 1, "j": 0}, "k": 1, "j": 0},
        ),
    ],
)
def test_a_merged_key_may_be_overridden_by_the_mapping_itself(
    text: str, merged: dict[str, object]
) -> None:
    """YAML's merge key: the mapping's own keys win over merged ones, the first source listed
    wins over later ones; none of that is a duplicate (a merged mapping that merges in turn
    included, which PyYAML rewrites in place before it is built)."""
    assert parse(text)["r"] == merged


def test_an_own_key_written_twice_beside_a_merge_is_a_duplicate() -> None:
    with pytest.raises(YamlError, match="duplicate key 'x'") as caught:
        parse("b: &b {x: 1}\nr: {x: 2, <<: *b, x: 3}\n")
    assert (caught.value.line, caught.value.col) == (2, 19)
    assert caught.value.detail == "first defined at line 2"


def test_empty_documents() -> None:
    assert parse("") is None
    assert parse("# only a comment\n") is None
    assert parse("just a string") == "just a string"
