"""Correlation: connected services within the window form one incident with the upstream root."""

from __future__ import annotations

from providers.monitor.incidents import Alert, Topology, correlate
from providers.monitor.matchers import Route, parse_matcher

T0 = 1_714_550_400.0  # 2024-05-01T08:00:00Z
TOPOLOGY = Topology(
    dependencies={"web": ["api"], "api": ["db"], "db": [], "search": []},
    owners={"web": "web-team", "api": "api-team", "db": "data-team", "search": "search-team"},
    window_s=600.0,
)
ROUTES = [Route("alert_route.data", (parse_matcher('team="data-team"'),), "data-oncall")]


def _alert(service: str | None, minute: float, monitor: str = "monitor.latency") -> Alert:
    return Alert(monitor, "anomaly", service, T0 + minute * 60, 1.0, until=T0 + minute * 60 + 120)


def test_three_dependent_services_make_one_incident_rooted_upstream() -> None:
    alerts = [_alert("web", 3), _alert("api", 2), _alert("db", 1), _alert("search", 2)]
    incidents = correlate(alerts, TOPOLOGY, ROUTES)
    assert [(i.root_cause, len(i.alerts)) for i in incidents] == [("db", 3), ("search", 1)]
    main = incidents[0]
    assert (main.owner, main.route) == ("data-team", "data-oncall")
    assert [a.service for a in main.alerts] == ["db", "api", "web"]
    assert "web -> api -> db" in main.evidence[0]
    assert incidents[1].route == "opspec-default"
    payload = main.to_json()
    assert set(payload) == {"id", "root_cause", "owner", "route", "started", "alerts", "evidence"}
    assert set(payload["alerts"][0]) >= {"monitor", "service", "at", "value"}
    assert payload["alerts"][0]["at"] == "2024-05-01T08:01:00Z"


def test_root_cause_is_upstream_even_when_it_alerts_last() -> None:
    incidents = correlate([_alert("web", 1), _alert("db", 5)], TOPOLOGY, [])
    assert [(i.root_cause, i.owner) for i in incidents] == [("db", "data-team")]


def test_alerts_further_apart_than_the_window_stay_apart() -> None:
    incidents = correlate([_alert("db", 0), _alert("api", 30)], TOPOLOGY, [])
    assert [i.root_cause for i in incidents] == ["db", "api"]


def test_chains_link_through_a_middle_alert_and_ids_are_stable() -> None:
    alerts = [_alert("db", 0), _alert("api", 9), _alert("web", 18)]
    first = correlate(alerts, TOPOLOGY, [])
    assert len(first) == 1 and first[0].root_cause == "db"
    assert correlate(list(reversed(alerts)), TOPOLOGY, [])[0].id == first[0].id


def test_alerts_without_a_known_service_group_by_monitor() -> None:
    alerts = [
        _alert(None, 0, "monitor.a"),
        _alert(None, 1, "monitor.a"),
        _alert(None, 1, "monitor.b"),
    ]
    incidents = correlate(alerts, TOPOLOGY, [])
    assert sorted(len(i.alerts) for i in incidents) == [1, 2]
    assert all(i.root_cause is None and i.owner is None for i in incidents)
