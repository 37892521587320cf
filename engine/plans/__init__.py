"""Plans: what apply will do to each resource, and why, decided before anything changes.

A plan is computed from the configuration and the prior state alone, calling only providers'
``check``, ``read`` and ``diff``, so what a reviewer reads is everything apply will do (a saved
plan is applied exactly as it was shown, or refused as stale). The steps, one module each:

- :mod:`engine.plans.config_graph` checks every reference statically and builds the graph of
  locals, resource blocks and outputs, reporting cycles
- :mod:`engine.plans.planner` walks that graph in dependency order (:class:`Planner`)
- :mod:`engine.plans.instance` plans one instance: refresh, check (:mod:`engine.plans.check`),
  diff (:mod:`engine.plans.diff`) and decide
- :mod:`engine.plans.action` the closed set of actions and reasons, and ``decide_action``,
  the one pure function that chooses an action
- :mod:`engine.plans.orphans` deletions of what state holds and the configuration does not
- :mod:`engine.plans.outputs` root outputs and how they change
- :mod:`engine.plans.change` resource and output changes and the plan itself
- :mod:`engine.plans.values` paths into nested values, masking and sensitivity trees
- :mod:`engine.plans.planfile` saves a plan; :mod:`engine.views` renders it (plans never
  import views)
"""
