"""Spec files parsed by the forked worker are exactly what in-process parsing gives."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engine.config import specfiles
from engine.config.specfiles import SpecFile, prefetch, read_spec_files

pytestmark = pytest.mark.skipif(
    not hasattr(os, "fork") or (os.cpu_count() or 1) < 2, reason="needs fork and two CPUs"
)


def _project(root: Path, files: int = 6) -> Path:
    for i in range(files):
        lines = ["resources:"]
        for j in range(200):
            n = i * 200 + j
            lines += [f"  null.n{n}:", "    triggers:", f"      index: {n}"]
            if n:
                lines.append(f'      up: "${{null.n{n - 1}.id}}"')
        (root / f"part{i}.ops.yaml").write_text("\n".join(lines) + "\n")
    (root / "zz_bad.ops.yaml").write_text("resources:\n  null.x: [unclosed\n")
    (root / "zz_latin1.ops.yaml").write_bytes("resources: {}\n# caf\xe9\n".encode("latin-1"))
    return root


def _shape(files: list[SpecFile]) -> list[tuple[str, str, object, object]]:
    return [(f.name, f.sha256, f.doc, f.error) for f in files]


def _pending_worker(directory: Path) -> specfiles._Worker:
    return specfiles._pending[(directory.resolve(), False)]


def test_worker_result_equals_in_process_parse(tmp_path: Path) -> None:
    project = _project(tmp_path)
    expected = read_spec_files(project, untrusted=False)
    prefetch(project, untrusted=False)
    worker = _pending_worker(project)
    time.sleep(0.5)  # let the worker finish everything
    got = read_spec_files(project, untrusted=False)
    assert _shape(got) == _shape(expected)
    assert got[-2].error is not None and got[-2].error[2:] == (
        3,
        1,
    )  # the unclosed list, found at the end
    assert got[-1].error == ("zz_latin1.ops.yaml is not UTF-8 text", "", 1, 1)
    with pytest.raises(ChildProcessError):
        os.waitpid(worker.pid, os.WNOHANG)  # stopped and reaped


def test_main_process_and_worker_meet_half_way(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path, files=30)
    expected = read_spec_files(project, untrusted=False)
    original = specfiles.read_spec_file
    here = os.getpid()
    parsed_here: list[str] = []

    def paced(path: Path, root: Path, *, untrusted: bool) -> SpecFile:
        if os.getpid() == here:
            parsed_here.append(path.name)
        else:
            time.sleep(0.05)  # the forked worker: slow enough to be met, whatever the load
        return original(path, root, untrusted=untrusted)

    monkeypatch.setattr(specfiles, "read_spec_file", paced)
    prefetch(project, untrusted=False)
    got = read_spec_files(project, untrusted=False)
    assert _shape(got) == _shape(expected)
    assert parsed_here and parsed_here[0] == expected[-1].name  # from the last file backwards


def test_a_worker_that_dies_means_parsing_in_process(tmp_path: Path) -> None:
    project = _project(tmp_path)
    expected = read_spec_files(project, untrusted=False)
    prefetch(project, untrusted=False)
    os.kill(_pending_worker(project).pid, signal.SIGKILL)
    assert _shape(read_spec_files(project, untrusted=False)) == _shape(expected)


def test_untrusted_links_out_of_the_project_are_refused_by_the_worker(tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text("resources: {}\n")
    project = tmp_path / "project"
    project.mkdir()
    (project / "link.ops.yaml").symlink_to(outside)
    prefetch(project, untrusted=True)
    (spec,) = read_spec_files(project, untrusted=True)
    assert spec.doc is None and spec.error is not None
    assert "link to a file outside the project" in spec.error[0]


def test_the_console_script_reports_positions_through_the_worker(tmp_path: Path) -> None:
    project = _project(tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "OPSPEC_PREFETCH"}
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "from engine.cli.main import run; run()",
            "-C",
            str(project),
            "plan",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert run.returncode == 1
    assert "zz_bad.ops.yaml:3:1" in run.stderr
    assert "zz_latin1.ops.yaml:1:1" in run.stderr
