"""Helpers shared by the ML providers: library versions, field diffs and cache-part hashing.

Everything here runs at plan time, so it reads versions from package metadata instead of
importing the libraries (``importlib.metadata`` is cheap; ``import sklearn`` is not).
"""

from __future__ import annotations

import functools
import importlib.metadata
import os
import re
import sys
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel

from engine.artifacts import URI_PREFIX
from engine.hashing import sha256_json
from engine.providers import DiffResult, denormalize_floats

__all__ = [
    "JOB_FORMAT",
    "diff_fields",
    "hash_part",
    "library_versions",
    "spec_defaults",
    "uri_digest",
]

# Bumped when the job functions change what they compute, so old cache entries stop matching.
JOB_FORMAT = "1"


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


@functools.cache
def _installed() -> dict[str, str]:
    """Versions named by the ``NAME-VERSION.dist-info`` folders on sys.path (one listing each).

    ``importlib.metadata.version`` scans every sys.path entry per call; a plan asks for the
    same few libraries for every job, so one listing serves them all.
    """
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for folder in names:
            if folder.endswith(".dist-info") and "-" in folder:
                name, _, version = folder[: -len(".dist-info")].partition("-")
                found.setdefault(_normalize(name), version)
    return found


@functools.cache
def _version(distribution: str) -> str:
    listed = _installed().get(_normalize(distribution))
    if listed is not None:
        return listed
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "absent"


def library_versions(*distributions: str) -> dict[str, str]:
    """``{distribution: version}``; ``"absent"`` for one that is not installed."""
    return {name: _version(name) for name in distributions}


def uri_digest(uri: Any) -> str:
    """The hex digest of an artifact URI (the URI itself for anything else)."""
    text = str(uri)
    return text[len(URI_PREFIX) :] if text.startswith(URI_PREFIX) else text


def hash_part(value: Any) -> str:
    """A cache part: short values as they are, anything structured as its hash."""
    if isinstance(value, str) and len(value) <= 64:
        return value
    if isinstance(value, bool | int | float) or value is None:
        return str(value)
    return sha256_json(value)


def spec_defaults(spec: type[BaseModel]) -> dict[str, Any]:
    """Default values of a spec's optional fields, as they compare with stored JSON."""
    out: dict[str, Any] = {}
    for name, info in spec.model_fields.items():
        if not info.is_required():
            value = info.get_default(call_default_factory=True)
            out[name] = value.model_dump(mode="json") if isinstance(value, BaseModel) else value
    return out


def diff_fields(
    olds: Mapping[str, Any],
    news: Mapping[str, Any],
    fields: Iterable[str],
    *,
    defaults: Mapping[str, Any] | None = None,
    force_new: Iterable[str] = (),
) -> DiffResult:
    """Compare ``fields`` of the stored outputs and the checked inputs.

    An omitted optional field equals its default, and ints equal integral floats (Pulumi's
    wire format), so writing ``seed: 0`` where it was left out changes nothing.
    """
    names = list(fields)
    fill = dict(defaults or {})

    def value(side: Mapping[str, Any], key: str) -> Any:
        return denormalize_floats(side[key] if key in side else fill.get(key))

    changed = [k for k in names if value(olds, k) != value(news, k)]
    replace_set = set(force_new)
    return DiffResult(
        changes=bool(changed),
        replaces=[k for k in changed if k in replace_set],
        stables=[k for k in names if k not in changed],
        delete_before_replace=True,
    )
