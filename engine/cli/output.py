"""Printing diagnostics and errors for the command line (always to stderr)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from engine.views.display import terminal_safe_lines

if TYPE_CHECKING:
    from engine.diagnostics import Diagnostics


def print_diagnostics(diags: Diagnostics) -> None:
    for d in diags.sorted():
        print(d.format(), file=sys.stderr)
    errors = len(diags.errors)
    if errors:
        print(f"\n{errors} error(s); nothing was changed.", file=sys.stderr)


def fail(message: str) -> int:
    print(f"error: {terminal_safe_lines(message)}", file=sys.stderr)
    return 1
