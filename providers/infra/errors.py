"""Exceptions of the GPU infrastructure family (user mistakes found by ``check`` are
CheckFailures; :class:`PlacementError` becomes one through the plan-attribute hook).

The hierarchy::

    engine.errors.OpspecError
    └── InfraError                    anything the GPU infrastructure family raises on purpose
        ├── PlacementError            a pool spec cannot be placed (also a PlanAttributeError)
        ├── NeedsPulumiExecutorError  a Kubernetes object was given to the local executor
        ├── PulumiProgramError        the pulumi executor cannot build a resource's objects
        ├── ServerError               a local server could not be started or stopped
        │   └── PortInUseError        its port is taken by another process
        └── RequestError              the local server refuses a request (HTTP 400)
"""

from __future__ import annotations

from engine.errors import OpspecError, PlanAttributeError

__all__ = [
    "InfraError",
    "NeedsPulumiExecutorError",
    "PlacementError",
    "PortInUseError",
    "PulumiProgramError",
    "RequestError",
    "ServerError",
]


class InfraError(OpspecError):
    """Root of the errors the GPU infrastructure providers raise on purpose."""


class PlacementError(InfraError, PlanAttributeError):
    """A pool spec that cannot be placed; ``field`` is the input it is about, ``reason`` why.

    Raised while computing a pool's plan-time attributes, so the engine reports it as a check
    failure on ``field``."""


class NeedsPulumiExecutorError(InfraError):
    def __init__(self, address: str) -> None:
        super().__init__(
            f"{address} is on a kubernetes pool, which needs the pulumi executor and a "
            "cluster: run `opspec apply --executor pulumi` where the `pulumi` CLI and a "
            "kubeconfig are available. The local executor does not talk to clusters, and "
            "nothing was created."
        )


class PulumiProgramError(InfraError):
    """The pulumi executor cannot build the Kubernetes objects of a pool or service."""


class ServerError(InfraError):
    """A local model server did not start (the message ends with its log's tail)."""


class PortInUseError(ServerError):
    """The port a local server should listen on is taken by another process."""


class RequestError(InfraError):
    """A request the local server refuses with 400; the message says what is wrong."""
