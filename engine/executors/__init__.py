"""Executors other than the embedded local one (which is :mod:`engine.apply`).

An executor takes a plan that was already reviewed and carries it out elsewhere; the plan, the
state it commits and the diagnostics stay the engine's. ``executor: ray`` is refused at plan
time until that executor exists.

The ``pulumi`` executor, one module per step:

- :mod:`.pulumi_exec` — the entry point (``apply_with_pulumi``) and the order of the steps;
- :mod:`.stack` — where the stack lives (file backend in ``.opspec/pulumi``), its secrets
  passphrase, and mapping the stack's resources back to opspec addresses;
- :mod:`.partition` — what Pulumi declares or deletes, what is done directly, what is refused;
- :mod:`.builder` and :mod:`.program` — the inline program built from the planned graph;
- :mod:`.evaluation` — the engine's evaluator, again, once upstream values are known (providers
  that register real Pulumi resources mix in :class:`engine.providers.native.PulumiNative`);
- :mod:`.recorder` and :mod:`.direct` — recording results in opspec state as they happen.
"""
