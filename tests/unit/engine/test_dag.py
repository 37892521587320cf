"""The generic graph: stable cycles, dependency-ordered parallel walk, failure isolation."""

from __future__ import annotations

import threading
import time

from engine.dag import Graph, NodeStatus, walk


def chain(*edges: tuple[str, str]) -> Graph:
    g = Graph()
    for a, b in edges:
        g.add_edge(a, b)
    return g


def test_cycles_are_reported_the_same_way_every_time() -> None:
    g = chain(("b", "c"), ("c", "a"), ("a", "b"), ("x", "x"), ("y", "z"))
    assert g.cycles() == [["a", "b", "c", "a"], ["x", "x"]]
    assert chain(("c", "a"), ("a", "b"), ("b", "c")).cycles() == [["a", "b", "c", "a"]]


def test_walk_respects_dependencies_and_parallelism() -> None:
    g = Graph()
    for i in range(8):
        g.add_edge("root", f"leaf{i}")
        g.add_edge(f"leaf{i}", "sink")
    order: list[str] = []
    running = 0
    peak = 0
    lock = threading.Lock()

    def visit(node: str) -> None:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
            order.append(node)
        time.sleep(0.02)
        with lock:
            running -= 1

    result = walk(g, visit, parallelism=3)
    assert result.ok
    assert order[0] == "root" and order[-1] == "sink"
    assert peak == 3


def test_failure_skips_dependents_only() -> None:
    g = chain(("a", "b"), ("b", "c"), ("a", "d"), ("x", "y"))

    def visit(node: str) -> None:
        if node == "b":
            raise RuntimeError("boom")

    result = walk(g, visit, parallelism=2)
    assert result.status["b"] is NodeStatus.FAILED
    assert result.status["c"] is NodeStatus.SKIPPED
    assert {n for n in "adxy"} == set(result.of(NodeStatus.DONE))
    assert str(result.errors["b"]) == "boom"


def test_stop_lets_running_finish_and_cancels_the_rest() -> None:
    g = chain(("a", "b"), ("b", "c"))
    stop = threading.Event()

    def visit(node: str) -> None:
        if node == "a":
            stop.set()

    result = walk(g, visit, parallelism=1, stop=stop)
    assert result.status == {
        "a": NodeStatus.DONE,
        "b": NodeStatus.CANCELLED,
        "c": NodeStatus.CANCELLED,
    }
