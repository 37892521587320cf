"""What ``opspec monitor run`` needs from state, gathered from the applied resources.

It works on plain records (type plus attributes), so it is tested without a state store: any
object with ``type``, ``inputs`` and ``outputs`` (like :class:`engine.states.store.
ResourceState`) will do. Several topologies merge into one graph; routes keep their order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from providers.monitor.errors import MatcherSyntaxError
from providers.monitor.incidents import Topology
from providers.monitor.matchers import Route, parse_matcher
from specs.monitor import parse_duration

__all__ = ["Inventory", "MonitorRecord", "ResourceLike", "build_inventory"]


class ResourceLike(Protocol):
    type: str
    inputs: dict[str, Any]
    outputs: dict[str, Any]


@dataclass(frozen=True)
class MonitorRecord:
    address: str
    attrs: dict[str, Any]

    @property
    def type(self) -> str:
        return str(self.attrs.get("type"))

    @property
    def service(self) -> str | None:
        value = self.attrs.get("service")
        return str(value) if value else None

    @property
    def severity(self) -> str:
        return str(self.attrs.get("severity") or "warning")


@dataclass
class Inventory:
    monitors: list[MonitorRecord] = field(default_factory=list)
    topology: Topology = field(default_factory=Topology)
    routes: list[Route] = field(default_factory=list)
    alertmanager_urls: list[str] = field(default_factory=list)


def _route(address: str, attrs: dict[str, Any]) -> Route | None:
    try:
        matchers = tuple(parse_matcher(m) for m in attrs.get("matchers") or [])
    except MatcherSyntaxError:
        return None  # check refuses these; a hand-edited state is ignored rather than fatal
    return Route(
        name=address,
        matchers=matchers,
        receiver=str(attrs.get("receiver")),
        owner=attrs.get("owner"),
        continue_matching=bool(attrs.get("continue_matching")),
        order=int(attrs.get("order", 100)),
    )


def build_inventory(resources: Mapping[str, ResourceLike]) -> Inventory:
    inv = Inventory()
    deps: dict[str, list[str]] = {}
    owners: dict[str, str] = {}
    window = 0.0
    for address in sorted(resources):
        record = resources[address]
        attrs = {**record.inputs, **record.outputs}
        if record.type == "monitor":
            inv.monitors.append(MonitorRecord(address, attrs))
        elif record.type == "service_topology":
            for name, svc in (attrs.get("services") or {}).items():
                deps[name] = sorted({*deps.get(name, []), *(svc.get("depends_on") or [])})
                owners[name] = str(svc.get("owner"))
            window = max(window, parse_duration(str(attrs.get("correlation_window") or "15m")))
        elif record.type == "alert_route":
            route = _route(address, attrs)
            if route is not None:
                inv.routes.append(route)
            url = attrs.get("alertmanager_url")
            if url and url not in inv.alertmanager_urls:
                inv.alertmanager_urls.append(str(url))
    inv.topology = Topology(deps, owners, window or 900.0)
    return inv
