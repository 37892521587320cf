"""``opspec plan`` of examples/gpu-infra, through the command line, with no cluster anywhere.

The JSON plan must carry, at ``change.after.manifests``, complete manifests that pass the
Kubernetes 1.30 schemas in strict mode; the text plan must list the objects with their GPUs.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import kubernetes_validate
import pytest

pytestmark = pytest.mark.integration

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "gpu-infra"


def _opspec(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "engine.cli.main", "-C", str(project), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    copy = tmp_path / "gpu-infra"
    shutil.copytree(EXAMPLE, copy, ignore=shutil.ignore_patterns(".opspec"))
    return copy


def test_json_plan_has_valid_manifests(project: Path) -> None:
    done = _opspec(project, "plan", "--format", "json")
    assert done.returncode == 0, done.stderr
    plan = json.loads(done.stdout)
    kinds = {}
    for change in plan["resource_changes"]:
        assert change["change"]["actions"] == ["create"]
        manifests = change["change"]["after"]["manifests"]
        kinds[change["address"]] = [m["kind"] for m in manifests]
        for manifest in manifests:
            kubernetes_validate.validate(manifest, "1.30", strict=True)
    assert kinds == {
        "gpu_pool.a100": ["Namespace", "ResourceQuota"],
        "llm_service.chat": ["Deployment", "Service", "HorizontalPodAutoscaler"],
    }
    service = next(c for c in plan["resource_changes"] if c["type"] == "llm_service")
    container = service["change"]["after"]["manifests"][0]["spec"]["template"]["spec"]
    assert container["containers"][0]["resources"]["limits"]["nvidia.com/gpu"] == "2"


def test_text_plan_lists_objects_with_their_gpus(project: Path) -> None:
    done = _opspec(project, "plan")
    assert done.returncode == 0, done.stderr
    assert "ResourceQuota llm-serving/a100-gpus: at most 8 GPUs" in done.stdout
    assert "2 nvidia.com/gpu each" in done.stdout
    assert not (project / ".opspec" / "runs").exists()  # planning ran nothing
