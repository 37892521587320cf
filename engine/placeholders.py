"""What opspec shows in place of a value it must not or cannot show.

Planning masks secrets and marks values that exist only after apply; every rendering (text,
JSON, Markdown, a provider's message with a secret redacted) shows the same words for them, so
they are defined here once, below both the plans that produce them and the views that print
them.
"""

from __future__ import annotations

__all__ = ["KNOWN_AFTER_APPLY", "SENSITIVE"]

SENSITIVE = "(sensitive)"
KNOWN_AFTER_APPLY = "(known after apply)"
