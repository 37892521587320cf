"""The job runner: a callable in a child process, its log, failures, timeout, cancellation."""

from __future__ import annotations

import os
import stat
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import engine.jobs.runner
import specs.core
from engine.errors import JobError
from engine.jobs.runner import cancel_all_jobs, reset_cancellation, run_job
from providers.core.jobs import shell

# The "project" whose modules jobs import: the folder holding jobfuncs.py.
HERE = Path(__file__).parent


@pytest.fixture(autouse=True)
def _no_leftover_cancellation() -> Iterator[None]:
    reset_cancellation()
    yield
    reset_cancellation()


def test_success_returns_the_value_and_keeps_the_log(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    result = run_job(
        runs, "training_job.intent", "jobfuncs:add", {"a": 1, "b": 2}, cwd=HERE, code_dir=HERE
    )
    assert result.value == {"sum": 3, "cwd": str(HERE)}
    assert result.log_path == result.run_dir / "log.txt"
    assert result.run_dir.parent == runs / "training_job.intent"
    assert "adding 1 and 2" in result.log_path.read_text()
    assert result.duration_s > 0


def test_each_run_has_its_own_folder_named_after_the_address(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    first = run_job(
        runs, 'null.sweep["small"]', "jobfuncs:add", {"a": 1, "b": 1}, cwd=HERE, code_dir=HERE
    )
    second = run_job(
        runs, 'null.sweep["small"]', "jobfuncs:add", {"a": 1, "b": 1}, cwd=HERE, code_dir=HERE
    )
    assert first.run_dir != second.run_dir
    assert first.run_dir.parent == second.run_dir.parent == runs / "null.sweep_small"


def test_an_exception_fails_the_job_with_its_traceback(tmp_path: Path) -> None:
    with pytest.raises(JobError) as info:
        run_job(
            tmp_path / "runs",
            "job.x",
            "jobfuncs:fail",
            {"message": "boom"},
            cwd=HERE,
            code_dir=HERE,
        )
    message = str(info.value)
    assert "status 1" in message
    assert "ValueError: boom" in message
    (log,) = (tmp_path / "runs" / "job.x").glob("*/log.txt")
    assert "Traceback" in log.read_text()
    assert str(log) in message


def test_a_crash_of_the_child_fails_the_job(tmp_path: Path) -> None:
    with pytest.raises(JobError, match="status 137") as info:
        run_job(
            tmp_path / "runs", "job.x", "jobfuncs:crash", {"status": 137}, cwd=HERE, code_dir=HERE
        )
    assert "crashing" in str(info.value)


def test_a_value_that_is_not_json_fails_the_job(tmp_path: Path) -> None:
    with pytest.raises(JobError, match="status 1"):
        run_job(tmp_path / "runs", "job.x", "jobfuncs:not_json", {}, cwd=HERE, code_dir=HERE)


def test_an_unknown_target_fails_the_job(tmp_path: Path) -> None:
    with pytest.raises(JobError, match="No module named"):
        run_job(tmp_path / "runs", "job.x", "no_such_module:f", {}, cwd=HERE, code_dir=HERE)


def _assert_stopped(marker: Path) -> None:
    pid = int(marker.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_timeout_stops_the_job(tmp_path: Path) -> None:
    marker = tmp_path / "pid"
    started = time.monotonic()
    with pytest.raises(JobError, match="timed out after 1s"):
        run_job(
            tmp_path / "runs",
            "job.x",
            "jobfuncs:sleep",
            {"seconds": 60, "marker": str(marker)},
            timeout_s=1,
            cwd=HERE,
            code_dir=HERE,
        )
    assert time.monotonic() - started < 15
    _assert_stopped(marker)


def test_cancel_all_jobs_stops_running_jobs(tmp_path: Path) -> None:
    marker = tmp_path / "pid"
    errors: list[BaseException] = []

    def run() -> None:
        try:
            run_job(
                tmp_path / "runs",
                "job.x",
                "jobfuncs:sleep",
                {"seconds": 60, "marker": str(marker)},
                cwd=HERE,
                code_dir=HERE,
            )
        except BaseException as exc:
            errors.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    deadline = time.monotonic() + 30
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    cancel_all_jobs()
    worker.join(timeout=30)
    assert not worker.is_alive()
    assert len(errors) == 1 and isinstance(errors[0], JobError)
    assert "cancelled" in str(errors[0])
    _assert_stopped(marker)

    reset_cancellation()
    result = run_job(
        tmp_path / "runs", "job.x", "jobfuncs:add", {"a": 2, "b": 2}, cwd=HERE, code_dir=HERE
    )
    assert result.value["sum"] == 4


def test_env_reaches_the_child(tmp_path: Path) -> None:
    result = run_job(
        tmp_path / "runs",
        "job.x",
        "jobfuncs:environment",
        {"name": "OPSPEC_TEST_VALUE"},
        env={"OPSPEC_TEST_VALUE": "42"},
        cwd=HERE,
        code_dir=HERE,
    )
    assert result.value == "42"


def test_project_packages_do_not_shadow_opspec_packages(tmp_path: Path) -> None:
    # A project may hold its own packages named like ours; jobs still get opspec's modules.
    project = tmp_path / "project"
    for module in ("engine/jobs/runner.py", "specs/core.py", "providers/core/jobs/shell.py"):
        path = project / module
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("raise ImportError('the project shadowed opspec')\n")
        for folder in path.relative_to(project).parents:
            (project / folder / "__init__.py").touch()
    (project / "userjob.py").write_text(
        "import engine.jobs.runner\nimport providers.core.jobs.shell\nimport specs.core\n\n\n"
        "def origin():\n"
        "    modules = (engine.jobs.runner, specs.core, providers.core.jobs.shell)\n"
        "    return [m.__file__ for m in modules]\n"
    )
    result = run_job(
        tmp_path / "runs", "job.x", "userjob:origin", {}, cwd=project, code_dir=project
    )
    assert result.value == [engine.jobs.runner.__file__, specs.core.__file__, shell.__file__]


def test_run_folders_are_private(tmp_path: Path) -> None:
    result = run_job(
        tmp_path / "runs", "job.x", "jobfuncs:add", {"a": 1, "b": 2}, cwd=HERE, code_dir=HERE
    )
    for folder in (tmp_path / "runs", result.run_dir.parent, result.run_dir):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
