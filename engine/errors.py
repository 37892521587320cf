"""Exceptions of the engine, for infrastructure failures and bugs (user mistakes are diagnostics).

The hierarchy::

    OpspecError
    ├── DiagnosticsError      a run stopped on error diagnostics (carries them)
    ├── StateError            the state store could not be read or written
    │   ├── StateLockedError  another writer holds the lock
    │   └── StaleStateError   a write was refused because the state moved on
    ├── PlanFileError         a saved plan cannot be applied (unreadable, stale)
    ├── PlanAttributeError    a provider cannot compute an input's plan-time attributes
    └── JobError              a job in a child process failed, timed out or was cancelled
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.diagnostics import Diagnostics


class OpspecError(Exception):
    """Root of every exception the engine raises on purpose."""


class DiagnosticsError(OpspecError):
    """A run stopped because error diagnostics were collected."""

    def __init__(self, diagnostics: Diagnostics) -> None:
        super().__init__(f"{len(diagnostics.errors)} error(s)")
        self.diagnostics = diagnostics


class StateError(OpspecError):
    """The state store could not be read or written."""


class StateLockedError(StateError):
    """Another writer holds the state lock."""


class StaleStateError(StateError):
    """A write was refused because the state is not the one it was based on."""


class PlanFileError(OpspecError):
    """A saved plan file cannot be applied."""


class JobError(OpspecError):
    """A job in a child process failed, timed out or was cancelled."""


class PlanAttributeError(OpspecError):
    """An input that validates but whose plan-time attributes cannot be computed (a file that
    is not there); ``field`` is the input at fault, so the diagnostic points at its position."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
