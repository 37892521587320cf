"""Exceptions of the ML family, all under :class:`engine.errors.OpspecError`, the one root.

Apply-time failures reach the engine, which reports them as a failed resource with their
message rather than as a bug (a job's own failures, in its child process, come back as
:class:`engine.errors.JobError`). The plan-time ones carry the spec field at fault: the providers
turn them into check failures, so the user sees a diagnostic at that field's position::

    OpspecError
    └── MlError
        ├── SourceError           plan: a dataset's data cannot be found or read (``field``)
        ├── UserCodeError         plan: a ``module:function`` is not in the project
        ├── DataChangedError      apply: the data changed between plan and apply
        ├── MissingArtifactError  apply: an artifact an input names is not in the store
        └── GateFailedError       apply: an evaluation gate was not met (carries the values)
"""

from __future__ import annotations

from engine.errors import OpspecError

__all__ = [
    "DataChangedError",
    "GateFailedError",
    "MissingArtifactError",
    "MlError",
    "SourceError",
    "UserCodeError",
]


class MlError(OpspecError):
    """Root of the ML family's failures."""


class SourceError(MlError):
    """The data cannot be found or read; ``field`` names the spec field at fault."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


class UserCodeError(MlError):
    """A user's ``module:function`` cannot be found in the project."""


class DataChangedError(MlError):
    """The data's content differs from what the plan hashed: plan again."""


class MissingArtifactError(MlError):
    """An artifact named by the inputs (a snapshot, a model) is not in the store."""


class GateFailedError(MlError):
    """A metric did not meet its gate; nothing downstream may run."""

    def __init__(self, message: str, measured: dict[str, float]) -> None:
        super().__init__(message)
        self.measured = measured
