"""``opspec graph`` prints the same bytes on every run, whatever the hash seed or the order in
which resources are declared."""

from __future__ import annotations

import json

import pytest
from cli_harness import CliProject, isolated_env

BLOCKS = {
    "null.root": "null.root: {}",
    "null.fan": 'null.fan:\n    for_each: [a, b]\n    triggers: {r: "${null.root.id}"}',
    "file.report": "file.report:\n    path: out/report.txt\n"
    "    content: \"${local.prefix} ${null.fan['a'].id}\"",
    "command.notify": "command.notify:\n    create: echo done\n    depends_on: [file.report]",
}
HEAD = 'locals:\n  prefix: "p-${null.root.id}"\noutputs:\n  sha: {value: "${file.report.sha256}"}\n'


def _spec(order: list[str]) -> str:
    return HEAD + "resources:\n" + "".join(f"  {BLOCKS[name]}\n" for name in order)


@pytest.mark.parametrize("fmt", ["dot", "mermaid", "json"])
def test_graph_output_is_stable(cli: CliProject, fmt: str) -> None:
    cli.write(_spec(list(BLOCKS)))
    first = cli.run("graph", "--format", fmt, env={"PYTHONHASHSEED": "1"}).stdout

    other = CliProject(cli.root.parent / "reordered", isolated_env(cli.root.parent))
    other.write(_spec(list(reversed(BLOCKS))))
    second = other.run("graph", "--format", fmt, env={"PYTHONHASHSEED": "2"}).stdout
    assert first == second

    for node in [*BLOCKS, "local.prefix", "output.sha"]:
        assert node in first
    if fmt == "json":
        graph = json.loads(first)
        edges = {(e["from"], e["to"]) for e in graph["edges"]}
        assert {
            ("null.root", "null.fan"),
            ("null.root", "local.prefix"),
            ("local.prefix", "file.report"),
            ("null.fan", "file.report"),
            ("file.report", "command.notify"),
            ("file.report", "output.sha"),
        } == edges
