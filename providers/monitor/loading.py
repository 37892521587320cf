"""Putting rule files where Prometheus reads them, and making it load them.

A threshold monitor's rule file is written atomically into ``rules_dir``. When the
``providers.prometheus`` block names a server, opspec makes sure the server's ``rule_files``
covers ``rules_dir`` (when ``config_file`` is given), asks it to reload (``POST /-/reload``,
which needs ``--web.enable-lifecycle``) and checks through ``/api/v1/rules`` that the group is
there. Any failure puts the previous file back, so a create is all-or-nothing.

The server's configuration is read with the engine's YAML loader, whose bounds on nesting and
alias expansion hold for every YAML file opspec reads: a few bytes of aliases cannot make an
apply hang or exhaust memory.
"""

from __future__ import annotations

import contextlib
import os
import time
import uuid
from pathlib import Path
from typing import Any

import yaml

from engine.config.yamlpos import YamlError, parse
from providers.monitor.errors import PrometheusConfigError, ServiceRejected
from providers.monitor.promapi import PrometheusClient
from providers.monitor.settings import PrometheusSettings

__all__ = [
    "install_rule_file",
    "read_config",
    "remove_rule_file",
    "rule_files_glob",
    "write_atomic",
]

_VERIFY_S = 10.0


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        tmp.write_text(text)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def rule_files_glob(settings: PrometheusSettings, project_dir: str) -> str:
    return str(settings.rules_path(project_dir).resolve() / "*.yml")


def _plain(value: Any) -> Any:
    """The loader's position-carrying mappings and lists as the plain ones YAML dumps."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def read_config(config: Path) -> dict[str, Any]:
    """The Prometheus configuration in ``config``; PrometheusConfigError naming the position
    of what the loader refuses."""
    try:
        data = parse(config.read_text())
    except YamlError as exc:
        raise PrometheusConfigError(f"{config}:{exc.line}:{exc.col}: {exc.message}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise PrometheusConfigError(f"{config}: a Prometheus configuration is a mapping")
    return dict(_plain(data))


def _ensure_rule_files(settings: PrometheusSettings, project_dir: str) -> None:
    config = settings.config_path(project_dir)
    if config is None:
        return
    data = read_config(config)
    pattern = rule_files_glob(settings, project_dir)
    listed = list(data.get("rule_files") or [])
    if pattern not in listed:
        data["rule_files"] = [*listed, pattern]
        write_atomic(config, yaml.safe_dump(data, sort_keys=False))


def _group_loaded(client: PrometheusClient, group: str) -> bool:
    return any(g.get("name") == group for g in client.rule_groups())


def _sync(settings: PrometheusSettings, project_dir: str, group: str, present: bool) -> None:
    if settings.url is None:
        return
    client = PrometheusClient(settings.url)
    _ensure_rule_files(settings, project_dir)
    client.reload()
    deadline = time.monotonic() + _VERIFY_S
    while _group_loaded(client, group) != present:
        if time.monotonic() > deadline:
            state = "did not load" if present else "still has"
            raise ServiceRejected(
                settings.url,
                f"after reload it {state} rule group {group!r}; is "
                f"{rule_files_glob(settings, project_dir)} in its rule_files?",
            )
        time.sleep(0.2)


def install_rule_file(
    settings: PrometheusSettings, project_dir: str, name: str, text: str, group: str
) -> Path:
    """Write (or replace) the rule file ``name`` and have the server load it."""
    path = settings.rules_path(project_dir) / name
    previous = path.read_text() if path.is_file() else None
    write_atomic(path, text)
    try:
        _sync(settings, project_dir, group, present=True)
    except BaseException:
        if previous is None:
            path.unlink(missing_ok=True)
        else:
            write_atomic(path, previous)
        raise
    return path


def remove_rule_file(
    settings: PrometheusSettings, project_dir: str, path: Path, group: str
) -> None:
    """Delete the rule file and have the server drop it (idempotent)."""
    path.unlink(missing_ok=True)
    _sync(settings, project_dir, group, present=False)
