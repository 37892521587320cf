"""Apply: walking a plan through providers, committing state after every resource.

The walk runs in dependency order with at most ``parallelism`` provider calls at once
(:mod:`engine.dag.walk`). Each resource's inputs are evaluated again once its dependencies hold
their final values, checked, and handed to its provider; the result is committed to state in its
own transaction straight away, so a crash loses no finished work. A failed resource skips its
dependents; independent branches finish. The graph walked is :mod:`engine.apply.graph`'s: typed
nodes for instances, locals and one barrier per resource block, deletions in reverse order.
"""
