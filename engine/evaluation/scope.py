"""The values expressions read while planning or applying, and sensitivity tracking."""

from __future__ import annotations

import threading
from typing import Any

from engine import redaction
from engine.expr.evaluate import Scope
from engine.expr.template import Ref
from engine.plans.values import PathT, get_path, is_under


class Values:
    """``var``, ``local`` and resource attributes by type, updated as resources are planned
    (or applied). Thread-safe for the apply walk: a resource is only read after it is set.
    Every sensitive value set here is also remembered by :mod:`engine.redaction`, so that no
    message or log shows it."""

    def __init__(self, variables: dict[str, Any], sensitive_vars: set[str]) -> None:
        self.roots: dict[str, Any] = {"var": variables, "local": {}}
        self._sensitive_vars = sensitive_vars
        self._sensitive_locals: set[str] = set()
        # block address -> instance key (None without for_each) -> sensitive attribute paths
        self._sensitive_attrs: dict[str, dict[str | None, list[PathT]]] = {}
        self._lock = threading.Lock()
        for name in sensitive_vars:
            redaction.remember(variables.get(name))

    def set_local(self, name: str, value: Any, sensitive: bool) -> None:
        self.roots["local"][name] = value
        if sensitive:
            self._sensitive_locals.add(name)
            redaction.remember(value)

    def declare_block(self, type_: str, name: str, for_each: bool) -> None:
        """Make ``TYPE.NAME`` exist (an empty map of instances when it has for_each)."""
        with self._lock:
            by_name = self.roots.setdefault(type_, {})
            if for_each:
                by_name.setdefault(name, {})

    def set_resource(
        self,
        type_: str,
        name: str,
        key: str | None,
        attrs: dict[str, Any],
        sensitive: list[PathT],
    ) -> None:
        with self._lock:
            by_name = self.roots.setdefault(type_, {})
            if key is None:
                by_name[name] = attrs
            else:
                by_name.setdefault(name, {})[key] = attrs
            if sensitive:
                self._sensitive_attrs.setdefault(f"{type_}.{name}", {})[key] = sensitive
        for path in sensitive:
            redaction.remember(attrs if not path else get_path(attrs, path))

    def is_sensitive(self, ref: Ref) -> bool:
        if ref.root == "var":
            return (bool(ref.path) and ref.path[0] in self._sensitive_vars) or (
                not ref.path and bool(self._sensitive_vars)
            )
        if ref.root == "local":
            return (bool(ref.path) and ref.path[0] in self._sensitive_locals) or (
                not ref.path and bool(self._sensitive_locals)
            )
        if ref.root == "each":
            return False  # `each` is judged by the instance's scope (see `scope`)
        if not ref.path:  # `null[var.name]`: any block of the type may be the one read
            return any(block.startswith(f"{ref.root}.") for block in self._sensitive_attrs)
        block = self._sensitive_attrs.get(f"{ref.root}.{ref.path[0]}")
        if not block:
            return False
        rest = ref.path[1:]
        for key, paths in block.items():
            attr_path = rest if key is None else (rest[1:] if rest and rest[0] == key else None)
            if attr_path is None:
                if not rest:
                    return True
                continue
            if (
                not attr_path
                or is_under(attr_path, paths)
                or any(p[: len(attr_path)] == attr_path for p in paths)
            ):
                return True
        return False

    def scope(
        self, each: dict[str, Any] | None = None, each_sensitive: tuple[PathT, ...] = ()
    ) -> Scope:
        """What expressions read; ``each_sensitive`` are the secret paths inside ``each``
        (``("value",)`` when an instance's whole ``each.value`` is secret)."""
        if each is None:
            return Scope(self.roots, self.is_sensitive)
        roots = {**self.roots, "each": each}
        if not each_sensitive:
            return Scope(roots, self.is_sensitive)

        def is_sensitive(ref: Ref) -> bool:
            if ref.root != "each":
                return self.is_sensitive(ref)
            return any(_overlaps(ref.path, p) for p in each_sensitive)

        return Scope(roots, is_sensitive)


def _overlaps(read: tuple[Any, ...], secret: PathT) -> bool:
    """Whether reading ``read`` reads (part of) the secret at ``secret``, or all of it."""
    shorter = min(len(read), len(secret))
    return tuple(read[:shorter]) == tuple(secret[:shorter])
