"""Diagnostics: user-facing errors and warnings with the source position they are about.

Every user mistake (malformed YAML, a typo in a field, a cycle, a missing file) becomes a
:class:`Diagnostic` carrying severity, a one-line summary, an optional detail and the position
``file:line:col`` of the offending YAML node. Diagnostics are collected in a
:class:`Diagnostics` list and printed together, so a user sees every problem of a run at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from engine.views.display import terminal_safe, terminal_safe_lines


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class SourcePos:
    """A position in a spec file; ``line`` and ``col`` are 1-based."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    severity: Severity
    summary: str
    detail: str = ""
    pos: SourcePos | None = None
    address: str | None = None

    def format(self) -> str:
        """The diagnostic for a terminal or a CI log. Summaries and details quote spec keys and
        values, so control characters print escaped and no line reads as a workflow command."""
        where = f"{terminal_safe(str(self.pos))}: " if self.pos else ""
        head = f"{where}{self.severity.value}: {terminal_safe(self.summary)}"
        if self.address and self.address not in self.summary:
            head += f" ({terminal_safe(self.address)})"
        if self.detail:
            detail = "\n".join("  " + line for line in self.detail.splitlines())
            head += "\n" + terminal_safe_lines(detail)
        return head

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {"severity": self.severity.value, "summary": self.summary}
        if self.detail:
            out["detail"] = self.detail
        if self.address:
            out["address"] = self.address
        if self.pos:
            out["range"] = {
                "filename": self.pos.file,
                "start": {"line": self.pos.line, "column": self.pos.col},
            }
        return out


def error(
    summary: str, detail: str = "", pos: SourcePos | None = None, address: str | None = None
) -> Diagnostic:
    return Diagnostic(Severity.ERROR, summary, detail, pos, address)


def warning(
    summary: str, detail: str = "", pos: SourcePos | None = None, address: str | None = None
) -> Diagnostic:
    return Diagnostic(Severity.WARNING, summary, detail, pos, address)


class Diagnostics:
    """An ordered collection of diagnostics; duplicates are kept once."""

    def __init__(self, items: Iterable[Diagnostic] = ()) -> None:
        self._items: list[Diagnostic] = []
        self._seen: set[Diagnostic] = set()
        self.extend(items)

    def append(self, diag: Diagnostic) -> None:
        if diag not in self._seen:
            self._seen.add(diag)
            self._items.append(diag)

    def extend(self, diags: Iterable[Diagnostic]) -> None:
        for d in diags:
            self.append(d)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self._items if d.severity is Severity.ERROR]

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self._items)

    def sorted(self) -> list[Diagnostic]:
        """Errors first, then by file position, so reports are stable between runs."""

        def key(d: Diagnostic) -> tuple[int, str, int, int, str]:
            p = d.pos
            return (
                0 if d.severity is Severity.ERROR else 1,
                p.file if p else "",
                p.line if p else 0,
                p.col if p else 0,
                d.summary,
            )

        return sorted(self._items, key=key)

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __bool__(self) -> bool:
        return bool(self._items)


def relative_name(path: Path, root: Path) -> str:
    """The name a diagnostic shows for ``path``: relative to the project when inside it."""
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)
