"""Hostile or damaged inputs through the CLI: a diagnostic or an error and exit 1, in seconds,
with no traceback and nothing changed (issue 11, items 7, 10 and 13)."""

from __future__ import annotations

import gzip
import json
import stat
import subprocess
from pathlib import Path

import pytest
from cli_harness import CliProject

SECRET = "canary-7d1f0c2e"
# Far more than the bounded loader needs; without the bounds these ran for minutes or forever.
QUICK_S = 60.0


def _bomb() -> str:
    lines = ["locals:", "  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 10):
        lines.append(f"  a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]")
    return "\n".join(lines) + '\nresources:\n  null.a: {triggers: {x: "${local.a9}"}}\n'


def _failed_quietly(cli: CliProject, *args: str) -> str:
    run = cli.run(*args, expect=1, timeout=QUICK_S)
    assert "Traceback" not in run.stderr, run.describe()
    return run.stderr


@pytest.mark.parametrize(
    ("spec", "where", "message"),
    [
        (_bomb(), "main.ops.yaml:", "aliases expand the document past 200,000 nodes"),
        ("resources:\n  null.a: {triggers: {x: " + "[" * 100_000, "main.ops.yaml:2:", "nests"),
        (
            "resources:\n  null.a:\n    triggers: {x: &x 1, y: " + "[" * 3000 + "*x" + "]" * 3000,
            "main.ops.yaml:3:",
            "nests deeper than 100 levels",
        ),
        (
            "resources:\n  null.a: {triggers: {n: " + "7" * 4400 + "}}\n",
            ":2:",
            "not an integer of 64 bits",
        ),
        ("resources:\n  null.a: {triggers: {n: .nan}}\n", ":2:26", "not a finite number"),
        ("outputs:\n  b: {value: !!binary aGVsbG8=}\n", ":2:14", "!!binary is not supported"),
    ],
    ids=["alias bomb", "100k brackets", "3000 deep with an alias", "4400 digits", "nan", "binary"],
)
def test_hostile_yaml_is_a_positioned_diagnostic(
    cli: CliProject, spec: str, where: str, message: str
) -> None:
    cli.write(spec)
    for command in ("validate", "plan"):
        stderr = _failed_quietly(cli, command)
        assert where in stderr and message in stderr, stderr
    assert cli.run("state", "list").stdout == ""


def test_dates_and_sets_reach_outputs_as_json_and_a_set_plans_no_change(cli: CliProject) -> None:
    members = ", ".join(f"m{i}" for i in range(30))
    cli.write(
        f"resources:\n  null.a: {{triggers: {{tags: !!set {{{members}}}}}}}\n"
        "outputs:\n"
        "  day: {value: 2024-05-01}\n"
        "  tags: {value: !!set {b, a}}\n"
    )
    cli.run("apply", "--auto-approve")
    outputs = cli.run("output", "--json").json()
    assert outputs["day"]["value"] == "2024-05-01"
    assert outputs["tags"]["value"] == ["b", "a"]
    # A set used to load in a different order in every process: a replacement on every plan.
    for _ in range(3):
        cli.run("plan", "--detailed-exitcode", expect=0)


def _plan_file(cli: CliProject, doc: object) -> Path:
    path = cli.root / "damaged.plan"
    path.write_bytes(gzip.compress(json.dumps(doc).encode()))
    return path


def test_a_damaged_plan_file_is_an_error_for_show_and_apply(cli: CliProject) -> None:
    cli.write("resources:\n  null.a: {}\n")
    cli.run("plan", "--out", str(cli.root / "good.plan"))
    good = json.loads(gzip.decompress((cli.root / "good.plan").read_bytes()))
    no_changes = {k: v for k, v in good.items() if k != "changes"}
    bad_action = {
        **good,
        "outputs": {"o": {"actions": ["explode"], "before": 1, "after": 2, "sensitive": False}},
    }
    bad_before = json.loads(json.dumps(good))
    bad_before["changes"][0]["change"]["before"] = "a string"
    for doc in ([1, 2], no_changes, bad_action, bad_before):
        path = _plan_file(cli, doc)
        for command in (("show", str(path)), ("apply", str(path))):
            stderr = _failed_quietly(cli, *command)
            assert "damaged.plan" in stderr and "error:" in stderr
    deep = cli.root / "deep.plan"
    deep.write_bytes(
        gzip.compress(
            b'{"magic": "opspec-plan", "version": 1, "changes": '
            + b"[" * 100_000
            + b"]" * 100_000
            + b"}"
        )
    )
    _failed_quietly(cli, "apply", str(deep))
    assert cli.run("state", "list").stdout == ""  # nothing was applied


@pytest.mark.parametrize(
    "content",
    [
        '{"resources": 5}',
        "[1]",
        '{"resources": [{"address": 1, "type": "null"}]}',
        '{"resources": [{"address": "null.a"}]}',
        '{"serial": "many"}',
        "[" * 100_000,
        '{"resources": [' * 5000,
    ],
)
def test_damaged_state_push_input_changes_nothing(cli: CliProject, content: str) -> None:
    cli.write("resources:\n  null.a: {}\n")
    cli.run("apply", "--auto-approve")
    before = cli.pull()
    bad = cli.root.parent / "bad.json"
    bad.write_text(content)
    stderr = _failed_quietly(cli, "state", "push", str(bad))
    assert "state file" in stderr
    assert cli.pull() == before
    cli.run("state", "list")  # the lock was released


def test_state_pull_into_a_closed_pipe_ends_quietly(cli: CliProject) -> None:
    resources = [
        {"address": f"null.n{i}", "type": "null", "id": f"id-{i}", "inputs": {"pad": "x" * 200}}
        for i in range(1000)
    ]
    pushed = cli.root.parent / "big.json"
    pushed.write_text(json.dumps({"resources": resources}))
    cli.run("state", "push", str(pushed))
    # `opspec state pull | head -1`: the reader goes away after the first line.
    proc = subprocess.Popen(
        cli.argv("state", "pull"),
        env=cli.env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline() == b"{\n"
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=QUICK_S) == 1
    assert stderr == ""


def test_state_and_run_folders_are_private(cli: CliProject) -> None:
    legacy = cli.root / ".opspec"
    legacy.mkdir(mode=0o755)
    legacy.chmod(0o755)  # as opspec used to leave it
    cli.write('resources:\n  command.c: {create: "echo hi"}\n')
    cli.run("apply", "--auto-approve")
    assert stat.S_IMODE(legacy.stat().st_mode) == 0o700
    assert stat.S_IMODE(cli.state_db.stat().st_mode) == 0o600
    runs = [legacy / "runs", *(legacy / "runs").rglob("*")]
    folders = [p for p in runs if p.is_dir()]
    assert len(folders) >= 3  # runs/, runs/command.c/, the run itself
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o700 for p in folders), folders


