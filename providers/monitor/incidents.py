"""Alerts and incidents: consolidating alerts on connected services into one incident.

Two alerts belong to the same incident when they are close in time (their spans are at most
the topology's ``correlation_window`` apart) and on services connected by dependencies (the
same service, or one depends on the other, directly or not). The incident's probable root
cause is the most upstream alerting service -- one none of whose own dependencies alert --
earliest first when several qualify; it is assigned to that service's owner and to the
receiver its alert route selects. Everything here is a pure function of its inputs.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from engine.hashing import sha256_json
from providers.monitor.matchers import Route, matching_routes
from providers.monitor.servicegraph import upstream_closure

__all__ = ["Alert", "Incident", "Topology", "correlate", "iso_time"]

DEFAULT_RECEIVER = "opspec-default"
_SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2, "critical": 3, "page": 4}


def iso_time(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat().replace("+00:00", "Z")


@dataclass
class Alert:
    monitor: str
    type: str
    service: str | None
    at: float
    value: float | None
    severity: str = "warning"
    summary: str = ""
    score: float | None = None
    until: float | None = None
    labels: dict[str, str] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def end(self) -> float:
        return self.at if self.until is None else self.until

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "monitor": self.monitor,
            "service": self.service,
            "at": iso_time(self.at),
            "value": self.value,
            "type": self.type,
            "severity": self.severity,
            "summary": self.summary,
        }
        if self.score is not None:
            out["score"] = round(self.score, 3)
        if self.until is not None:
            out["until"] = iso_time(self.until)
        if self.labels:
            out["labels"] = self.labels
        out.update(self.details)
        return out


@dataclass(frozen=True)
class Topology:
    dependencies: dict[str, list[str]] = field(default_factory=dict)
    owners: dict[str, str] = field(default_factory=dict)
    window_s: float = 900.0


@dataclass
class Incident:
    id: str
    root_cause: str | None
    owner: str | None
    route: str
    alerts: list[Alert]
    evidence: list[str]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "root_cause": self.root_cause,
            "owner": self.owner,
            "route": self.route,
            "started": iso_time(min(a.at for a in self.alerts)),
            "alerts": [a.to_json() for a in self.alerts],
            "evidence": self.evidence,
        }


def _related(a: Alert, b: Alert, topo: Topology, closure: dict[str, set[str]]) -> bool:
    if max(a.at, b.at) - min(a.end, b.end) > topo.window_s:
        return False
    if a.service is None or b.service is None:
        return a.service is None and b.service is None and a.monitor == b.monitor
    if a.service == b.service:
        return True
    return b.service in closure.get(a.service, set()) or a.service in closure.get(b.service, set())


def _groups(alerts: list[Alert], topo: Topology) -> list[list[Alert]]:
    closure = upstream_closure(topo.dependencies)
    parent = list(range(len(alerts)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(alerts)):
        for j in range(i + 1, len(alerts)):
            if _related(alerts[i], alerts[j], topo, closure):
                parent[find(i)] = find(j)
    groups: dict[int, list[Alert]] = {}
    for i, alert in enumerate(alerts):
        groups.setdefault(find(i), []).append(alert)
    return [sorted(g, key=lambda a: (a.at, a.monitor)) for g in groups.values()]


def _path(topo: Topology, start: str, goal: str) -> list[str]:
    """The shortest dependency chain from ``start`` down to ``goal``."""
    queue = deque([[start]])
    seen = {start}
    while queue:
        chain = queue.popleft()
        if chain[-1] == goal:
            return chain
        for dep in sorted(topo.dependencies.get(chain[-1], ())):
            if dep not in seen:
                seen.add(dep)
                queue.append([*chain, dep])
    return [start, goal]


def _root_cause(group: list[Alert], topo: Topology) -> str | None:
    closure = upstream_closure(topo.dependencies)
    first: dict[str, float] = {}
    for alert in group:
        if alert.service is not None:
            first[alert.service] = min(first.get(alert.service, alert.at), alert.at)
    candidates = [s for s in first if not (closure.get(s, set()) & first.keys())]
    return min(candidates, key=lambda s: (first[s], s)) if candidates else None


def _evidence(group: list[Alert], root: str | None, topo: Topology) -> list[str]:
    first: dict[str, float] = {}
    for alert in group:
        if alert.service is not None:
            first.setdefault(alert.service, alert.at)
    lines = []
    if root is not None and len(first) > 1:
        chains = [" -> ".join(_path(topo, s, root)) for s in sorted(first) if s != root]
        lines.append(
            f"{root} is the most upstream alerting service; alerting services that depend "
            f"on it: {'; '.join(chains)}"
        )
    if first:
        order = sorted(first.items(), key=lambda kv: (kv[1], kv[0]))
        lines.append(
            "first alert per service: " + ", ".join(f"{s} {iso_time(t)}" for s, t in order)
        )
    lines.append(f"{len(group)} alert(s) from: " + ", ".join(sorted({a.monitor for a in group})))
    return lines


def correlate(alerts: list[Alert], topo: Topology, routes: list[Route]) -> list[Incident]:
    """Incidents from ``alerts``, ordered by their first alert."""
    incidents = []
    for group in _groups(alerts, topo):
        root = _root_cause(group, topo)
        owner = topo.owners.get(root) if root else None
        severity = max((a.severity for a in group), key=lambda s: _SEVERITY_RANK.get(s, 1))
        labels = {"service": root or "", "owner": owner or "", "team": owner or ""}
        labels["severity"] = severity
        taken = matching_routes(labels, routes)
        route = taken[0].receiver if taken else DEFAULT_RECEIVER
        if owner is None and taken and taken[0].owner:
            owner = taken[0].owner
        ident = sha256_json([root, group[0].at, sorted({a.monitor for a in group})])[:10]
        incidents.append(
            Incident(f"inc-{ident}", root, owner, route, group, _evidence(group, root, topo))
        )
    return sorted(incidents, key=lambda i: (i.alerts[0].at, i.id))
