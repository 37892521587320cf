"""Why an LLM resource or job failed (plan-time mistakes are CheckFailures instead).

The exceptions derive from :class:`engine.errors.OpspecError`, the project's one root, so the
engine reports them as a failed resource with their message rather than as a bug. The two
about unusable input also derive from ``ValueError``, what callers of their functions caught
before the family had its own errors::

    OpspecError
    └── LlmError
        ├── SourceError              a model or text source cannot be used (path, GGUF header)
        ├── TextError (ValueError)   text that yields no documents, no JSON record or too few tokens
        ├── SmoothingError (ValueError)  SmoothQuant cannot apply (architecture, calibration)
        ├── ArtifactMissingError     a model artifact is not in the store
        ├── ArtifactFormatError      an artifact of the wrong or an unknown format for the step
        ├── DeviceUnavailableError   the requested device is not on this host
        ├── DeviceUnsupportedError   the artifact's format cannot run on the requested device
        ├── NonFiniteLogitsError     a built or compressed model computes NaN or infinity
        ├── MeasurementError         measuring a benchmark variant failed in its process
        └── GateFailedError          a benchmark gate did not hold (carries the outputs)
"""

from __future__ import annotations

from typing import Any

from engine.errors import OpspecError

__all__ = [
    "ArtifactFormatError",
    "ArtifactMissingError",
    "DeviceUnavailableError",
    "DeviceUnsupportedError",
    "GateFailedError",
    "LlmError",
    "MeasurementError",
    "NonFiniteLogitsError",
    "SmoothingError",
    "SourceError",
    "TextError",
]


class LlmError(OpspecError):
    """Root of the LLM family's failures."""


class SourceError(LlmError):
    """A source that cannot be used; the message is meant for the user."""


class TextError(LlmError, ValueError):
    """Text that cannot be used: no documents, a line that is no JSON record, too few tokens."""


class SmoothingError(LlmError, ValueError):
    """SmoothQuant cannot apply: an architecture it does not fold into, or no calibration."""


class ArtifactMissingError(LlmError):
    """A model artifact a step reads is not in the store (deleted, or another store)."""


class ArtifactFormatError(LlmError):
    """An artifact of a format the step cannot take (a quantized model to fine-tune) or of
    a format no loader knows."""


class DeviceUnavailableError(LlmError):
    """The requested device is not on this host (``cuda`` where torch sees no GPU)."""


class DeviceUnsupportedError(LlmError):
    """The artifact's format cannot run on the requested device (it can on the CPU)."""


class NonFiniteLogitsError(LlmError):
    """A model computes NaN or infinite logits in the check run before it is stored."""


class MeasurementError(LlmError):
    """Measuring a benchmark variant failed, or its process died (out of memory?)."""


class GateFailedError(LlmError):
    """A benchmark gate did not hold; the message carries the measured values.

    ``outputs`` holds everything that was measured (and the stored report), for callers that
    want to show the table of a failed run.
    """

    def __init__(self, message: str, outputs: dict[str, Any]) -> None:
        super().__init__(message)
        self.outputs = outputs
