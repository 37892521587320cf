"""``opspec graph``: the dependency graph as DOT, Mermaid or JSON (stable order)."""

from __future__ import annotations

import json

from engine.dag import Graph


def _sorted_edges(graph: Graph[str]) -> list[tuple[str, str]]:
    return sorted(graph.edges)


def render_dot(graph: Graph[str]) -> str:
    lines = ["digraph opspec {", "  rankdir = LR;"]
    lines += [f"  {json.dumps(n)};" for n in sorted(graph.nodes)]
    lines += [f"  {json.dumps(a)} -> {json.dumps(b)};" for a, b in _sorted_edges(graph)]
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_mermaid(graph: Graph[str]) -> str:
    ids = {n: f"n{i}" for i, n in enumerate(sorted(graph.nodes))}
    lines = ["flowchart LR"]
    lines += [f'  {ids[n]}["{n.replace(chr(34), "#quot;")}"]' for n in sorted(graph.nodes)]
    lines += [f"  {ids[a]} --> {ids[b]}" for a, b in _sorted_edges(graph)]
    return "\n".join(lines) + "\n"


def render_json(graph: Graph[str]) -> str:
    doc = {
        "nodes": sorted(graph.nodes),
        "edges": [{"from": a, "to": b} for a, b in _sorted_edges(graph)],
    }
    return json.dumps(doc, indent=2) + "\n"
