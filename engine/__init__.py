"""opspec engine: loading, expressions, graph, plan, state, apply, policy, rendering and CLI.

The engine is organised by concept, one package each:

- ``engine.config``   reads ``*.ops.yaml`` files into configuration blocks with source positions
- ``engine.expr``     ``${...}`` templates evaluated in Jinja2's sandbox, with unknown values
- ``engine.dag``      a generic dependency graph (networkx underneath) and its parallel walk
- ``engine.plans``    deciding actions, building and saving plans
- ``engine.views``    text, JSON, Markdown, graph and progress renderings of a plan
- ``engine.states``   the state store interface, its SQLite and in-memory stores, locking, secrets
- ``engine.apply``    walking a plan through providers
- ``engine.jobs``     the child-process job runner used by providers for heavy work
- ``engine.cli``      the ``opspec`` command line

User mistakes are :class:`engine.diagnostics.Diagnostic` values, collected and reported together;
exceptions derived from :class:`engine.errors.OpspecError` are for infrastructure failures.
"""

__version__ = "0.1.0"
