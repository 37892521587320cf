"""Projects the pulumi executor's tests plan and apply (shared by several test modules)."""

from __future__ import annotations

from collections.abc import Callable

from engine.plans.change import Plan
from engine.plans.planner import Planner

CORE_PROJECT = """
variables:
  greeting: {type: string, default: hello}
locals:
  message: "${var.greeting} from ${null.seed.id}"
resources:
  null.seed:
    triggers: {v: 1}
  file.note:
    path: out/note.txt
    content: "${local.message}"
  command.echo:
    create: "echo ${file.note.sha256}"
    depends_on: [null.seed]
outputs:
  note_sha: {value: "${file.note.sha256}"}
"""

PlanFor = Callable[..., tuple[Plan, Planner]]