def test_a_key_file_others_can_read_is_refused_before_anything_changes(cli: CliProject) -> None:
    cli.write(
        "variables:\n"
        f"  token: {{type: string, sensitive: true, default: {SECRET}}}\n"
        'resources:\n  null.a:\n    triggers: {t: "${var.token}"}\n'
    )
    from cryptography.fernet import Fernet

    key = Path(cli.env["OPSPEC_SECRETS_KEY_FILE"])
    key.parent.mkdir(parents=True, exist_ok=True)

    key.write_bytes(Fernet.generate_key() + b"\n")
    key.chmod(0o644)
    for command in (
        ("apply", "--auto-approve"),
        ("plan", "--out", str(cli.root / "p.plan")),
        ("state", "list"),
    ):
        stderr = _failed_quietly(cli, *command)
        assert "can be opened by other users (mode 0644)" in stderr and "chmod 600" in stderr
    assert not cli.state_db.exists() and not (cli.root / "p.plan").exists()
    key.chmod(0o600)
    cli.run("apply", "--auto-approve")


@pytest.mark.parametrize("name", ["../../escaped", "a/b", "two\nlines", ".hidden", "a b", "", "é"])
def test_workspace_names_are_checked_wherever_they_come_from(cli: CliProject, name: str) -> None:
    cli.write("resources:\n  null.a: {}\n")
    if name:
        assert "invalid workspace name" in _failed_quietly(cli, "workspace", "new", name)
        assert "invalid workspace name" in _failed_quietly(cli, "--workspace", name, "plan")
        env_run = cli.run("plan", env={"OPSPEC_WORKSPACE": name}, expect=1)
        assert "invalid workspace name" in env_run.stderr
    (cli.root / ".opspec").mkdir(exist_ok=True)
    (cli.root / ".opspec" / "environment").write_text((name or "\x1b[2J") + "\n")
    stderr = _failed_quietly(cli, "apply", "--auto-approve")
    assert "invalid workspace name" in stderr and ".opspec/environment" in stderr
    assert "\x1b" not in stderr and not cli.state_db.exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [("[" * 100_000, "nests deeper than 100 levels"), ("[" + "9" * 40 + "]", "64 bits")],
    ids=["100k brackets", "40 digits"],
)
def test_a_list_variable_from_the_command_line_is_bounded_like_a_spec(
    cli: CliProject, value: str, message: str
) -> None:
    cli.write("variables:\n  l: {type: list, default: []}\nresources:\n  null.a: {}\n")
    stderr = _failed_quietly(cli, "plan", "--var", f"l={value}")
    assert "invalid value for variable `l` from --var" in stderr and message in stderr
