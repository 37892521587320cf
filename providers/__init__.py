"""Providers: one module (or small package) per family of resource types.

Every provider class subclasses :class:`providers.base.Provider`, itself a
``pulumi.dynamic.ResourceProvider``, and returns Pulumi's result types, so the same class runs
under opspec's local executor and under the Pulumi engine. Types are registered through the
``opspec.providers`` entry-point group: the engine imports no provider by name.

The contract, as Pulumi states it for dynamic providers:

- ``check(olds, news) -> CheckResult``: validate and normalise inputs; never mutates anything.
- ``diff(id, olds, news) -> DiffResult``: ``olds`` are the stored outputs (inputs included).
- ``create(props) -> CreateResult``: all-or-nothing; on failure nothing is left behind.
- ``read(id, props) -> ReadResult``: the live state; read-only (drift shows as changed outputs).
- ``update(id, olds, news) -> UpdateResult``.
- ``delete(id, props)``: idempotent; a failed delete means the resource still exists.

Providers hold no live clients between calls and tolerate integral floats (Pulumi's wire format
turns ints into floats).
"""
