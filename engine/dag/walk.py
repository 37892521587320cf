"""Walking a graph in dependency order with bounded parallelism and failure isolation.

A node starts as soon as all its dependencies are done; at most ``parallelism`` visits run at
once. A failed node's dependents (transitively) are skipped while independent branches go on.
Setting ``stop`` stops scheduling: running visits finish, the rest are cancelled.
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic

from engine.dag.graph import Graph, N


class NodeStatus(StrEnum):
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"  # a dependency failed or was skipped
    CANCELLED = "cancelled"  # never started because the walk was stopped


@dataclass
class WalkResult(Generic[N]):
    status: dict[N, NodeStatus] = field(default_factory=dict)
    errors: dict[N, BaseException] = field(default_factory=dict)

    def of(self, kind: NodeStatus) -> list[N]:
        return sorted(n for n, s in self.status.items() if s is kind)

    @property
    def ok(self) -> bool:
        return all(s is NodeStatus.DONE for s in self.status.values())


def walk(
    graph: Graph[N],
    visit: Callable[[N], None],
    *,
    parallelism: int = 4,
    stop: threading.Event | None = None,
) -> WalkResult[N]:
    g = graph.to_networkx()
    result: WalkResult[N] = WalkResult()
    remaining = {n: g.in_degree(n) for n in g.nodes}
    blocked: set[N] = set()
    ready: list[N] = [n for n, d in remaining.items() if d == 0]
    heapq.heapify(ready)
    running: dict[Future[None], N] = {}

    def release(node: N, ok: bool) -> None:
        # An explicit stack, not recursion: a failed head of a long chain skips thousands of
        # dependents, deeper than Python's recursion limit.
        pending = [(node, ok)]
        while pending:
            current, current_ok = pending.pop()
            for succ in g.successors(current):
                if not current_ok:
                    blocked.add(succ)
                remaining[succ] -= 1
                if remaining[succ] == 0:
                    if succ in blocked:
                        result.status[succ] = NodeStatus.SKIPPED
                        pending.append((succ, False))
                    else:
                        heapq.heappush(ready, succ)

    with ThreadPoolExecutor(max_workers=max(1, parallelism)) as pool:
        while ready or running:
            while ready and len(running) < parallelism and not (stop and stop.is_set()):
                node = heapq.heappop(ready)
                running[pool.submit(visit, node)] = node
            if not running:
                break
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in sorted(done, key=lambda f: running[f]):
                node = running.pop(fut)
                exc = fut.exception()
                if exc is None:
                    result.status[node] = NodeStatus.DONE
                    release(node, True)
                else:
                    result.status[node] = NodeStatus.FAILED
                    result.errors[node] = exc
                    release(node, False)
    for node in g.nodes:
        result.status.setdefault(node, NodeStatus.CANCELLED)
    return result
