"""``alert_route``: Alertmanager-style matchers sending alerts to a receiver owned by a team."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from specs.base import Outputs, ResourceSpec
from specs.monitor.values import Duration

__all__ = ["AlertRouteOutputs", "AlertRouteSpec"]


class AlertRouteSpec(ResourceSpec):
    """One Alertmanager route: alerts matching every matcher go to ``receiver``."""

    matchers: Annotated[
        list[str],
        Field(description='Alertmanager matchers, e.g. `service="api"` or `severity=~"crit.*"`.'),
    ] = Field(default_factory=list)
    receiver: Annotated[str, Field(min_length=1, description="Name of the receiver.")]
    owner: Annotated[str | None, Field(description="Team reached through this route.")] = None
    webhook_url: Annotated[
        str | None, Field(description="Receiver's webhook (Alertmanager webhook_configs).")
    ] = None
    group_by: Annotated[list[str], Field(description="Labels alerts are grouped by.")] = Field(
        default_factory=lambda: ["alertname", "service"]
    )
    group_wait: Annotated[Duration, Field(description="Wait before a new group's first send.")] = (
        "30s"
    )
    group_interval: Annotated[
        Duration, Field(description="Wait before sending new alerts of a group.")
    ] = "5m"
    repeat_interval: Annotated[
        Duration, Field(description="Wait before resending a firing group.")
    ] = "4h"
    continue_matching: Annotated[
        bool, Field(description="Keep matching later routes (Alertmanager `continue`).")
    ] = False
    order: Annotated[int, Field(description="Routes are tried by order, then by name.")] = 100


class AlertRouteOutputs(Outputs):
    config_file: Annotated[
        str | None, Field(description="The Alertmanager configuration written.")
    ] = None
    alertmanager_url: Annotated[
        str | None, Field(description="The Alertmanager that loaded it.")
    ] = None
    config_check: Annotated[
        str | None, Field(description="What amtool said (or that it is missing).")
    ] = None
