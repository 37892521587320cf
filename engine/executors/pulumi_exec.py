"""The ``pulumi`` executor: hands the planned graph to the Pulumi engine (Automation API).

It needs the ``pulumi`` CLI, which the Automation API drives; where the CLI is not installed
it refuses clearly instead of pretending to deploy.
"""

from __future__ import annotations

import shutil
from typing import TYPE_CHECKING

from engine.errors import OpspecError

if TYPE_CHECKING:
    from engine.apply.applier import ApplyResult
    from engine.plans.change import Plan
    from engine.plans.planner import Planner
    from engine.project import Project
    from engine.states.store import StateSnapshot


def require_pulumi() -> str:
    path = shutil.which("pulumi")
    if path is None:
        raise OpspecError(
            "the `pulumi` executor needs the Pulumi CLI (`pulumi` on PATH), which is not "
            "installed here; install it (https://www.pulumi.com/docs/install/) or apply with "
            "`--executor local`"
        )
    return path


def apply_with_pulumi(
    project: Project, plan: Plan, planner: Planner, prior: StateSnapshot
) -> ApplyResult:
    """Apply ``plan`` through the Pulumi engine (needs the CLI; refuses clearly without it)."""
    require_pulumi()
    raise OpspecError("the pulumi executor program is not built yet")
