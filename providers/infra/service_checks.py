"""Plan-time checks of an ``llm_service`` against its pool, its model and this host.

Each check names the inputs it reads; a check that reads a value still unknown at plan time is
skipped (apply checks again with everything known). Failures point at the most precise input,
so the engine can show the YAML line: ``gpus`` for more GPUs than the pool's nodes have,
``port`` for a port taken, ``model`` for a folder that is no model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from engine.artifacts import is_artifact_uri
from engine.providers import CheckFailure
from providers.infra.model_files import model_problem, resolve_model
from providers.infra.server_process import find_server, port_in_use
from specs.infra import LlmServiceSpec, PoolKind

__all__ = ["LOCAL_HOST", "ServiceContext", "port_clashes", "service_failures"]

LOCAL_HOST = "127.0.0.1"


class ServiceContext:
    """What the checks may look at besides the spec."""

    def __init__(
        self,
        address: str,
        project_dir: str,
        artifacts_dir: Path,
        unknown: set[str],
    ) -> None:
        self.address = address
        self.project_dir = project_dir
        self.artifacts_dir = artifacts_dir
        self.unknown = unknown

    def known(self, *paths: str) -> bool:
        return not any(
            u == p or u.startswith(p + ".") or p.startswith(u + ".")
            for p in paths
            for u in self.unknown
        )


Check = Callable[[LlmServiceSpec, ServiceContext], Iterable[CheckFailure]]


def _gpus_fit_node(spec: LlmServiceSpec, ctx: ServiceContext) -> Iterable[CheckFailure]:
    if not ctx.known("gpus", "pool") or spec.gpus == 0:
        return
    per_node = spec.pool.gpus_per_node
    if spec.pool.kind is PoolKind.LOCAL and spec.gpus > per_node:
        yield CheckFailure(
            "gpus",
            f"gpus is {spec.gpus} but this host has {per_node} usable CUDA device(s) in pool "
            f"{spec.pool.name}; set `gpus: 0` to serve on the CPU",
        )
    elif spec.pool.kind is PoolKind.KUBERNETES and per_node and spec.gpus > per_node:
        yield CheckFailure(
            "gpus",
            f"gpus is {spec.gpus} per replica but the nodes of pool {spec.pool.name} have "
            f"{per_node} ({spec.pool.accelerator}); a replica could never be scheduled",
        )


def _gpus_fit_quota(spec: LlmServiceSpec, ctx: ServiceContext) -> Iterable[CheckFailure]:
    quota = spec.pool.max_gpus
    if quota is None or not ctx.known("gpus", "pool", "replicas", "autoscaling"):
        return
    least = spec.autoscaling.min_replicas if spec.autoscaling else spec.replicas
    if least * spec.gpus > quota:
        yield CheckFailure(
            "gpus",
            f"{least} replica(s) × {spec.gpus} GPU(s) exceed the pool's quota of {quota} GPUs "
            f"(max_gpus of {spec.pool.name})",
        )


def _kubernetes_fields(spec: LlmServiceSpec, ctx: ServiceContext) -> Iterable[CheckFailure]:
    if spec.image is None and ctx.known("image"):
        yield CheckFailure(
            "image",
            "a service on a kubernetes pool needs a container image that takes --model and "
            "--port (e.g. an OpenAI-compatible server image)",
        )
    scaling = spec.autoscaling
    if scaling is not None and spec.resources.cpu is None and ctx.known("resources"):
        yield CheckFailure(
            "resources.cpu",
            "autoscaling on CPU utilization needs a CPU request (`resources.cpu`)",
        )
    if (
        scaling is not None
        and ctx.known("replicas", "autoscaling")
        and "replicas" in spec.model_fields_set
        and not scaling.min_replicas <= spec.replicas <= scaling.max_replicas
    ):
        yield CheckFailure("replicas", "replicas must lie between min_replicas and max_replicas")


def _local_fields(spec: LlmServiceSpec, ctx: ServiceContext) -> Iterable[CheckFailure]:
    if spec.replicas != 1:
        yield CheckFailure("replicas", "a local pool runs one server process; set replicas: 1")
    if spec.autoscaling is not None:
        yield CheckFailure("autoscaling", "autoscaling needs a kubernetes pool")
    if ctx.known("model"):
        try:
            folder = resolve_model(ctx.project_dir, ctx.artifacts_dir, spec.model)
        except ValueError as exc:
            yield CheckFailure("model", str(exc))
        else:
            # An artifact not in the store yet may still be written by this apply.
            pending = is_artifact_uri(spec.model) and not folder.path.exists()
            problem = None if pending else model_problem(folder)
            if problem is not None:
                yield CheckFailure("model", problem)
    if ctx.known("port") and port_in_use(LOCAL_HOST, spec.port):
        # The service's own running server holds its port: that is no clash.
        ours = find_server(spec.port, ctx.address, Path(ctx.project_dir)) is not None
        if not ours:
            yield CheckFailure(
                "port", f"port {spec.port} on {LOCAL_HOST} is already in use by another process"
            )


def service_failures(spec: LlmServiceSpec, ctx: ServiceContext) -> list[CheckFailure]:
    """Every plan-time failure of ``spec`` (checks on unknown values are skipped)."""
    kind_checks: list[Check] = (
        [_local_fields] if spec.pool.kind is PoolKind.LOCAL else [_kubernetes_fields]
    )
    checks: list[Check] = [_gpus_fit_node, _gpus_fit_quota, *kind_checks]
    if not ctx.known("pool"):
        checks = [_kubernetes_fields] if spec.pool.kind is PoolKind.KUBERNETES else []
    return [failure for check in checks for failure in check(spec, ctx)]


def port_clashes(instances: Mapping[str, Mapping[str, Any]]) -> dict[str, list[CheckFailure]]:
    """Local services of one plan that listen on the same port, by address."""
    by_port: dict[int, list[str]] = {}
    for address, inputs in sorted(instances.items()):
        pool = inputs.get("pool")
        port = inputs.get("port", LlmServiceSpec.model_fields["port"].default)
        if (
            isinstance(pool, Mapping)
            and pool.get("kind") == PoolKind.LOCAL
            and isinstance(port, int | float)
        ):
            by_port.setdefault(int(port), []).append(address)
    out: dict[str, list[CheckFailure]] = {}
    for port, addresses in by_port.items():
        for address in addresses if len(addresses) > 1 else ():
            others = ", ".join(a for a in addresses if a != address)
            out[address] = [CheckFailure("port", f"port {port} is also used by {others}")]
    return out
