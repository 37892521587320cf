"""Markdown building blocks for the pull-request comment: cells, inline code, folded blocks.

Everything that goes into a cell passes :func:`cell` (one line, no table breaks, no control
characters). Text written by the pull request itself, or quoting it, such as every policy
message (a project's, or a built-in's naming the spec's keys and aliases), passes :func:`inert`
instead: it must not be able to close the comment's ``<details>`` blocks, add HTML or images,
link anywhere, or notify anyone with an @-mention. A message quotes spec text in
:func:`code_span`, which inert keeps as written.
"""

from __future__ import annotations

import re
from typing import Any

from engine.views.display import terminal_safe

# A code span: a run of backticks, then text, then a run of the same length. Inside one nothing
# renders, so spans are kept as written (messages quote names in them) and only the text
# between them is escaped.
_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")
# Characters that open Markdown constructs (code, emphasis, links and images, tables, strikes).
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*\[\]|~])")
# A mention (@user, @org/team) or an e-mail address; a word joiner after `@` stops both.
_AT = re.compile(r"@(?=[A-Za-z0-9])")
# What GitHub turns into a link by itself: `scheme://...` and `www.`.
_AUTOLINK = re.compile(r"(?<=[A-Za-z0-9]):(?=//)|(?<![A-Za-z0-9])(www)\.", re.IGNORECASE)
_WORD_JOINER = "\u2060"


def cell(text: Any) -> str:
    flat = str(text).replace("\r", " ").replace("\n", " ")
    return terminal_safe(flat).replace("|", "\\|").strip()


def code(text: Any) -> str:
    return f"`{cell(text).replace('`', '')}`"


def code_span(text: Any) -> str:
    """``text`` as one Markdown code span that nothing inside it can close: the fence is one
    backtick longer than any run of backticks in it, padded with a space when it starts or ends
    with one (CommonMark). For spec text quoted inside a message (keys, aliases)."""
    literal = str(text)
    fence = "`" * (max(map(len, re.findall(r"`+", literal)), default=0) + 1)
    pad = " " if literal[:1] == "`" or literal[-1:] == "`" else ""
    return f"{fence}{pad}{literal}{pad}{fence}"


def inert(text: Any) -> str:
    """``text`` as literal characters in Markdown: nothing in it renders, links or notifies."""
    flat = terminal_safe(str(text).replace("\r", " ").replace("\n", " ")).strip()
    out, start = [], 0
    for span in _CODE_SPAN.finditer(flat):
        out += [_inert_prose(flat[start : span.start()]), span.group()]
        start = span.end()
    return "".join([*out, _inert_prose(flat[start:])])


def _inert_prose(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)
    text = _AT.sub("@" + _WORD_JOINER, text)
    return _AUTOLINK.sub(lambda m: f"{m.group(1)}&#46;" if m.group(1) else "&#58;", text)


def plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def more(items: list[str], limit: int, what: str) -> list[str]:
    shown = items[:limit]
    if len(items) > limit:
        shown.append(f"- ... and {len(items) - limit} more {what}")
    return shown


def details(summary: str, body: str) -> str:
    return f"<details><summary>{summary}</summary>\n\n{body}\n\n</details>"


def fenced(lines: list[str]) -> str:
    text = "\n".join(lines)
    runs = [len(m) for m in re.findall(r"`+", text)]
    fence = "`" * max(3, max(runs, default=0) + 1)
    return f"{fence}diff\n{text}\n{fence}"
