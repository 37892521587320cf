"""What a CEL expression reads, and that evaluating on the projection equals the full value."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.policy.cel import (
    PLAN_ROOTS,
    RESOURCE_ROOTS,
    CelEvalFailure,
    compile_expression,
    run,
    run_reference,
    to_cel,
)
from engine.policy.celpaths import Trie, project


def paths(trie: Trie, prefix: str = "") -> set[str]:
    if trie.full:
        return {prefix + "!"}
    out = {prefix} if not trie.children else set()
    for key, sub in trie.children.items():
        out |= paths(sub, f"{prefix}{key}.")
    return out


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("after.replicas <= 4", {"resource": {"change.after.replicas.!"}}),
        ('resource.type == "x" && has(before.a.b)',
         {"resource": {"type.!", "change.before.a.b.!"}}),
        ("size(after)", {"resource": {"change.after.!"}}),
        ("after.labels.size() > 0", {"resource": {"change.after.labels.!"}}),
        ('after["x"].y', {"resource": {"change.after.!"}}),
        ('resource.change.actions.exists(a, a == "delete")',
         {"resource": {"change.actions.*.!"}}),
        ("plan.resource_changes.filter(r, r.type == params.t).size() < 2",
         {"plan": {"resource_changes.*.type.!"}, "params": {"t.!"}}),
        ("plan.resource_changes.filter(r, r.type == 'a').map(r, r.address)",
         {"plan": {"resource_changes.*.type.!", "resource_changes.*.address.!"}}),
        ("plan.resource_changes.filter(r, r.type == 'a')[0].name == 'n'",
         {"plan": {"resource_changes.*.!"}}),
        ("[1, 2].exists(x, x > after.n)", {"resource": {"change.after.n.!"}}),
        ("after.items.exists(after, after.x)", {"resource": {"change.after.items.*.x.!"}}),
        (".after.x", {"resource": {"change.after.!"}}),
    ],
)  # fmt: skip
def test_access_paths(expression: str, expected: dict[str, set[str]]) -> None:
    program = compile_expression(expression, RESOURCE_ROOTS)
    assert {root: paths(t) for root, t in program.tries.items()} == expected


def test_projection_keeps_only_what_is_read() -> None:
    program = compile_expression('after.replicas > 1 && resource.type == "x"', RESOURCE_ROOTS)
    value = {"type": "x", "address": "x.a", "change": {"after": {"replicas": 2, "big": "z" * 99}}}
    assert project(value, program.tries["resource"]) == {
        "type": "x",
        "change": {"after": {"replicas": 2}},
    }


EXPRESSIONS = [
    "after.n > 2",
    "has(after.n) && after.n > 2",
    'after.tags.exists(t, t == "a")',
    'after.tags.filter(t, t != "b").size() == 1',
    "after.items.filter(i, has(i.k) && i.k > 1).map(i, i.v)",
    "after.items.filter(i, has(i.k)).size() >= 1",
    "after.items.all(i, has(i.v))",
    "after.items.filter(i, has(i.k))",
    "after.m.exists(k, after.m[k] == 1)",
    "size(after.m) + size(after.tags)",
    "after == before",
    "resource.change.before.n == after.n",
]

scalars = st.one_of(st.integers(-3, 3), st.sampled_from(["a", "b"]), st.booleans(), st.none())
items = st.fixed_dictionaries({}, optional={"k": st.integers(0, 3), "v": scalars})
values = st.fixed_dictionaries(
    {},
    optional={
        "n": st.one_of(st.integers(0, 5), st.none()),
        "tags": st.lists(st.sampled_from(["a", "b", "c"]), max_size=3),
        "items": st.lists(items, max_size=3),
        "m": st.dictionaries(st.sampled_from(["x", "y"]), st.integers(0, 2), max_size=2),
        "noise": scalars,
    },
)


def outcome(program: Any, activation: dict[str, Any]) -> Any:
    result = run(program, activation)
    return "error" if isinstance(result, CelEvalFailure) else result


def activation_for(resource: dict[str, Any]) -> dict[str, Any]:
    converted = to_cel(resource)
    change = dict.get(converted, "change")
    return {
        "resource": converted,
        "after": dict.get(change, "after") if change is not None else None,
        "before": dict.get(change, "before") if change is not None else None,
    }


COMPILED = [compile_expression(e, RESOURCE_ROOTS) for e in EXPRESSIONS]


@settings(max_examples=60, deadline=None)
@given(after=values, before=values)
def test_evaluating_the_projection_gives_the_same_result(
    after: dict[str, Any], before: dict[str, Any]
) -> None:
    resource = {"type": "t", "address": "t.a", "change": {"after": after, "before": before}}
    for program in COMPILED:
        full = outcome(program, activation_for(resource))
        projected = project(resource, program.tries.get("resource", Trie()))
        assert outcome(program, activation_for(projected)) == full, program.source


def test_plan_roots_do_not_expose_resource_variables() -> None:
    program = compile_expression("after.x", PLAN_ROOTS)
    assert program.tries == {}
    assert isinstance(run(program, {"plan": to_cel({})}), CelEvalFailure)


REFERENCE_EXPRESSIONS = [
    *EXPRESSIONS,
    ".after.n > 1",
    "type(after) == map",
    'int(after.n) + 1 == 3 && string(after.n) == "2"',
    "after.tags.map(t, t + t).exists_one(t, t == 'aa')",
    "after.items.filter(i, has(i.k)).map(i, i.k * 2).all(x, x >= 0)",
    "size(after.items) > 0 ? after.items[0] : null",
    "dyn(after).nope",
    "unknown_function(1)",
    "after.noise.startsWith('a')",
    "duration('1h') > duration('30m')",
]


REFERENCE_COMPILED = [compile_expression(e, RESOURCE_ROOTS) for e in REFERENCE_EXPRESSIONS]


@settings(max_examples=40, deadline=None)
@given(after=values, before=values)
def test_fast_evaluation_agrees_with_cel_pythons_runner(
    after: dict[str, Any], before: dict[str, Any]
) -> None:
    resource = {"type": "t", "change": {"after": after, "before": before}}
    activation = activation_for(resource)
    for program in REFERENCE_COMPILED:
        source = program.source
        fast, reference = run(program, activation), run_reference(program, activation)
        if isinstance(reference, CelEvalFailure):
            assert isinstance(fast, CelEvalFailure), source
        else:
            assert fast == reference and type(fast) is type(reference), source
