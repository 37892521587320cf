"""Redaction of remembered secret values from free text (diagnostics, logs, tracebacks)."""

from __future__ import annotations

import io

from engine import redaction
from engine.expr.unknown import UNKNOWN


def test_remembered_values_are_masked_wherever_they_occur() -> None:
    redaction.remember({"token": "redact-me-7f3a", "nested": ["redact-me-7f3a-longer", 98765]})
    text = "got 'redact-me-7f3a-longer' and redact-me-7f3a, pin 98765"
    assert redaction.redact(text) == "got '(sensitive)' and (sensitive), pin (sensitive)"


def test_json_escaped_forms_are_masked_too() -> None:
    redaction.remember('quote"d-secret-91b2')
    assert redaction.redact('{"v": "quote\\"d-secret-91b2"}') == '{"v": "(sensitive)"}'


def test_short_values_booleans_and_unknowns_are_not_remembered() -> None:
    redaction.remember(["abc", True, None, UNKNOWN])
    assert {"abc", "True", UNKNOWN}.isdisjoint(redaction.remembered())


def test_a_redacting_stream_masks_what_is_printed() -> None:
    redaction.remember("stream-secret-40c1")
    inner = io.StringIO()
    print("error: stream-secret-40c1 rejected", file=redaction.RedactingStream(inner))
    assert inner.getvalue() == "error: (sensitive) rejected\n"
