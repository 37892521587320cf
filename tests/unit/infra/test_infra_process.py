"""Telling our server processes from others, stopping them, and waiting for health."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from providers.infra.errors import PortInUseError, ServerError
from providers.infra.server_process import (
    find_server,
    is_server,
    start_server,
    stop_server,
    wait_healthy,
)


@pytest.fixture
def fake_server(project: Path) -> Iterator[int]:
    """A sleeping process whose command line looks like a server of ``llm_service.x``."""
    sleeper = [sys.executable, "-c", "import time; time.sleep(60)"]
    argv = [*sleeper, "providers.infra.jobs.server", "--port", "18001"]
    proc = subprocess.Popen([*argv, "--name", "llm_service.x"], cwd=project, start_new_session=True)
    yield proc.pid
    proc.kill()
    proc.wait()


def test_recognises_its_own_server(fake_server: int, project: Path, tmp_path: Path) -> None:
    assert is_server(fake_server, 18001)
    assert not is_server(fake_server, 18002)
    assert find_server(18001, "llm_service.x", project) == fake_server
    assert find_server(18001, "llm_service.y", project) is None
    assert find_server(18001, "llm_service.x", tmp_path) is None  # another project's


def test_stop_is_idempotent(fake_server: int) -> None:
    stop_server(fake_server)
    deadline = time.monotonic() + 5
    while is_server(fake_server, 18001) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not is_server(fake_server, 18001)
    stop_server(fake_server)


def test_a_server_never_healthy_is_stopped(fake_server: int, tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    log.write_text("loading weights\n")
    with pytest.raises(ServerError, match=r"not ready after 0.3s(.|\n)*loading weights"):
        wait_healthy(fake_server, "http://127.0.0.1:1/health", 0.3, log)
    deadline = time.monotonic() + 5
    while is_server(fake_server, 18001) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not is_server(fake_server, 18001)


def test_start_refuses_a_port_in_use(project: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(PortInUseError, match=str(port)):
            start_server(
                model_dir=project,
                host="127.0.0.1",
                port=port,
                device="cpu",
                extra_args=[],
                log_path=project / "server.log",
                cwd=project,
            )
    assert not (project / "server.log").exists()
