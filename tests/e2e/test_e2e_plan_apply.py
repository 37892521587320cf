"""plan → apply → plan through the CLI: clean re-plans, exact diffs of edits, drift, JSON plans,
and an apply that refuses to ask for confirmation when there is no terminal."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from cli_harness import OPSPEC, RUN_TIMEOUT_S, CliProject, changed_only, planned_headers

SPEC = """\
variables:
  greeting: {type: string, default: hello}
resources:
  null.base:
    triggers: {v: "1"}
  null.child:
    triggers: {base: "${null.base.id}", size: "small"}
  file.notes:
    path: out/notes.txt
    content: "${var.greeting} world\\n"
  file.kept:
    path: out/kept.txt
    content: "kept\\n"
  file.lost:
    path: out/lost.txt
    content: "lost\\n"
  command.echo:
    create: "echo ran"
    depends_on: [file.notes]
outputs:
  notes_sha: {value: "${file.notes.sha256}"}
"""


def test_replan_is_clean_and_edits_and_drift_show_exactly_what_changed(cli: CliProject) -> None:
    cli.write(SPEC)
    cli.run("apply", "--auto-approve")

    clean = cli.run("plan", "--detailed-exitcode")
    assert "No changes" in clean.stdout
    assert planned_headers(clean.stdout) == {}

    # Two spec edits (a variable and a field), one file edited and one deleted by hand.
    cli.edit('size: "small"', 'size: "large"')
    (cli.root / "out" / "kept.txt").write_text("edited by hand\n")
    (cli.root / "out" / "lost.txt").unlink()
    text = cli.run("plan", "--detailed-exitcode", "--var", "greeting=bye", expect=2).stdout
    assert planned_headers(text) == {
        "file.notes": "updated in-place",
        "null.child": "replaced",
        "file.kept": "updated in-place",
        "file.lost": "created",
    }, text
    assert "because input `content` changed" in text
    assert '~ content = "hello world\\n" -> "bye world\\n"' in text
    assert "because input `triggers.size` changed" in text
    assert '~ triggers.size = "small" -> "large"  # forces replacement' in text
    assert "changed outside opspec" in text
    assert '~ content = "edited by hand\\n" -> "kept\\n"' in text
    assert "deleted outside opspec" in text
    assert "Plan: 2 to add, 2 to change, 1 to destroy." in text

    run = cli.run("plan", "--format", "json", "--var", "greeting=bye")
    assert run.stderr == ""
    plan = run.json()
    assert plan["format_version"] == "1.0"
    assert changed_only(plan) == {
        "file.notes": ["update"],
        "null.child": ["delete", "create"],
        "file.kept": ["update"],
        "file.lost": ["create"],
    }
    by_addr = {rc["address"]: rc for rc in plan["resource_changes"]}
    assert {a: rc["action_reason"] for a, rc in by_addr.items()} == {
        "file.notes": "update",
        "null.child": "replace_because_cannot_update",
        "file.kept": "drift",
        "file.lost": "drift",
        "null.base": "no_op",
        "command.echo": "no_op",
    }
    assert "triggers.size" in by_addr["null.child"]["reason"]
    assert by_addr["null.child"]["change"]["replace_paths"] == [["triggers"]]
    notes = by_addr["file.notes"]
    assert notes["change"]["before"]["content"] == "hello world\n"
    assert notes["change"]["after"]["content"] == "bye world\n"
    assert {"address", "type", "name", "change", "action_reason", "reason"} <= notes.keys()
    assert {"before", "after", "after_unknown", "replace_paths"} <= notes["change"].keys()
    assert plan["output_changes"]["notes_sha"]["actions"] == ["update"]

    cli.run("apply", "--auto-approve", "--var", "greeting=bye")
    cli.run("plan", "--detailed-exitcode", "--var", "greeting=bye")
    assert (cli.root / "out" / "notes.txt").read_text() == "bye world\n"
    assert (cli.root / "out" / "kept.txt").read_text() == "kept\n"
    assert (cli.root / "out" / "lost.txt").read_text() == "lost\n"


def test_json_plan_of_a_broken_spec_keeps_stdout_empty(cli: CliProject) -> None:
    cli.write(SPEC.replace('content: "kept\\n"', "contents: oops"))
    run = cli.run("plan", "--format", "json", expect=1)
    assert run.stdout == ""
    assert "main.ops.yaml:" in run.stderr
    assert "contents" in run.stderr


def test_apply_without_terminal_refuses_instead_of_hanging(cli: CliProject) -> None:
    cli.write(SPEC)
    run = cli.run("apply", timeout=60, expect=1)
    assert "--auto-approve" in run.stderr
    assert "terminal" in run.stderr
    assert "will be created" in run.stdout
    assert not (cli.root / "out").exists()


@pytest.mark.parametrize("command", [("plan",), ("apply", "--auto-approve"), ("state", "list")])
def test_a_missing_project_directory_is_refused_and_not_created(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    missing = tmp_path / "no-such-project"
    run = subprocess.run(
        [*OPSPEC, "-C", str(missing), *command],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=RUN_TIMEOUT_S,
    )
    assert run.returncode == 1, run.stderr
    assert f"project directory {missing} does not exist" in run.stderr
    assert not missing.exists()  # no state folder left behind
