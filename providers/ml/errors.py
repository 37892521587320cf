"""Why an ML resource failed during apply (plan-time mistakes are CheckFailures instead).

The exceptions derive from :class:`engine.errors.OpspecError`, the project's one root, so the
engine reports them as a failed resource with their message rather than as a bug::

    OpspecError
    └── MlError
        ├── DataChangedError    the data changed between plan and apply
        ├── GateFailedError     an evaluation gate was not met (carries the measured values)
        └── RegistryError       the model registry refused or lost a registration
"""

from __future__ import annotations

from engine.errors import OpspecError

__all__ = ["DataChangedError", "GateFailedError", "MlError", "RegistryError"]


class MlError(OpspecError):
    """Root of the ML family's apply-time failures."""


class DataChangedError(MlError):
    """The data's content differs from what the plan hashed: plan again."""


class GateFailedError(MlError):
    """A metric did not meet its gate; nothing downstream may run."""

    def __init__(self, message: str, measured: dict[str, float]) -> None:
        super().__init__(message)
        self.measured = measured


class RegistryError(MlError):
    """The model registry could not be read or written."""
