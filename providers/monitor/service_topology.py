"""The ``service_topology`` provider: services, owners and who depends on whom.

Nothing is deployed: the topology lives in state, where ``opspec monitor run`` reads it to
group alerts into incidents and to name the most upstream alerting service as root cause.
``check`` refuses dependencies on undeclared services and dependency cycles, pointing at the
``depends_on`` entry that closes the cycle.
"""

from __future__ import annotations

from typing import Any, ClassVar

from engine.providers import CheckFailure, CreateResult, Provider
from providers.monitor.servicegraph import find_cycle, topological_order
from specs.monitor import ServiceTopologyOutputs, ServiceTopologySpec

__all__ = ["ServiceTopologyProvider"]


def _graph(spec: ServiceTopologySpec) -> dict[str, list[str]]:
    return {name: list(service.depends_on) for name, service in spec.services.items()}


class ServiceTopologyProvider(Provider):
    type_name: ClassVar[str] = "service_topology"
    spec: ClassVar[type[ServiceTopologySpec]] = ServiceTopologySpec
    outputs: ClassVar[type[ServiceTopologyOutputs]] = ServiceTopologyOutputs

    def check_semantics(self, spec: Any) -> list[CheckFailure]:
        failures = []
        for name, service in spec.services.items():
            for index, dep in enumerate(service.depends_on):
                if dep not in spec.services:
                    failures.append(
                        CheckFailure(
                            f"services.{name}.depends_on.{index}",
                            f"{name} depends on {dep!r}, which is not a declared service",
                        )
                    )
        if failures:
            return failures
        cycle = find_cycle(_graph(spec))
        if cycle is None:
            return []
        last, closing = cycle[-2], cycle[-1]
        index = spec.services[last].depends_on.index(closing)
        return [
            CheckFailure(
                f"services.{last}.depends_on.{index}",
                "dependency cycle: " + " -> ".join(cycle),
            )
        ]

    def create(self, props: dict[str, Any]) -> CreateResult:
        spec = self.model(props)
        outs = {k: v for k, v in props.items() if k != "id"}
        outs["order"] = topological_order(_graph(spec))
        return CreateResult(self.ctx.address or "service_topology", outs)
