"""Plans: what apply will do, and why.

- :mod:`engine.plans.action` the closed set of actions and reasons, and ``decide_action``,
  the one pure function that chooses an action
- :mod:`engine.plans.change` resource and output changes and the plan itself
- :mod:`engine.plans.diff` field-level diffs and the human reason of a change
- :mod:`engine.plans.planner` builds a plan from configuration and state
- :mod:`engine.plans.planfile` saves it; :mod:`engine.views` renders it
"""
