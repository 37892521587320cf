"""A model served on a local pool, end to end: create, complete, measure, drift, delete."""

from __future__ import annotations

import json
import os
import signal
import socket
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from engine.providers import ProviderContext
from providers.infra.errors import PortInUseError, ServerError
from providers.infra.gpu_pool import GpuPoolProvider
from providers.infra.llm_service import LlmServiceProvider
from providers.infra.server_process import is_server, port_in_use

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _providers(project: Path) -> tuple[dict[str, Any], LlmServiceProvider]:
    state = str(project / ".opspec")
    pool = GpuPoolProvider(ProviderContext(str(project), state, "gpu_pool.here"))
    placement = pool.check({}, {"kind": "local"}).inputs["placement"]
    service = LlmServiceProvider(ProviderContext(str(project), state, "llm_service.chat"))
    return placement, service


def _post(url: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        url, json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        result: dict[str, Any] = json.loads(response.read())
    return result


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return str(response.read().decode())


def _wait_gone(pid: int, port: int) -> None:
    deadline = time.monotonic() + 10
    while (is_server(pid, port) or port_in_use("127.0.0.1", port)) and time.monotonic() < deadline:
        time.sleep(0.1)


def test_serve_complete_measure_drift_and_delete(project: Path, free_port: int) -> None:
    placement, provider = _providers(project)
    news = {"pool": placement, "model": "model", "gpus": 0, "port": free_port}
    checked = provider.check({}, {**news, "args": ["--threads", "1"]})
    assert checked.failures == []

    created = provider.create(checked.inputs)
    url, pid = created.outs["url"], created.outs["pid"]
    try:
        assert created.outs["status"] == "running"
        assert Path(created.outs["log_path"]).is_relative_to(project / ".opspec" / "runs")
        answer = _post(
            f"{url}/v1/completions", {"prompt": "the cat sat", "max_tokens": 6, "temperature": 0}
        )
        assert answer["choices"][0]["text"].strip()
        assert answer["usage"] == {"prompt_tokens": 3, "completion_tokens": 6, "total_tokens": 9}
        assert answer["choices"][0]["finish_reason"] == "length"
        metrics = _get(f"{url}/metrics")
        assert 'opspec_llm_requests_total{code="200",endpoint="/v1/completions"} 1.0' in metrics
        assert 'opspec_llm_request_latency_seconds_count{endpoint="/v1/completions"} 1.0' in metrics
        assert "opspec_llm_completion_tokens_total 6.0" in metrics
        assert "opspec_llm_prompt_tokens_total 3.0" in metrics

        assert provider.read(created.id, created.outs).outs == created.outs  # no drift

        os.kill(pid, signal.SIGKILL)  # killed outside opspec
        _wait_gone(pid, free_port)
        refreshed = provider.read(created.id, created.outs).outs
        assert refreshed["status"] == "stopped"
        assert refreshed != created.outs
        diff = provider.diff(created.id, refreshed, checked.inputs)
        assert diff.changes and "status" in (diff.replaces or [])

        provider.delete(created.id, refreshed)  # already gone: still fine
        again = provider.create(checked.inputs)
        pid = again.outs["pid"]
        assert _get(f"{url}/health")
    finally:
        provider.delete(created.id, {**created.outs, "pid": pid})
    _wait_gone(pid, free_port)
    assert not is_server(pid, free_port)
    assert not port_in_use("127.0.0.1", free_port)
    provider.delete(created.id, {**created.outs, "pid": pid})  # idempotent


def test_a_model_that_does_not_load_fails_with_the_server_log(
    project: Path, free_port: int
) -> None:
    broken = project / "broken"
    broken.mkdir()
    for name in (
        "config.json",
        "tokenizer.json",
        "tokenizer_config.json",
        "special_tokens_map.json",
    ):
        (broken / name).write_bytes((project / "model" / name).read_bytes())
    (broken / "model.safetensors").write_bytes(b"these are not weights")
    placement, provider = _providers(project)
    checked = provider.check(
        {}, {"pool": placement, "model": "broken", "gpus": 0, "port": free_port}
    )
    assert checked.failures == []  # it looks like a model until the server tries it
    with pytest.raises(ServerError) as info:
        provider.create(checked.inputs)
    message = str(info.value)
    assert "llm_service.chat: the server exited" in message
    assert "SafetensorError" in message  # the loader's own error, from the log
    assert "server.log" in message
    assert not port_in_use("127.0.0.1", free_port)


def test_a_port_taken_since_the_plan_fails_cleanly(project: Path, free_port: int) -> None:
    placement, provider = _providers(project)
    checked = provider.check(
        {}, {"pool": placement, "model": "model", "gpus": 0, "port": free_port}
    )
    assert checked.failures == []
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", free_port))
        taken.listen()
        with pytest.raises(PortInUseError, match=f"port {free_port} on 127.0.0.1 is in use"):
            provider.create(checked.inputs)
