"""Providers: one package per family of resource types (core, ml, llm, monitor, infra).

Every provider class subclasses :class:`engine.providers.Provider`, itself a
``pulumi.dynamic.ResourceProvider``, and returns Pulumi's result types, so the same class runs
under opspec's local executor and under the Pulumi engine. The contract and its helpers are the
engine's (:mod:`engine.providers`, where the promises every provider keeps are written down);
this package holds only implementations. Types are registered through the ``opspec.providers``
entry-point group and family subcommands through ``opspec.commands``: the engine imports no
provider by name.
"""
