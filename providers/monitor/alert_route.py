"""The ``alert_route`` provider: one Alertmanager route (matchers -> receiver, owned by a team).

``check`` parses the matchers with Alertmanager's syntax (a mistake points at the matcher)
and has ``amtool check-config`` judge a configuration holding this route, where amtool is
installed. ``create`` adds the route to the project's Alertmanager configuration and reloads
the server named in ``providers.alertmanager`` (failing with its URL when it is down).
``opspec monitor run`` uses the same routes, with the same semantics, to name the receiver of
each incident, and pushes its alerts to that server.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from engine.providers import CheckFailure, CreateResult, Provider, ReadResult
from providers.monitor.alertmanager import apply_fragment, fragment_path, render_config
from providers.monitor.errors import (
    MatcherSyntaxError,
    RouteConflictError,
    ToolMissing,
    ToolRejected,
)
from providers.monitor.matchers import parse_matcher
from providers.monitor.rules import LABEL_NAME
from providers.monitor.settings import AlertmanagerSettings
from providers.monitor.tools import check_alertmanager_config
from specs.monitor import AlertRouteOutputs, AlertRouteSpec

__all__ = ["AlertRouteProvider"]


def _route_dict(spec: AlertRouteSpec) -> dict[str, Any]:
    return spec.model_dump(mode="json")


class AlertRouteProvider(Provider):
    type_name: ClassVar[str] = "alert_route"
    spec: ClassVar[type[AlertRouteSpec]] = AlertRouteSpec
    outputs: ClassVar[type[AlertRouteOutputs]] = AlertRouteOutputs

    @property
    def _settings(self) -> AlertmanagerSettings:
        return AlertmanagerSettings.from_block(self.ctx.family_settings("alertmanager"))

    def check_semantics(self, spec: Any) -> list[CheckFailure]:
        failures = []
        for index, text in enumerate(spec.matchers):
            try:
                parse_matcher(text)
            except MatcherSyntaxError as exc:
                failures.append(CheckFailure(f"matchers.{index}", str(exc)))
        for index, label in enumerate(spec.group_by):
            if label != "..." and not LABEL_NAME.match(label):
                failures.append(CheckFailure(f"group_by.{index}", f"invalid label {label!r}"))
        if failures:
            return failures
        text = render_config([{**_route_dict(spec), "name": self.ctx.address}])
        try:
            refusal = check_alertmanager_config(text)
        except ToolMissing:
            return []
        return [CheckFailure("matchers", f"amtool check-config: {refusal}")] if refusal else []

    def plan_attributes(self, spec: Any, inputs: dict[str, Any]) -> dict[str, Any]:
        """The configuration file the route goes into, and the server it is loaded by."""
        settings = self._settings
        return {"config_file": str(settings.config_file), "alertmanager_url": settings.url}

    def create(self, props: dict[str, Any]) -> CreateResult:
        spec = self.model(props)
        settings = self._settings
        try:
            verdict = apply_fragment(
                settings, self.ctx.project_dir, self.ctx.address, _route_dict(spec)
            )
        except (ToolRejected, RouteConflictError) as exc:
            raise type(exc)(f"{self.ctx.address}: {exc}") from exc
        outs = {k: v for k, v in props.items() if k != "id"}
        outs.update(
            config_file=settings.config_file,
            alertmanager_url=settings.url,
            config_check=verdict,
        )
        return CreateResult(self.ctx.address or "alert_route", outs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        if not fragment_path(
            self._settings, self.ctx.project_dir, self.ctx.address or id_
        ).is_file():
            return ReadResult("", {})
        return ReadResult(id_, props)

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        url = props.get("alertmanager_url")
        config = props.get("config_file") or self._settings.config_file
        settings = AlertmanagerSettings(str(url) if url else None, str(config))
        if Path(settings.config_path(self.ctx.project_dir)).parent.exists():
            apply_fragment(settings, self.ctx.project_dir, self.ctx.address or id_, None)
