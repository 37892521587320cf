"""A generic dependency graph and its parallel walk; it knows nothing about specs or providers.

Nodes are any hashable, ordered values (addresses as strings, or typed nodes such as the
apply walk's); the order makes cycle reports and the walk's choice among ready nodes stable.
An edge ``a -> b`` means ``b`` depends on ``a`` (``a`` comes first).
networkx does the graph work underneath.
"""

from engine.dag.graph import Graph
from engine.dag.walk import NodeStatus, WalkResult, walk

__all__ = ["Graph", "NodeStatus", "WalkResult", "walk"]
