"""How text from a spec is made safe to show, in every rendering.

Spec keys, values, addresses and policy messages come from the person who wrote the spec, which
for ``plan --untrusted`` is a pull request. Printed raw, a newline followed by ``::error ...::``
becomes a GitHub workflow command in the CI log, and ESC or bidirectional-override characters
rewrite or hide what a reviewer sees. :func:`terminal_safe` escapes them in any fragment that is
meant to be one line; :func:`terminal_safe_lines` does it for free text whose own newlines are
kept (a diagnostic's detail). What a rendering shows in place of a hidden or not-yet-known
value is :mod:`engine.placeholders`'.
"""

from __future__ import annotations

import re

__all__ = ["terminal_safe", "terminal_safe_lines"]

# C0 controls, DEL, C1 controls (CSI U+009B acts like ESC [ on some terminals), and the Unicode
# controls that reorder or hide text (bidi embeddings, overrides, isolates, marks).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# A CI runner treats an output line as a workflow command when it starts with `::` (leading
# blanks skipped); no line opspec writes itself starts so.
_COMMAND_LINE = re.compile(r"^(\s*):(?=:)", re.MULTILINE)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_safe(text: str) -> str:
    """``text`` with every control character escaped (``\\n``, ``\\x1b``, ``\\u202e``)."""
    if _CONTROL.search(text) is None:
        return text
    return _CONTROL.sub(_escape, text)


def terminal_safe_lines(text: str) -> str:
    """Like :func:`terminal_safe`, but keeps ``text``'s line breaks, and no line of it can be
    taken for a workflow command."""
    lines = [terminal_safe(line) for line in text.split("\n")]
    return _COMMAND_LINE.sub(r"\1\\:", "\n".join(lines))
