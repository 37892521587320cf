"""The Alertmanager configuration assembled from every ``alert_route`` of the project.

Each route resource keeps its part as a JSON fragment (``routes.d/<name>.json`` beside the
configuration file); applying or destroying a route rebuilds the whole configuration from the
fragments, under a file lock so parallel applies do not interleave, checks it with ``amtool``
where installed, writes it atomically and, when a server is configured, reloads it. A refused
configuration puts the previous fragment back.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jinja2

from providers.monitor.errors import RouteConflictError, ToolMissing, ToolRejected
from providers.monitor.loading import write_atomic
from providers.monitor.promapi import AlertmanagerClient
from providers.monitor.rendering import environment
from providers.monitor.rules import resource_slug
from providers.monitor.settings import AlertmanagerSettings
from providers.monitor.tools import check_alertmanager_config

__all__ = ["DEFAULT_RECEIVER", "apply_fragment", "render_config"]

DEFAULT_RECEIVER = "opspec-default"


def _template() -> jinja2.Template:
    return environment().get_template("alertmanager.yml.j2")


def render_config(routes: list[dict[str, Any]]) -> str:
    """The configuration text for ``routes`` (route spec dicts with a ``name``)."""
    ordered = sorted(routes, key=lambda r: (r.get("order", 100), r["name"]))
    receivers: dict[str, str | None] = {}
    for route in ordered:
        name, url = route["receiver"], route.get("webhook_url")
        if receivers.get(name) and url and receivers[name] != url:
            raise RouteConflictError(f"receiver {name!r} is given two webhook URLs")
        receivers[name] = receivers.get(name) or url
    receivers.pop(DEFAULT_RECEIVER, None)
    return _template().render(
        routes=ordered, receivers=receivers, default_receiver=DEFAULT_RECEIVER
    )


def check_config(text: str) -> str:
    """``amtool check-config``'s verdict; ToolRejected when it refuses the text."""
    try:
        refusal = check_alertmanager_config(text)
    except ToolMissing as exc:
        return f"warning: {exc}"
    if refusal:
        raise ToolRejected(f"amtool check-config: {refusal}")
    return "amtool check-config: ok"


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _fragments(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))]


def fragment_path(settings: AlertmanagerSettings, project_dir: str, address: str) -> Path:
    return settings.fragments_path(project_dir) / f"{resource_slug(address)}.json"


def apply_fragment(
    settings: AlertmanagerSettings, project_dir: str, address: str, route: dict[str, Any] | None
) -> str:
    """Set (or with None remove) this route's fragment and rebuild the configuration.

    Returns amtool's verdict. Raises ToolRejected / ServiceUnreachable / ServiceRejected
    after restoring the previous fragment.
    """
    folder = settings.fragments_path(project_dir)
    path = fragment_path(settings, project_dir, address)
    with _locked(folder):
        previous = path.read_text() if path.is_file() else None
        if route is None:
            path.unlink(missing_ok=True)
        else:
            write_atomic(path, json.dumps({**route, "name": address}, sort_keys=True))
        try:
            return _rebuild(settings, project_dir, folder)
        except BaseException:
            if previous is None:
                path.unlink(missing_ok=True)
            else:
                write_atomic(path, previous)
            with contextlib.suppress(Exception):
                _rebuild(settings, project_dir, folder)  # best effort: the previous config
            raise


def _rebuild(settings: AlertmanagerSettings, project_dir: str, folder: Path) -> str:
    try:
        routes = _fragments(folder)
    except ValueError as exc:  # a route's file edited into something that is not JSON
        raise ToolRejected(str(exc)) from exc
    text = render_config(routes)
    verdict = check_config(text)
    write_atomic(settings.config_path(project_dir), text)
    if settings.url:
        AlertmanagerClient(settings.url).reload()
    return verdict
