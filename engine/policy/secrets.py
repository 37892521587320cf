"""Finding plaintext secrets in a plan: values at fields whose names look like secrets.

A field name is split into words (``API_TOKEN``, ``apiKey`` and ``api-key`` all give
``api key``). It looks like a secret when it has a secret word (password, token, secret,
credentials, ...) or a secret pair (api key, private key, access key, ...), unless its last word
says it only points at a secret (``password_file``, ``token_env``, ``secret_name``,
``max_tokens`` is not a match at all: ``tokens`` is not ``token``). Its value is plaintext when
it is a non-empty string other than the mask ``(sensitive)`` and not a reference to a secret
store (``env:``, ``vault:``, ...). Name/value pairs (``{name: API_TOKEN, value: ...}``, as in
Kubernetes ``env`` lists) are judged by the name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from itertools import pairwise
from typing import Any

from engine.placeholders import SENSITIVE

_WORD_RE = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
SECRET_WORDS = frozenset(
    {
        "password", "passwd", "passphrase", "secret", "token", "apikey", "credential",
        "credentials", "authorization", "bearer", "privatekey",
    }
)  # fmt: skip
SECRET_PAIRS = frozenset(
    {
        ("api", "key"), ("access", "key"), ("private", "key"), ("secret", "key"),
        ("signing", "key"), ("encryption", "key"), ("client", "secret"), ("auth", "key"),
        ("session", "key"), ("account", "key"), ("master", "key"), ("license", "key"),
    }
)  # fmt: skip
# A last word that makes the field a pointer to a secret, or a setting about one.
POINTER_WORDS = frozenset(
    {
        "env", "var", "variable", "file", "path", "ref", "name", "id", "ids", "arn",
        "url", "uri", "endpoint", "header", "field", "count", "limit", "limits", "length", "len",
        "size", "type", "kind", "ttl", "expiry", "expires", "rotation", "policy", "mode",
        "enabled", "required", "source", "store", "provider", "budget", "usage",
    }
)  # fmt: skip
REFERENCE_PREFIXES = ("env:", "vault:", "secret:", "secrets:", "sm:", "ssm:", "arn:aws:")


@lru_cache(maxsize=4096)
def looks_like_secret_name(name: str) -> bool:
    words = [w.lower() for w in _WORD_RE.findall(name)]
    if not words or words[-1] in POINTER_WORDS:
        return False
    if any(w in SECRET_WORDS for w in words):
        return True
    return any(pair in SECRET_PAIRS for pair in pairwise(words))


def is_plaintext(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    text = value.strip()
    return bool(text) and text != SENSITIVE and not text.lower().startswith(REFERENCE_PREFIXES)


def _is_flagged(sensitive: Any) -> bool:
    return sensitive is True


def _child(sensitive: Any, key: str | int) -> Any:
    if isinstance(sensitive, dict):
        return sensitive.get(key)
    if isinstance(sensitive, list) and isinstance(key, int) and key < len(sensitive):
        return sensitive[key]
    return None


def plaintext_secrets(
    value: Any, sensitive: Any = None, path: str = ""
) -> Iterator[tuple[str, str]]:
    """``(field path, key name)`` of each plaintext secret under ``value``.

    ``sensitive`` mirrors ``value`` with ``true`` where the engine flags a value as sensitive;
    such values are masked in every rendering and are not reported here.
    """
    if _is_flagged(sensitive):
        return
    if isinstance(value, dict):
        # Kubernetes-style pairs: [{name: API_TOKEN, value: "..."}]
        pair_name = value.get("name")
        if (
            isinstance(pair_name, str)
            and looks_like_secret_name(pair_name)
            and is_plaintext(value.get("value"))
            and not _is_flagged(_child(sensitive, "value"))
        ):
            yield (f"{path}.value" if path else "value"), pair_name
        for key, item in value.items():
            name = str(key)
            if isinstance(item, dict | list):
                where = f"{path}.{name}" if path else name
                yield from plaintext_secrets(item, _child(sensitive, name), where)
            elif (
                looks_like_secret_name(name)
                and is_plaintext(item)
                and not _is_flagged(_child(sensitive, name))
            ):
                yield (f"{path}.{name}" if path else name), name
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, dict | list):
                yield from plaintext_secrets(item, _child(sensitive, i), f"{path}[{i}]")
