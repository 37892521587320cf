"""Progress of an apply: a live table on a terminal, Terraform-style lines elsewhere.

Addresses and error messages carry spec text (``for_each`` keys, a command's output), so they
are printed terminal-safe.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import IO, Any

from engine.views.display import terminal_safe


class Progress:
    """Lines such as ``null.a: Creating...`` and ``null.a: Creation complete after 0.1s``."""

    _VERBS = {
        "create": ("Creating...", "Creation complete"),
        "update": ("Modifying...", "Modifications complete"),
        "delete": ("Destroying...", "Destruction complete"),
        "replace": ("Replacing...", "Replacement complete"),
        "read": ("Refreshing state...", "Refresh complete"),
    }

    def __init__(self, stream: IO[str] | None = None, *, quiet: bool = False) -> None:
        self.stream = stream or sys.stdout
        self.quiet = quiet
        self._lock = threading.Lock()
        self._started: dict[str, float] = {}
        self._live: Any = None

    def __enter__(self) -> Progress:
        if not self.quiet and self.stream.isatty():
            from rich.console import Console
            from rich.live import Live

            self._live = Live(
                console=Console(file=self.stream),
                refresh_per_second=4,
                transient=True,
                get_renderable=self._table,
            )
            self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.__exit__(None, None, None)
            self._live = None

    def _table(self) -> Any:
        from rich.table import Table

        table = Table(box=None, show_header=False)
        now = time.monotonic()
        with self._lock:
            running = sorted(self._started.items())
        for address, started in running:
            table.add_row("[yellow]⠿[/]", terminal_safe(address), f"{now - started:5.1f}s")
        return table

    def _print(self, text: str) -> None:
        if self.quiet:
            return
        if self._live is not None:
            self._live.console.print(text, highlight=False, markup=False)
        else:
            with self._lock:
                self.stream.write(text + "\n")
                self.stream.flush()

    def start(self, address: str, kind: str) -> None:
        with self._lock:
            self._started[address] = time.monotonic()
        self._print(f"{terminal_safe(address)}: {self._VERBS[kind][0]}")

    def finish(self, address: str, kind: str, detail: str = "") -> None:
        with self._lock:
            elapsed = time.monotonic() - self._started.pop(address, time.monotonic())
        suffix = f" [{detail}]" if detail else ""
        line = f"{address}: {self._VERBS[kind][1]} after {elapsed:.1f}s{suffix}"
        self._print(terminal_safe(line))

    def fail(self, address: str, message: str) -> None:
        with self._lock:
            self._started.pop(address, None)
        first = message.strip().splitlines()[0] if message.strip() else "failed"
        self._print(terminal_safe(f"{address}: failed: {first}"))
