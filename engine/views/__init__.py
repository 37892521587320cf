"""Renderings of a plan: what people and other programs are shown, and nothing else.

A plan is built once (:class:`engine.plans.change.Plan`, whose JSON document is the shape of
``terraform show -json``) and shown in several ways: the text plan a terminal prints, the JSON
document, the Markdown pull-request comment, the dependency graph, and the progress of an apply.
They live together so that what every one of them must get right is decided in one place:
escaping text that came from a spec before it reaches a terminal, a CI log or a comment, and
the policy and cost sections, which the text plan and the comment both show. The words shown
for a secret or a value known only after apply are :mod:`engine.placeholders`', which the plan
itself uses too.

- :mod:`engine.views.display`        terminal-safe text (and the placeholders, re-exported)
- :mod:`engine.views.text`           the text plan (``opspec plan``, ``show PLANFILE``)
- :mod:`engine.views.plan_json`      the JSON plan (``--format json``, ``show --json``)
- :mod:`engine.views.markdown`       the pull-request comment, with
  :mod:`engine.views.markdown_diff` (per-resource diffs) and :mod:`engine.views.markup`
- :mod:`engine.views.policy_section`, :mod:`engine.views.cost_section`  shared by text and comment
- :mod:`engine.views.outputs`        root outputs (``opspec output``)
- :mod:`engine.views.graph`          ``opspec graph`` as DOT, Mermaid or JSON
- :mod:`engine.views.progress`       the live progress of an apply
- :mod:`engine.views.plan_graph`     the read-only dependency view over a plan JSON document
  that cost estimates and policies ask their questions of

Views depend on plans, never the other way round (a test walks the imports of
``engine/plans``); apply reports to the progress display.
"""
