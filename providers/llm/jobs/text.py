"""Text for tokenizers, fine-tuning and perplexity, read from files, folders and artifacts.

A file is read by its content, not its name (artifacts have no suffix): JSON lines when its
first non-blank line is a JSON object (``text_field`` of each record), CSV when its header
names ``text_field``, otherwise plain text split into documents at blank lines. A folder
contributes its ``.txt``, ``.md``, ``.jsonl`` and ``.csv`` files in sorted order.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path, PurePosixPath

from providers.llm.errors import TextError
from providers.llm.sources import resolve

__all__ = ["read_documents"]

_FOLDER_SUFFIXES = (".txt", ".md", ".jsonl", ".csv", ".text")


def read_documents(
    sources: list[str], project: Path, artifacts_dir: Path, text_field: str = "text"
) -> list[str]:
    """Every document of ``sources`` in order (empty ones dropped)."""
    docs: list[str] = []
    for value in sources:
        source = resolve(value, project, artifacts_dir)
        if source.path.is_dir():
            # Every file of the folder resolved under the path rule, in sorted relative order.
            found = source.files()
            files = [found[n] for n in sorted(found) if PurePosixPath(n).suffix in _FOLDER_SUFFIXES]
        else:
            files = [source.path]
        for file in files:
            docs.extend(_file_documents(file, text_field))
    docs = [d for d in docs if d.strip()]
    if not docs:
        raise TextError(f"no text found in {', '.join(sources)}")
    return docs


def _file_documents(path: Path, text_field: str) -> list[str]:
    text = path.read_text(encoding="utf-8", errors="replace")
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if first.startswith("{"):
        return _jsonl(text, text_field, path)
    header = next(csv.reader(io.StringIO(first)), [])
    if len(header) > 1 and text_field in header:
        return [row.get(text_field) or "" for row in csv.DictReader(io.StringIO(text))]
    return [block.strip() for block in text.split("\n\n")]


def _jsonl(text: str, text_field: str, path: Path) -> list[str]:
    docs = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError as exc:
            raise TextError(f"{path.name}:{number}: not JSON ({exc})") from None
        value = record.get(text_field) if isinstance(record, dict) else None
        if not isinstance(value, str):
            raise TextError(f"{path.name}:{number}: no string field {text_field!r}")
        docs.append(value)
    return docs
