"""What goes into an ML job's cache key besides its inputs: library versions and the job format.

Everything here runs at plan time, so it reads versions from package metadata instead of
importing the libraries (``importlib.metadata`` is cheap; ``import sklearn`` is not).
"""

from __future__ import annotations

import functools
import importlib.metadata
import os
import re
import sys
from typing import Any

from engine.artifacts import URI_PREFIX

__all__ = ["JOB_FORMAT", "libraries_part", "library_versions", "uri_digest"]

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


def libraries_part(libraries: dict[str, str]) -> str:
    """The ``libraries`` cache part: each version, then the job format."""
    return ", ".join(f"{k} {v}" for k, v in sorted(libraries.items())) + f"; job {JOB_FORMAT}"


def uri_digest(uri: Any) -> str:
    """The hex digest of an artifact URI (the URI itself for anything else)."""
    text = str(uri)
    return text[len(URI_PREFIX) :] if text.startswith(URI_PREFIX) else text
