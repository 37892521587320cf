"""The ``command`` provider: runs only on apply, outputs, failures, update/replace, delete."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from engine.errors import JobError
from engine.expr.unknown import UNKNOWN
from engine.providers import ProviderContext
from providers.core.command import CommandProvider
from providers.core.errors import CommandFailedError


def _checked(provider: CommandProvider, news: dict[str, Any]) -> dict[str, Any]:
    result = provider.check({}, news)
    assert result.failures == []
    return result.inputs


def _runs(project: Path) -> list[Path]:
    return sorted((project / ".opspec" / "runs").glob("*/*/log.txt"))


# -- plan-time calls run nothing ----------------------------------------------------------


def test_check_diff_and_read_never_run_the_command(ctx: ProviderContext, project: Path) -> None:
    provider = CommandProvider(ctx)
    news = {"create": "touch created", "update": "touch updated", "delete": "touch deleted"}
    inputs = _checked(provider, news)
    olds = {**inputs, "create": "touch other", "stdout": "", "exit_code": 0}
    provider.diff("id", olds, inputs)
    provider.read("id", olds)
    assert sorted(p.name for p in project.iterdir()) == []


def test_check_normalizes_environment_values_to_strings(ctx: ProviderContext) -> None:
    inputs = _checked(
        CommandProvider(ctx),
        {"create": "true", "environment": {"PORT": 8080.0, "DEBUG": True, "NAME": "x"}},
    )
    assert inputs["environment"] == {"PORT": "8080", "DEBUG": "true", "NAME": "x"}


@pytest.mark.parametrize("working_dir", ["../elsewhere", "/tmp", "a/../.."])
def test_check_refuses_a_working_dir_outside(ctx: ProviderContext, working_dir: str) -> None:
    failures = CommandProvider(ctx).check({}, {"create": "true", "working_dir": working_dir})
    assert [f.property for f in failures.failures] == ["working_dir"]


def test_check_refuses_a_working_dir_symlinked_outside(ctx: ProviderContext, project: Path) -> None:
    (project / "out").symlink_to(project.parent)
    failures = CommandProvider(ctx).check({}, {"create": "true", "working_dir": "out"}).failures
    assert [f.property for f in failures] == ["working_dir"]


def test_check_refuses_a_working_dir_that_is_a_file(ctx: ProviderContext, project: Path) -> None:
    (project / "notes.txt").write_text("")
    failures = CommandProvider(ctx).check({}, {"create": "true", "working_dir": "notes.txt"})
    assert [f.property for f in failures.failures] == ["working_dir"]


def test_check_reports_missing_create_and_bad_timeout(ctx: ProviderContext) -> None:
    failures = CommandProvider(ctx).check({}, {"timeout_s": 0}).failures
    assert sorted(f.property for f in failures) == ["create", "timeout_s"]


def test_check_keeps_unknowns(ctx: ProviderContext) -> None:
    news = {"create": "echo ${x}", "environment": {"MODEL": UNKNOWN}}
    result = CommandProvider(ctx).check({}, news)
    assert (result.inputs, result.failures) == (news, [])


# -- create -------------------------------------------------------------------------------


def test_create_runs_in_the_project_with_the_environment(
    ctx: ProviderContext, project: Path
) -> None:
    provider = CommandProvider(ctx)
    inputs = _checked(
        provider,
        {
            "create": 'echo "$GREETING $N"; pwd; echo "[$PYTHONPATH]"',
            "environment": {"GREETING": "hi", "N": 3.0},
        },
    )
    created = provider.create(inputs)
    expected_pythonpath = os.environ.get("PYTHONPATH", "")
    assert created.outs == {
        **inputs,
        "stdout": f"hi 3\n{project}\n[{expected_pythonpath}]",
        "exit_code": 0,
    }
    (log,) = _runs(project)
    assert log.parent.parent.name == "test.resource"
    assert "hi 3" in log.read_text()


def test_create_runs_in_the_working_dir(ctx: ProviderContext, project: Path) -> None:
    (project / "sub").mkdir()
    provider = CommandProvider(ctx)
    created = provider.create(_checked(provider, {"create": "pwd", "working_dir": "sub"}))
    assert (created.outs or {})["stdout"] == str(project / "sub")


def test_create_failure_names_the_status_and_the_end_of_stderr(ctx: ProviderContext) -> None:
    provider = CommandProvider(ctx)
    script = "for i in $(seq 1 30); do echo line$i >&2; done; echo out; exit 3"
    with pytest.raises(CommandFailedError) as info:
        provider.create(_checked(provider, {"create": script}))
    message = str(info.value)
    assert "status 3" in message
    assert "line30" in message and "line11" in message
    assert "line10\n" not in message  # only the last lines
    assert info.value.exit_code == 3
    assert isinstance(info.value, JobError)


def test_create_stops_a_command_that_runs_too_long(ctx: ProviderContext) -> None:
    provider = CommandProvider(ctx)
    with pytest.raises(JobError, match="timed out"):
        provider.create(_checked(provider, {"create": "sleep 30", "timeout_s": 0.5}))


def test_untrusted_context_refuses_to_run(project: Path) -> None:
    ctx = ProviderContext(str(project), str(project / ".opspec"), "command.x", untrusted=True)
    with pytest.raises(JobError, match="untrusted"):
        CommandProvider(ctx).create({"create": "touch ran"})
    assert not (project / "ran").exists()


# -- diff ---------------------------------------------------------------------------------


def _stored(news: dict[str, Any]) -> dict[str, Any]:
    return {**news, "stdout": "previous", "exit_code": 0}


@pytest.mark.parametrize(
    ("change", "replaces"),
    [
        ({"create": "echo b"}, ["create"]),
        ({"environment": {"A": "2"}}, ["environment"]),
        ({"working_dir": "sub"}, ["working_dir"]),
        ({"triggers": {"t": 2}}, ["triggers"]),
        ({"delete": "echo bye"}, []),
    ],
)
def test_diff_without_update_replaces_on_what_the_command_depends_on(
    ctx: ProviderContext, change: dict[str, Any], replaces: list[str]
) -> None:
    olds = {"create": "echo a", "environment": {"A": "1"}, "triggers": {"t": 1}}
    diff = CommandProvider(ctx).diff("id", _stored(olds), {**olds, **change})
    assert (diff.changes, diff.replaces) == (True, replaces)


def test_diff_with_update_updates_in_place_except_for_triggers(ctx: ProviderContext) -> None:
    olds = {"create": "echo a", "update": "echo u", "triggers": {"t": 1}}
    provider = CommandProvider(ctx)
    diff = provider.diff("id", _stored(olds), {**olds, "create": "echo b"})
    assert (diff.changes, diff.replaces) == (True, [])
    diff = provider.diff("id", _stored(olds), {**olds, "triggers": {"t": 2.0}})
    assert diff.replaces == ["triggers"]
    assert provider.diff("id", _stored(olds), dict(olds)).changes is False


# -- update / delete ----------------------------------------------------------------------


def test_update_runs_the_update_command_with_the_previous_stdout(ctx: ProviderContext) -> None:
    provider = CommandProvider(ctx)
    olds = provider.create(
        _checked(provider, {"create": "echo v1", "update": 'echo "was $OPSPEC_COMMAND_STDOUT"'})
    ).outs
    assert olds is not None
    news = _checked(provider, {"create": "echo v2", "update": 'echo "was $OPSPEC_COMMAND_STDOUT"'})
    updated = provider.update("id", olds, news)
    assert (updated.outs or {})["stdout"] == "was v1"


def test_update_of_settings_only_runs_nothing(ctx: ProviderContext, project: Path) -> None:
    provider = CommandProvider(ctx)
    olds = provider.create(_checked(provider, {"create": "echo v1"})).outs
    assert olds is not None
    news = _checked(provider, {"create": "echo v1", "delete": "echo bye", "timeout_s": 5})
    updated = provider.update("id", olds, news)
    assert updated.outs == {**news, "stdout": "v1", "exit_code": 0}
    assert len(_runs(project)) == 1  # the create only


def test_delete_runs_the_delete_command(ctx: ProviderContext, project: Path) -> None:
    provider = CommandProvider(ctx)
    created = provider.create(
        _checked(
            provider,
            {"create": "echo made.txt; touch made.txt", "delete": 'rm "$OPSPEC_COMMAND_STDOUT"'},
        )
    )
    assert (project / "made.txt").exists()
    provider.delete(created.id, dict(created.outs or {}))
    assert not (project / "made.txt").exists()


def test_delete_without_a_command_runs_nothing(ctx: ProviderContext, project: Path) -> None:
    provider = CommandProvider(ctx)
    provider.delete("id", {"create": "touch x", "stdout": "", "exit_code": 0})
    assert _runs(project) == []


def test_a_failed_delete_raises(ctx: ProviderContext) -> None:
    provider = CommandProvider(ctx)
    with pytest.raises(CommandFailedError, match="status 1"):
        provider.delete("id", {"create": "true", "delete": "false", "stdout": "", "exit_code": 0})


def test_create_in_a_missing_working_dir_says_so(ctx: ProviderContext, project: Path) -> None:
    provider = CommandProvider(ctx)
    with pytest.raises(JobError, match="working_dir is not a directory"):
        provider.create(_checked(provider, {"create": "true", "working_dir": "missing"}))
    assert _runs(project) == []
