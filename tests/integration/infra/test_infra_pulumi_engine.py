"""The Kubernetes program previewed by the real Pulumi engine (where the CLI is installed).

Without the ``pulumi`` CLI (this project's build machines have only the SDK) the test is
skipped and pytest's summary prints why. Where it is installed, the program runs under the
Automation API on a local file backend against an unreachable cluster: a preview needs no cluster,
and every object must be planned for creation.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from engine.providers import ProviderContext
from providers.infra import build_kubernetes_objects
from providers.infra.gpu_pool import GpuPoolProvider
from providers.infra.llm_service import LlmServiceProvider

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        shutil.which("pulumi") is None,
        reason="the `pulumi` CLI is not on PATH (only the Python SDK is installed here); the "
        "real-engine preview of the Kubernetes program runs where the CLI is installed",
    ),
]

UNREACHABLE_KUBECONFIG = """apiVersion: v1
kind: Config
clusters: [{name: none, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: none, user: {token: none}}]
contexts: [{name: none, context: {cluster: none, user: none}}]
current-context: none
"""


def _kubernetes_plugin_installed() -> bool:
    done = subprocess.run(
        ["pulumi", "plugin", "ls"], capture_output=True, text=True, check=False, timeout=60
    )
    return done.returncode == 0 and "kubernetes" in done.stdout


def _inputs(project: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    state = str(project / ".opspec")
    pool = GpuPoolProvider(ProviderContext(str(project), state, "gpu_pool.a100")).check(
        {}, {"kind": "kubernetes", "accelerator": "A100:80GB:2", "max_gpus": 4}
    )
    service = LlmServiceProvider(ProviderContext(str(project), state, "llm_service.chat")).check(
        {},
        {
            "pool": pool.inputs["placement"],
            "model": "artifact://sha256/" + "ab" * 32,
            "image": "vllm/vllm-openai:v0.6.3",
            "gpus": 2,
            "resources": {"cpu": 4, "memory": "32Gi"},
            "autoscaling": {"max_replicas": 2},
        },
    )
    assert pool.failures == [] and service.failures == []
    return pool.inputs, service.inputs


def test_real_engine_previews_the_program(tmp_path: Path) -> None:
    if not _kubernetes_plugin_installed():
        pytest.skip("Pulumi's kubernetes resource plugin is not installed")
    import pulumi
    import pulumi_kubernetes as k8s
    from pulumi import automation as auto

    pool, service = _inputs(tmp_path)

    def program() -> None:
        provider = k8s.Provider("cluster", kubeconfig=UNREACHABLE_KUBECONFIG)
        opts = pulumi.ResourceOptions(provider=provider)
        objects = build_kubernetes_objects("gpu_pool", "gpu_pool.a100", pool, opts=opts)
        build_kubernetes_objects(
            "llm_service", "llm_service.chat", service, depends_on=list(objects.values()), opts=opts
        )

    backend = tmp_path / "backend"
    backend.mkdir()
    stack = auto.create_or_select_stack(
        stack_name="test",
        project_name="opspec-infra",
        program=program,
        opts=auto.LocalWorkspaceOptions(
            project_settings=auto.ProjectSettings(
                name="opspec-infra",
                runtime="python",
                backend=auto.ProjectBackend(url=backend.as_uri()),
            ),
            env_vars={"PULUMI_CONFIG_PASSPHRASE": "test"},
        ),
    )
    preview = stack.preview()
    # Namespace, ResourceQuota, Deployment, Service, HorizontalPodAutoscaler (+ stack, provider).
    assert preview.change_summary.get("create", 0) >= 5
