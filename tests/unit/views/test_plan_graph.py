"""The dependency view over a plan's resource changes."""

from __future__ import annotations

from typing import Any

from engine.views.plan_graph import PlanGraph


def node(address: str, *deps: str) -> dict[str, Any]:
    type_, name = address.split("[", 1)[0].split(".", 1)
    return {"address": address, "type": type_, "name": name, "dependencies": list(deps),
            "change": {"actions": ["create"], "after": {}}}  # fmt: skip


def graph(*nodes: dict[str, Any]) -> PlanGraph:
    return PlanGraph({"resource_changes": list(nodes)})


def test_upstream_is_transitive_and_per_block() -> None:
    g = graph(
        node("dataset.d"),
        node('training_job.t["a"]', "dataset.d"),
        node('training_job.t["b"]', "dataset.d"),
        node("evaluation.e", "training_job.t"),
        node("model.m", "evaluation.e"),
    )
    assert g.upstream_of_types("model.m", {"dataset", "evaluation"}) == {
        "dataset.d",
        "evaluation.e",
    }
    assert g.upstream_of_types("dataset.d", {"dataset"}) == frozenset()
    assert len(g.instances["training_job.t"]) == 2


def test_nearest_upstream_prefers_the_closest() -> None:
    g = graph(
        node("gpu_pool.far"),
        node("gpu_pool.near"),
        node("compression.c", "gpu_pool.far"),
        node("llm_service.s", "compression.c", "gpu_pool.near"),
    )
    assert g.nearest_upstream("llm_service.s", "gpu_pool") == "gpu_pool.near"
    assert g.nearest_upstream("compression.c", "gpu_pool") == "gpu_pool.far"
    assert g.nearest_upstream("gpu_pool.far", "gpu_pool") is None


def test_cycles_and_long_chains_do_not_break_the_walk() -> None:
    g = graph(node("null.a", "null.b"), node("null.b", "null.a"), node("model.m", "null.a"))
    assert g.upstream_of_types("model.m", {"null"}) >= {"null.a"}
    chain = [node("dataset.d"), node("null.n0", "dataset.d")]
    chain += [node(f"null.n{i}", f"null.n{i - 1}") for i in range(1, 5000)]
    long = graph(*chain, node("model.m", "null.n4999"))  # deeper than Python's recursion limit
    assert long.upstream_of_types("model.m", {"dataset"}) == {"dataset.d"}
