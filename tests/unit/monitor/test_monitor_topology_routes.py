"""service_topology and alert_route: graph checks, matcher syntax, routing, the AM config."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from engine.providers import ProviderContext
from providers.monitor.alert_route import AlertRouteProvider
from providers.monitor.errors import MatcherSyntaxError, RouteConflictError
from providers.monitor.matchers import Route, matching_routes, parse_matcher
from providers.monitor.service_topology import ServiceTopologyProvider
from providers.monitor.servicegraph import find_cycle, topological_order, upstream_closure
from providers.monitor.tools import tool_path

Ctx = Callable[..., ProviderContext]
SERVICES = {
    "web": {"owner": "web-team", "depends_on": ["api"]},
    "api": {"owner": "api-team", "depends_on": ["db", "cache"]},
    "db": {"owner": "data-team"},
    "cache": {"owner": "data-team"},
}


def test_topology_orders_dependencies_first(make_ctx: Ctx) -> None:
    provider = ServiceTopologyProvider(make_ctx("service_topology.shop"))
    checked = provider.check({}, {"services": SERVICES})
    assert checked.failures == []
    assert provider.create(checked.inputs).outs["order"] == ["cache", "db", "api", "web"]


def test_a_cycle_is_reported_on_the_edge_that_closes_it(make_ctx: Ctx) -> None:
    services = {**SERVICES, "db": {"owner": "data-team", "depends_on": ["web"]}}
    failures = (
        ServiceTopologyProvider(make_ctx("service_topology.shop"))
        .check({}, {"services": services})
        .failures
    )
    assert [(f.property, f.reason) for f in failures] == [
        ("services.web.depends_on.0", "dependency cycle: api -> db -> web -> api")
    ]


def test_unknown_dependencies_and_missing_owners_are_reported(make_ctx: Ctx) -> None:
    provider = ServiceTopologyProvider(make_ctx("service_topology.shop"))
    failures = provider.check({}, {"services": {"a": {"owner": "x", "depends_on": ["b"]}}}).failures
    assert [f.property for f in failures] == ["services.a.depends_on.0"]
    failures = provider.check({}, {"services": {"a": {"depends_on": []}}}).failures
    assert [f.property for f in failures] == ["services.a.owner"]


def test_graph_helpers() -> None:
    graph = {name: s["depends_on"] for name, s in SERVICES.items() if "depends_on" in s}
    assert find_cycle(graph) is None
    assert topological_order({"a": ["b"], "b": []}) == ["b", "a"]
    assert upstream_closure(graph)["web"] == {"api", "db", "cache"}


@pytest.mark.parametrize(
    ("text", "name", "op", "value"),
    [
        ('service="api"', "service", "=", "api"),
        ("severity != info", "severity", "!=", "info"),
        ('team=~"data-.*"', "team", "=~", "data-.*"),
        ('env!~"dev|test"', "env", "!~", "dev|test"),
        ('msg="say \\"hi\\""', "msg", "=", 'say "hi"'),
    ],
)
def test_matchers_parse(text: str, name: str, op: str, value: str) -> None:
    matcher = parse_matcher(text)
    assert (matcher.name, matcher.op.value, matcher.value) == (name, op, value)


@pytest.mark.parametrize("text", ['service=="api"', "=api", 'team=~"(unclosed"', 'a="b', "1x=y"])
def test_bad_matchers_are_refused(text: str) -> None:
    with pytest.raises(MatcherSyntaxError):
        parse_matcher(text)


def test_routing_follows_order_and_continue() -> None:
    routes = [
        Route("b", (parse_matcher('team="data"'),), "data-oncall", order=2),
        Route(
            "a", (parse_matcher('severity=~"crit.*"'),), "pager", continue_matching=True, order=1
        ),
        Route("c", (), "catch-all", order=3),
    ]
    taken = matching_routes({"team": "data", "severity": "critical"}, routes)
    assert [r.receiver for r in taken] == ["pager", "data-oncall"]
    assert [r.receiver for r in matching_routes({"team": "web"}, routes)] == ["catch-all"]
    # Regexes are anchored, as in Alertmanager.
    assert not parse_matcher('team=~"dat"').matches({"team": "data"})


def test_route_check_points_at_the_bad_matcher(make_ctx: Ctx) -> None:
    provider = AlertRouteProvider(make_ctx("alert_route.data"))
    news = {"matchers": ['team="data"', "severity=~(crit"], "receiver": "data-oncall"}
    failures = provider.check({}, news).failures
    assert [f.property for f in failures] == ["matchers.1"]
    assert (
        provider.check({}, {**news, "group_by": ["ok", "not ok"], "matchers": []})
        .failures[0]
        .property
        == "group_by.1"
    )


def test_routes_build_one_alertmanager_config(project: Path, make_ctx: Ctx) -> None:
    specs = {
        "alert_route.data": {
            "matchers": ['team="data"'],
            "receiver": "data-oncall",
            "webhook_url": "http://127.0.0.1:9/hook",
            "order": 1,
        },
        "alert_route.web": {"matchers": ['team="web"'], "receiver": "web-oncall"},
    }
    outs = {}
    for address, news in specs.items():
        provider = AlertRouteProvider(make_ctx(address))
        checked = provider.check({}, news)
        assert checked.failures == []
        outs[address] = provider.create(checked.inputs).outs
    config_path = project / ".opspec" / "alertmanager" / "alertmanager.yml"
    config = yaml.safe_load(config_path.read_text())
    assert [r["receiver"] for r in config["route"]["routes"]] == ["data-oncall", "web-oncall"]
    assert config["route"]["routes"][0]["matchers"] == ['team="data"']
    assert {"name": "data-oncall", "webhook_configs": [{"url": "http://127.0.0.1:9/hook"}]} in (
        config["receivers"]
    )
    if tool_path("amtool"):
        assert outs["alert_route.data"]["config_check"] == "amtool check-config: ok"
    AlertRouteProvider(make_ctx("alert_route.data")).delete(
        "alert_route.data", outs["alert_route.data"]
    )
    config = yaml.safe_load(config_path.read_text())
    assert [r["receiver"] for r in config["route"]["routes"]] == ["web-oncall"]
    provider = AlertRouteProvider(make_ctx("alert_route.data"))
    assert provider.read("alert_route.data", outs["alert_route.data"]).id == ""


def test_one_receiver_with_two_webhook_urls_is_a_route_conflict(
    project: Path, make_ctx: Ctx
) -> None:
    """Both routes check on their own; applying the second names it and leaves the first's
    configuration in place."""
    hooks = {"alert_route.a": "http://127.0.0.1:9/a", "alert_route.b": "http://127.0.0.1:9/b"}
    checked = {}
    for address, url in hooks.items():
        news = {"matchers": ['team="data"'], "receiver": "oncall", "webhook_url": url}
        result = AlertRouteProvider(make_ctx(address)).check({}, news)
        assert result.failures == []
        checked[address] = result.inputs
    AlertRouteProvider(make_ctx("alert_route.a")).create(checked["alert_route.a"])
    with pytest.raises(RouteConflictError, match=r"^alert_route\.b: receiver 'oncall'"):
        AlertRouteProvider(make_ctx("alert_route.b")).create(checked["alert_route.b"])
    config = yaml.safe_load((project / ".opspec" / "alertmanager" / "alertmanager.yml").read_text())
    assert [r["webhook_configs"] for r in config["receivers"] if r["name"] == "oncall"] == [
        [{"url": "http://127.0.0.1:9/a"}]
    ]
