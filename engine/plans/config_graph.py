"""The configuration graph: locals, resource blocks and outputs, with an edge per reference.

Built before anything is evaluated: every reference is checked statically (undeclared names,
attributes a type does not have), ``depends_on`` and ``replace_triggered_by`` add edges, and
cycles are reported with their full path, the same way every run.
"""

from __future__ import annotations

from typing import Any

from engine.addrs import parse_address
from engine.config.model import Config, Executor, ResourceBlock
from engine.config.validation import did_you_mean, pos_at
from engine.dag import Graph
from engine.diagnostics import Diagnostics, SourcePos, error
from engine.evaluation.references import check_refs
from engine.registry import Registry


class ConfigGraph:
    def __init__(self, config: Config, registry: Registry, diags: Diagnostics) -> None:
        self.config = config
        self.registry = registry
        self.diags = diags
        self.graph: Graph[str] = Graph()
        self.block_deps: dict[str, set[str]] = {}  # resource block -> resource blocks
        self.node_deps: dict[str, set[str]] = {}  # local/resource/output -> any node

    def build(self) -> None:
        cfg, reg = self.config, self.registry
        for name, local in cfg.locals.items():
            node = f"local.{name}"
            self.graph.add_node(node)
            refs = check_refs(node, local.value, cfg, reg, lambda p, lb=local: local_pos(lb, p))
            self._add_refs(node, refs.dependencies)
            self.diags.extend(refs.diagnostics)
        for addr, block in cfg.resources.items():
            self.graph.add_node(addr)
            self._check_block(block)
        for name, out in cfg.outputs.items():
            node = f"output.{name}"
            self.graph.add_node(node)
            refs = check_refs(node, out.spec.value, cfg, reg, lambda _p, o=out: o.value_pos)
            self._add_refs(node, refs.dependencies)
            self.diags.extend(refs.diagnostics)
        for cycle in self.graph.cycles():
            first = cycle[0]
            pos = self._pos_of_node(first)
            self.diags.append(
                error(
                    "dependency cycle: " + " -> ".join(cycle),
                    "\n".join(f"{n} declared at {self._node_pos(n)}" for n in cycle[:-1]),
                    pos,
                )
            )

    def _check_block(self, block: ResourceBlock) -> None:
        """Check one resource block and add its edges: references inside its arguments and
        ``for_each``, then ``depends_on`` and ``replace_triggered_by``."""
        addr = block.addr.block
        self._check_type(block)
        self._check_executor(block)
        deps = self._reference_deps(block) | self._explicit_deps(block)
        self.block_deps[addr] = {d for d in deps if not d.startswith("local.")}
        self._add_refs(addr, deps)

    def _check_type(self, block: ResourceBlock) -> None:
        if self.registry.get(block.addr.type) is not None:
            return
        self.diags.append(
            error(
                f"unknown resource type `{block.addr.type}`",
                "Known types: "
                + ", ".join(self.registry.names())
                + "."
                + did_you_mean(block.addr.type, self.registry.names()),
                block.pos,
                block.addr.block,
            )
        )

    def _check_executor(self, block: ResourceBlock) -> None:
        if block.executor is Executor.RAY:
            self.diags.append(
                error(
                    "executor `ray` is not available yet",
                    "Use `local` (default) or `pulumi`.",
                    block.meta_pos.get("executor", block.pos),
                    block.addr.block,
                )
            )

    def _reference_deps(self, block: ResourceBlock) -> set[str]:
        """The nodes the block's arguments and ``for_each`` refer to (each reference checked)."""
        addr = block.addr.block
        refs = check_refs(
            addr,
            block.body,
            self.config,
            self.registry,
            block.pos_of,
            allow_each=block.has_for_each,
            address=addr,
            sites=block.sites,
        )
        deps = set(refs.dependencies)
        self.diags.extend(refs.diagnostics)
        if block.has_for_each:
            fe = check_refs(
                addr,
                block.for_each,
                self.config,
                self.registry,
                lambda _p: block.meta_pos["for_each"],
                address=addr,
            )
            deps |= fe.dependencies
            self.diags.extend(fe.diagnostics)
        return deps

    def _explicit_deps(self, block: ResourceBlock) -> set[str]:
        """The blocks named by ``depends_on`` and ``lifecycle.replace_triggered_by``."""
        addr = block.addr.block
        lifecycle_pos = block.meta_pos.get("lifecycle", block.pos)
        deps: set[str] = set()
        for target, pos in [
            *block.depends_on,
            *[(t, lifecycle_pos) for t in block.lifecycle.replace_triggered_by],
        ]:
            try:
                dep = parse_address(target).block
            except ValueError as exc:
                self.diags.append(error(str(exc), "", pos, addr))
                continue
            if dep not in self.config.resources:
                self.diags.append(
                    error(
                        f"reference to undeclared resource `{dep}`",
                        did_you_mean(dep, self.config.resources).strip(),
                        pos,
                        addr,
                    )
                )
                continue
            deps.add(dep)
        return deps

    def _add_refs(self, node: str, deps: set[str]) -> None:
        self.node_deps[node] = set(deps)
        self.graph.add_edges([(dep, node) for dep in sorted(deps)])

    def _pos_of_node(self, node: str) -> SourcePos | None:
        if node in self.config.resources:
            return self.config.resources[node].pos
        if node.startswith("local."):
            return self.config.locals[node[6:]].pos
        if node.startswith("output."):
            return self.config.outputs[node[7:]].pos
        return None

    def _node_pos(self, node: str) -> str:
        return str(self._pos_of_node(node))


def local_pos(local: Any, path: tuple[str | int, ...]) -> SourcePos:
    return pos_at(local.pos.file, local.root, (local.name, *path))
