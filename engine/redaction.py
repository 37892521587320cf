"""The secret values of this run, and taking them out of any text shown or logged.

Masking by path (:func:`engine.plans.values.mask_sensitive`) covers the places where the engine
knows a secret sits: plan fields, state records, outputs. Free text is different: a provider's
message quoting the value it rejects, a traceback, a job's log line can hold a secret anywhere.
So every sensitive value the engine evaluates (sensitive variables, sensitive attributes of
resources, sensitive locals) is remembered here, and :func:`redact` replaces each occurrence of
one in a text with ``(sensitive)``, like the masking of secrets in CI logs. The command line
writes its stdout and stderr through :class:`RedactingStream`; the job runner redacts each
line of a job's log before it reaches the disk.

Values shorter than :data:`MIN_LENGTH` characters are not remembered: masking every ``1`` or
``dev`` would garble the output and hide nothing worth hiding. The structural masking above
still covers them.
"""

from __future__ import annotations

import json
import re
import threading
from typing import IO, Any

from engine.expr.unknown import is_unknown
from engine.placeholders import SENSITIVE

__all__ = ["MIN_LENGTH", "RedactingStream", "redact", "remember", "remembered"]

MIN_LENGTH = 4

_lock = threading.Lock()
_secrets: set[str] = set()
_pattern: re.Pattern[str] | None = None


def _texts(value: Any) -> list[str]:
    """The strings a secret value can show up as: its leaves, as written and JSON-escaped."""
    if isinstance(value, bool) or value is None:
        return []
    if isinstance(value, str):
        if is_unknown(value):
            return []  # a placeholder for a value known after apply, not a secret
        escaped = json.dumps(value, ensure_ascii=False)[1:-1]
        return [value] if escaped == value else [value, escaped]
    if isinstance(value, int | float):
        return [str(value)]
    if isinstance(value, dict):
        out = []
        for k, v in value.items():
            out.extend(_texts(k))
            out.extend(_texts(v))
        return out
    if isinstance(value, list | tuple):
        return [t for v in value for t in _texts(v)]
    return []


def remember(value: Any) -> None:
    """Add the texts of a sensitive ``value`` (any JSON value, nested included)."""
    global _pattern
    new = {t for t in _texts(value) if len(t) >= MIN_LENGTH and t != SENSITIVE}
    with _lock:
        if new - _secrets:
            _secrets.update(new)
            _pattern = None


def remembered() -> frozenset[str]:
    with _lock:
        return frozenset(_secrets)


def _compiled() -> re.Pattern[str] | None:
    global _pattern
    with _lock:
        if _pattern is None and _secrets:
            # Longest first, so a secret that contains another is masked whole.
            ordered = sorted(_secrets, key=lambda s: (-len(s), s))
            _pattern = re.compile("|".join(re.escape(s) for s in ordered))
        return _pattern


def redact(text: str) -> str:
    """``text`` with every remembered secret replaced by ``(sensitive)``."""
    pattern = _compiled()
    if pattern is None or not text:
        return text
    return pattern.sub(SENSITIVE, text)


class RedactingStream:
    """A text stream that redacts what is written before passing it on.

    ``print`` writes each of its arguments in one call, so a secret is never split between
    two writes of the engine's own output.
    """

    def __init__(self, inner: IO[str]) -> None:
        self._inner = inner

    def write(self, text: str) -> int:
        self._inner.write(redact(text))
        return len(text)

    def writelines(self, lines: list[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self._inner.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)
