"""Unknown values become placeholders of the type the spec declares."""

from __future__ import annotations

from engine.expr.unknown import UNKNOWN
from providers.infra.placeholders import PLACEHOLDER, fill_unknowns, placeholder_for
from specs.infra import LlmServiceSpec, PoolPlacement


def test_placeholders_follow_the_declared_types() -> None:
    filled, unknown = fill_unknowns(
        LlmServiceSpec,
        {
            "pool": {"kind": "kubernetes", "name": "p", "namespace": UNKNOWN, "gpus_per_node": 2},
            "model": UNKNOWN,
            "port": UNKNOWN,
            "replicas": UNKNOWN,
            "args": ["--x", UNKNOWN],
            "resources": UNKNOWN,
            "autoscaling": {"max_replicas": UNKNOWN},
        },
    )
    assert filled["model"] == PLACEHOLDER
    assert filled["port"] == 1 and filled["replicas"] == 1
    assert filled["pool"]["namespace"] == PLACEHOLDER
    assert filled["args"] == ["--x", PLACEHOLDER]
    assert filled["resources"] == {}
    assert filled["autoscaling"] == {"max_replicas": 1}
    assert unknown == {
        "pool.namespace",
        "model",
        "port",
        "replicas",
        "args.1",
        "resources",
        "autoscaling.max_replicas",
    }
    LlmServiceSpec.model_validate(filled)  # placeholders validate


def test_a_whole_unknown_block_gets_its_required_fields() -> None:
    assert placeholder_for(PoolPlacement) == {"kind": "kubernetes", "name": PLACEHOLDER}
    assert placeholder_for(bool) is False
    assert placeholder_for(float) == 1.0
    assert placeholder_for(dict[str, str]) == {}


def test_known_values_are_left_alone() -> None:
    data = {"model": "m", "pool": {"kind": "local", "name": "here"}, "args": ["a"]}
    assert fill_unknowns(LlmServiceSpec, data) == (data, set())
