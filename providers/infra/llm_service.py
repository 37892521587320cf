"""The ``llm_service`` provider: a model served over HTTP, on this host or on Kubernetes.

On a **local** pool ``create`` starts a real server process (:mod:`providers.infra.jobs.server`)
detached from opspec, with its log under ``.opspec/runs/<address>/``, waits for ``/health`` and
returns its pid and URL. ``read`` checks the pid is still our server and answers: a killed server
reads back as ``status: stopped``, which ``diff`` turns into a replacement, so the next plan
recreates it. ``delete`` stops it and is idempotent. Any change of a local service replaces it
(the process is restarted with the new inputs).

On a **kubernetes** pool ``check`` renders the Deployment, Service and HorizontalPodAutoscaler
into ``manifests`` (placeholders stand for values known only after apply), so the plan shows
them. They are created by the ``pulumi`` executor through
:func:`providers.infra.build_kubernetes_objects`; the local executor refuses, saying so.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

from pydantic import ValidationError

from engine.expr.unknown import UNKNOWN, contains_unknown
from engine.providers import (
    CheckFailure,
    CheckResult,
    CreateResult,
    DiffResult,
    Provider,
    ReadResult,
    UpdateResult,
    denormalize_floats,
)
from providers.infra.errors import NeedsPulumiExecutorError, ServerError
from providers.infra.manifests import describe_objects, service_manifests, service_url
from providers.infra.model_files import model_problem, resolve_model
from providers.infra.native import KubernetesNative
from providers.infra.placeholders import fill_unknowns
from providers.infra.placement import object_name
from providers.infra.server_process import (
    health_ok,
    is_server,
    start_server,
    stop_server,
    wait_healthy,
)
from providers.infra.service_checks import (
    LOCAL_HOST,
    ServiceContext,
    port_clashes,
    service_failures,
)
from specs.infra import LlmServiceOutputs, LlmServiceSpec, PoolKind

__all__ = ["LlmServiceProvider"]

RUNNING = "running"
STOPPED = "stopped"
_NOT_ON_KUBERNETES = {"status": "", "pid": None, "model_path": "", "log_path": ""}


def _safe_dir_name(address: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", address).strip("_") or "llm_service"


def _unwrap_pool(news: dict[str, Any]) -> dict[str, Any]:
    pool = news.get("pool")
    if isinstance(pool, dict) and "placement" in pool:
        return {**news, "pool": pool["placement"]}
    return news


def _is_local(props: Mapping[str, Any]) -> bool:
    pool = props.get("pool")
    return isinstance(pool, Mapping) and pool.get("kind") == PoolKind.LOCAL


class LlmServiceProvider(Provider, KubernetesNative):
    """Serves a model: a local server process, or Kubernetes objects for the pulumi executor."""

    type_name: ClassVar[str] = "llm_service"
    spec: ClassVar[type[LlmServiceSpec]] = LlmServiceSpec
    outputs: ClassVar[type[LlmServiceOutputs]] = LlmServiceOutputs

    @property
    def _name(self) -> str:
        """The server's ``--name``: how plans recognise the service's own process."""
        return self.ctx.address or "llm_service"

    @property
    def object_name(self) -> str:
        return object_name(self.ctx.address, "svc")

    # -- plan -------------------------------------------------------------------------------

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        """Overridden for what the hooks do not cover: ``pool: ${gpu_pool.x}`` passes the whole
        pool, whose placement is what a service reads, so it is unwrapped before validation;
        and inputs holding unknowns are checked too, against placeholders (checks that read an
        unknown value are skipped), where the hooks see fully known inputs only."""
        result = super().check(olds, _unwrap_pool(denormalize_floats(dict(news))))
        if result.failures or not contains_unknown(result.inputs):
            return result
        inputs = dict(result.inputs)
        filled, unknown = fill_unknowns(LlmServiceSpec, inputs)
        try:
            spec = LlmServiceSpec.model_validate(filled)
        except ValidationError:
            return CheckResult(inputs, [])  # placeholders broke a cross-field rule
        ctx = self._service_context(unknown)
        failures = service_failures(spec, ctx)
        inputs.update(self._attributes(spec, ctx, with_manifests=not failures))
        return CheckResult(inputs, failures)

    def check_semantics(self, spec: Any) -> list[CheckFailure]:
        return service_failures(spec, self._service_context(set()))

    def plan_attributes(self, spec: Any, inputs: dict[str, Any]) -> dict[str, Any]:
        return self._attributes(spec, self._service_context(set()), with_manifests=True)

    def _service_context(self, unknown: set[str]) -> ServiceContext:
        return ServiceContext(self._name, self.ctx.project_dir, self.ctx.artifacts_dir, unknown)

    def _attributes(
        self, spec: LlmServiceSpec, ctx: ServiceContext, *, with_manifests: bool
    ) -> dict[str, Any]:
        """The service's URL and, on Kubernetes, its manifests (placeholders in place of
        unknown values)."""
        known_url = ctx.known("pool", "port")
        attributes: dict[str, Any] = {
            "url": service_url(spec, self.object_name) if known_url else UNKNOWN
        }
        if spec.pool.kind is PoolKind.KUBERNETES and with_manifests:
            manifests = service_manifests(spec, self.object_name)
            # Attributes of a local server process do not apply on Kubernetes.
            attributes.update(_NOT_ON_KUBERNETES)
            attributes.update(manifests=manifests, objects=describe_objects(manifests))
        return attributes

    @staticmethod
    def check_instances(
        instances: Mapping[str, Mapping[str, Any]],
    ) -> dict[str, list[CheckFailure]]:
        """Checks across every ``llm_service`` of a plan (checked inputs by address):
        local services that would listen on the same port."""
        return port_clashes(instances)

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        result = super().diff(id_, olds, news)
        stables = result.stables or []
        changed = [k for k in self.spec.model_fields if k not in stables]
        manifests_changed = "manifests" in news and denormalize_floats(
            olds.get("manifests")
        ) != denormalize_floats(news["manifests"])
        if _is_local(olds) and olds.get("status") not in (None, RUNNING):
            # The server is gone (killed outside opspec): start it again.
            return DiffResult(
                changes=True,
                replaces=["status", *changed],
                stables=result.stables,
                delete_before_replace=True,
            )
        if _is_local(olds) or _is_local(news):
            return DiffResult(
                changes=bool(changed),
                replaces=changed,
                stables=result.stables,
                delete_before_replace=True,
            )
        pool_moved = (olds.get("pool") or {}).get("namespace") != (news.get("pool") or {}).get(
            "namespace"
        )
        return DiffResult(
            changes=bool(changed) or manifests_changed,
            replaces=["pool"] if pool_moved else [],
            stables=result.stables,
            delete_before_replace=True,
        )

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        if not _is_local(props):
            return ReadResult(id_, props)  # the cluster is the pulumi executor's to read
        spec = self.model(props)
        pid = denormalize_floats(props.get("pid"))
        alive = (
            isinstance(pid, int) and is_server(pid, spec.port) and health_ok(self._health_url(spec))
        )
        return ReadResult(id_, {**props, "status": RUNNING if alive else STOPPED})

    # -- apply ------------------------------------------------------------------------------

    def create(self, props: dict[str, Any]) -> CreateResult:
        spec = self.model(props)
        if spec.pool.kind is PoolKind.KUBERNETES:
            raise NeedsPulumiExecutorError(self.ctx.address or "llm_service")
        model = resolve_model(self.ctx.project_dir, self.ctx.artifacts_dir, spec.model)
        problem = model_problem(model)
        model_dir = model.path
        if problem is not None:
            raise ServerError(f"{self.ctx.address}: cannot serve the model: {problem}")
        log_path = self._log_path()
        pid = start_server(
            model_dir=model_dir,
            host=LOCAL_HOST,
            port=spec.port,
            device="cuda" if spec.gpus else "cpu",
            extra_args=["--name", self._name, *spec.args],
            log_path=log_path,
            cwd=self.ctx.project,
            env=self._gpu_env(spec.gpus),
        )
        try:
            wait_healthy(pid, self._health_url(spec), spec.readiness.timeout_s, log_path)
        except ServerError as exc:
            raise ServerError(f"{self.ctx.address}: {exc}") from None
        outs = {
            **props,
            "url": service_url(spec, self.object_name),
            "status": RUNNING,
            "pid": pid,
            "model_path": str(model_dir),
            "log_path": str(log_path),
        }
        return CreateResult(f"local:{pid}", outs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        if not _is_local(news):
            raise NeedsPulumiExecutorError(self.ctx.address or "llm_service")
        self.delete(id_, olds)
        return UpdateResult(outs=self.create(news).outs)

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        """Stop the local server if it still runs (idempotent). Kubernetes objects are never
        created by the local executor, so there is nothing of ours to delete there."""
        if not _is_local(props):
            return
        pid = props.get("pid")
        port = denormalize_floats(props.get("port", LlmServiceSpec.model_fields["port"].default))
        if isinstance(pid, int | float) and is_server(int(pid), int(port)):
            stop_server(int(pid))

    # -- helpers ----------------------------------------------------------------------------

    def _health_url(self, spec: LlmServiceSpec) -> str:
        return f"http://{LOCAL_HOST}:{spec.port}{spec.readiness.path}"

    def _log_path(self) -> Path:
        run_id = time.strftime("%Y%m%dT%H%M%S") + f"-{os.getpid()}"
        return self.ctx.runs_dir / _safe_dir_name(self.ctx.address) / run_id / "server.log"

    @staticmethod
    def _gpu_env(gpus: int) -> dict[str, str]:
        if gpus == 0:
            return {"CUDA_VISIBLE_DEVICES": ""}
        visible = os.environ.get("CUDA_VISIBLE_DEVICES")
        indices = visible.split(",") if visible else [str(i) for i in range(gpus)]
        return {"CUDA_VISIBLE_DEVICES": ",".join(indices[:gpus])}
