"""A local pool and a served model through the ``opspec`` command line: apply, ask, kill, plan,
destroy. The model is a tiny Llama built in the test (see conftest), so nothing is downloaded."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from providers.infra.server_process import port_in_use

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SPEC = """
resources:
  gpu_pool.here:
    kind: local
  llm_service.chat:
    pool: ${{gpu_pool.here.placement}}
    model: model
    gpus: 0
    port: {port}
    args: ["--threads", "1"]
"""


def _opspec(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "engine.cli.main", "-C", str(project), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)


def _service_change(project: Path) -> dict[str, Any]:
    done = _opspec(project, "plan", "--format", "json")
    assert done.returncode == 0, done.stderr
    plan = json.loads(done.stdout)
    change: dict[str, Any] = next(
        c for c in plan["resource_changes"] if c["address"] == "llm_service.chat"
    )
    return change


# The tiny test model has no benchmark upstream; the project approves it the way a team
# approves a model evaluated elsewhere, so the mandatory gated-upstream policy passes.
POLICY_CONFIG = """
builtin:
  gated-evaluation-upstream: {approved_models: [model]}
"""


def test_apply_serve_kill_plan_destroy(project: Path, free_port: int) -> None:
    (project / "main.ops.yaml").write_text(SPEC.format(port=free_port))
    (project / "policies").mkdir(exist_ok=True)
    (project / "policies" / "config.yaml").write_text(POLICY_CONFIG)
    url = f"http://127.0.0.1:{free_port}"
    done = _opspec(project, "apply", "--auto-approve")
    assert done.returncode == 0, done.stdout + done.stderr
    try:
        body = json.dumps({"prompt": "the dog ran", "max_tokens": 4, "temperature": 0}).encode()
        request = urllib.request.Request(f"{url}/v1/completions", body)
        with urllib.request.urlopen(request, timeout=60) as response:
            answer = json.loads(response.read())
        assert answer["choices"][0]["text"].strip()
        with urllib.request.urlopen(f"{url}/metrics", timeout=10) as response:
            assert b"opspec_llm_completion_tokens_total 4.0" in response.read()
        assert _service_change(project)["change"]["actions"] == ["no-op"]

        state = json.loads(_opspec(project, "state", "pull").stdout)
        pid = _pid_of(state)
        os.kill(pid, signal.SIGKILL)  # outside opspec
        deadline = time.monotonic() + 10
        while port_in_use("127.0.0.1", free_port) and time.monotonic() < deadline:
            time.sleep(0.1)
        change = _service_change(project)
        assert change["change"]["actions"] == ["delete", "create"]
        assert change["change"]["before"]["status"] == "running"
        assert _opspec(project, "apply", "--auto-approve").returncode == 0
        assert _healthy(url)  # recreated
    finally:
        done = _opspec(project, "destroy", "--auto-approve")
    assert done.returncode == 0, done.stdout + done.stderr
    assert not _healthy(url)


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def _pid_of(state: dict[str, Any]) -> int:
    service = next(r for r in state["resources"] if r["address"] == "llm_service.chat")
    return int(service["outputs"]["pid"])
