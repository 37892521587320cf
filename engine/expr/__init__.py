"""Expressions: ``${...}`` templates inside spec strings, evaluated in Jinja2's sandbox.

A string is parsed into a :class:`~engine.expr.template.Template` of literal parts and expression
parts. Each expression's references (``var.x``, ``local.y``, ``each.key``, ``TYPE.NAME.attr``)
are extracted statically to build the dependency graph; evaluation then runs the expression in a
``jinja2.sandbox.ImmutableSandboxedEnvironment`` under the bounds of :mod:`engine.expr.limits`
(see :mod:`engine.expr.sandbox`), or through a fast path for plain references.
A value known only after apply is :data:`~engine.expr.unknown.UNKNOWN`; any expression that
reads one is itself unknown.
"""
