"""opspec engine: everything between a project's spec files and its providers.

It loads and validates ``*.ops.yaml`` files, resolves their dependency graph, plans changes
against state, checks policies and cost, applies the plan and shows what happened. It names no
provider family: resource types and family subcommands come through entry points, and every
provider talks to it through the SDK in :mod:`engine.providers`, so a new family is a package
under ``providers/`` that changes nothing here. One package per concept:

- ``engine.config``     reads ``*.ops.yaml`` files into configuration blocks with source positions
- ``engine.expr``       ``${...}`` templates evaluated in Jinja2's sandbox, with unknown values
- ``engine.evaluation`` variables, static reference checks, ``for_each`` and instance inputs
- ``engine.dag``        a generic dependency graph (networkx underneath) and its parallel walk
- ``engine.plans``      building a plan: the graph, actions, diffs, deletions; saved plans
- ``engine.policy``     advisory and mandatory checks over a plan, in CEL or Python
- ``engine.cost``       GPU cost estimates of a plan
- ``engine.views``      text, JSON, Markdown, graph and progress renderings of a plan
- ``engine.states``     the state store interface, its SQLite and in-memory stores, locking, secrets
- ``engine.apply``      the embedded executor: walking a plan through providers
- ``engine.executors``  the ``pulumi`` executor (Automation API)
- ``engine.jobs``       the child-process job runner used by providers for heavy work
- ``engine.providers``  the provider SDK: the contract, its context, the job cache, paths
- ``engine.cli``        the ``opspec`` command line

The modules at the top are what every package uses: addresses (:mod:`engine.addrs`), the
registry of types found through entry points, the project on disk, artifacts and hashes, the
placeholders shown for secrets and unknowns, and redaction. User mistakes are
:class:`engine.diagnostics.Diagnostic` values, collected and reported together; exceptions
derived from :class:`engine.errors.OpspecError` are for infrastructure failures.
"""

__version__ = "0.1.0"
