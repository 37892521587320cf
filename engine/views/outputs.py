"""Root outputs, as ``opspec output`` prints them: one value, all of them, or JSON.

A sensitive output shows as ``(sensitive)`` in every format, JSON included. Terraform prints
sensitive values in ``output -json``; here that takes ``--show-sensitive``, so a script (or a
CI step) has to ask for the secret by name of the flag rather than get it by default.
"""

from __future__ import annotations

import json
from typing import Any

from engine.placeholders import SENSITIVE
from engine.states.store import OutputState
from engine.views.display import terminal_safe


def _shown(out: OutputState, reveal: bool) -> Any:
    return SENSITIVE if out.sensitive and not reveal else out.value


def render_output_value(out: OutputState, *, as_json: bool, reveal: bool = False) -> str:
    """One output's value: JSON, or plain text (strings unquoted) for the terminal."""
    value = _shown(out, reveal)
    if as_json:
        return json.dumps(value) + "\n"
    return terminal_safe(value if isinstance(value, str) else json.dumps(value)) + "\n"


def render_outputs(outputs: dict[str, OutputState], *, reveal: bool = False) -> str:
    """``name = value`` lines in name order."""
    lines = [
        f"{name} = {SENSITIVE if out.sensitive and not reveal else json.dumps(out.value)}"
        for name, out in sorted(outputs.items())
    ]
    return "".join(terminal_safe(line) + "\n" for line in lines)


def render_outputs_json(outputs: dict[str, OutputState], *, reveal: bool = False) -> str:
    doc = {
        name: {"value": _shown(out, reveal), "sensitive": out.sensitive}
        for name, out in sorted(outputs.items())
    }
    return json.dumps(doc, indent=2) + "\n"
