"""The ``pulumi`` executor: hands the planned graph to the Pulumi engine (Automation API).

It needs the ``pulumi`` CLI, which the Automation API drives; where the CLI is not installed
it refuses clearly instead of pretending to deploy.
"""

from __future__ import annotations

import shutil

from engine.errors import OpspecError


def require_pulumi() -> str:
    path = shutil.which("pulumi")
    if path is None:
        raise OpspecError(
            "the `pulumi` executor needs the Pulumi CLI (`pulumi` on PATH), which is not "
            "installed here; install it (https://www.pulumi.com/docs/install/) or apply with "
            "`--executor local`"
        )
    return path
