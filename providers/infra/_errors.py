"""Why an apply of GPU infrastructure failed.

The hierarchy::

    InfraError
    ├── NeedsPulumiExecutorError  a Kubernetes object was given to the local executor
    └── ServerError               a local server could not be started or stopped
        └── PortInUseError        its port is taken by another process
"""

from __future__ import annotations

__all__ = ["InfraError", "NeedsPulumiExecutorError", "PortInUseError", "ServerError"]


class InfraError(RuntimeError):
    """Root of the errors the GPU infrastructure providers raise on purpose."""


class NeedsPulumiExecutorError(InfraError):
    def __init__(self, address: str) -> None:
        super().__init__(
            f"{address} is on a kubernetes pool, which needs the pulumi executor and a "
            "cluster: run `opspec apply --executor pulumi` where the `pulumi` CLI and a "
            "kubeconfig are available. The local executor does not talk to clusters, and "
            "nothing was created."
        )


class ServerError(InfraError):
    """A local model server did not start (the message ends with its log's tail)."""


class PortInUseError(ServerError):
    pass
