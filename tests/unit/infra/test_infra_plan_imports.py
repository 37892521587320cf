"""Planning GPU infrastructure imports neither the model server's libraries nor Pulumi's.

Run in a fresh interpreter: check, diff and read of a Kubernetes and a local pool and of a
service on each (the local one serving a model folder), as a plan sees them. torch,
transformers and prometheus_client belong to the local server (``providers.infra.jobs``), and
pulumi_kubernetes to the pulumi executor's program.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

HEAVY = ("torch", "transformers", "prometheus_client", "pulumi_kubernetes", "numpy")

SCRIPT = textwrap.dedent(
    """
    import json, sys
    from engine.providers import ProviderContext
    from providers.infra.gpu_pool import GpuPoolProvider
    from providers.infra.llm_service import LlmServiceProvider

    project, heavy_names, port = sys.argv[1:4]
    ctx = ProviderContext(project, project + "/.opspec", "x.y")
    failures = []

    def plan(provider, news):
        result = provider.check({}, news)
        failures.extend(f.reason for f in result.failures)
        provider.diff("id", result.inputs, provider.check(result.inputs, news).inputs)
        provider.read("id", result.inputs)
        return result.inputs

    kube = plan(GpuPoolProvider(ctx), {"kind": "kubernetes", "accelerator": "A100:80GB:1"})
    local = plan(GpuPoolProvider(ctx), {"kind": "local"})
    plan(LlmServiceProvider(ctx), {"pool": kube["placement"], "model": "m", "image": "i"})
    service = {"pool": local["placement"], "model": "model", "gpus": 0, "port": int(port)}
    plan(LlmServiceProvider(ctx), service)
    heavy = sorted({m.split(".")[0] for m in sys.modules} & set(heavy_names.split(",")))
    print(json.dumps({"failures": failures, "heavy": heavy}))
    """
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_planning_pools_and_services_imports_no_heavy_library(project: Path) -> None:
    model = project / "model"
    model.mkdir()
    (model / "config.json").write_text(json.dumps({"model_type": "llama"}))
    (model / "model.safetensors").write_bytes(b"\0")
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(project), ",".join(HEAVY), str(_free_port())],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[3],
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result == {"failures": [], "heavy": []}
