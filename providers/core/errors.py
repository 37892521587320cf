"""Why a core resource failed during apply (plan-time mistakes are CheckFailures instead).

The exceptions derive from :class:`engine.errors.OpspecError`, the project's one root, so the
engine reports them as a failed resource with their message rather than as a bug. A command
runs as a job, so its failures are also :class:`engine.errors.JobError`::

    OpspecError
    └── CoreError
        ├── CommandRefusedError  a command was not started (untrusted spec, no working_dir)
        └── CommandFailedError   a command exited with a non-zero status (carries the status)
"""

from __future__ import annotations

from engine.errors import JobError, OpspecError

__all__ = ["CommandFailedError", "CommandRefusedError", "CoreError"]


class CoreError(OpspecError):
    """Root of the core family's apply-time failures."""


class CommandRefusedError(CoreError, JobError):
    """A command was not started: the spec is untrusted, or its working_dir is no folder."""


class CommandFailedError(CoreError, JobError):
    """A command exited with a non-zero status; ``stderr_tail`` is the end of its stderr."""

    def __init__(self, message: str, exit_code: int, stderr_tail: str) -> None:
        super().__init__(message)
        self.exit_code = exit_code
        self.stderr_tail = stderr_tail
