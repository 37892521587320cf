"""``service_topology``: services, their owners and dependencies (a graph without cycles)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from specs.base import Outputs, ResourceSpec
from specs.monitor.values import Duration

__all__ = ["ServiceSpec", "ServiceTopologyOutputs", "ServiceTopologySpec"]


class ServiceSpec(ResourceSpec):
    owner: Annotated[str, Field(min_length=1, description="Team that owns the service.")]
    depends_on: Annotated[
        list[str], Field(description="Services this one calls (its upstream).")
    ] = Field(default_factory=list)
    description: Annotated[str | None, Field(description="What the service does.")] = None


class ServiceTopologySpec(ResourceSpec):
    """Services, their owners and dependencies; a dependency cycle is an error."""

    services: Annotated[
        dict[str, ServiceSpec], Field(min_length=1, description="Service name -> its spec.")
    ]
    correlation_window: Annotated[
        Duration, Field(description="Alerts this close in time may form one incident.")
    ] = "15m"


class ServiceTopologyOutputs(Outputs):
    order: Annotated[
        list[str] | None, Field(description="Services, dependencies before dependents.")
    ] = None
