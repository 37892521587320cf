"""Failure isolation in apply: a failing ``command`` fails only its own branch."""

from __future__ import annotations

from cli_harness import CliProject

SPEC = """\
variables:
  status: {type: number, default: 3}
resources:
  null.root: {}
  command.flaky:
    create: "echo trying; exit ${var.status}"
    depends_on: [null.root]
  null.after_flaky:
    triggers: {out: "${command.flaky.stdout}"}
  file.after_after:
    path: out/after_after.txt
    content: "${null.after_flaky.id}"
  command.steady:
    create: "sleep 0.3; echo steady"
  file.after_steady:
    path: out/steady.txt
    content: "${command.steady.stdout}"
"""


def test_a_failing_command_fails_only_its_branch(cli: CliProject) -> None:
    cli.write(SPEC)
    run = cli.run("apply", "--auto-approve", expect=1)
    summary = run.stderr
    assert "Apply failed." in summary
    assert "failed:    command.flaky" in summary
    assert "status 3" in summary
    assert "skipped:   null.after_flaky (a dependency failed)" in summary
    assert "skipped:   file.after_after (a dependency failed)" in summary
    assert "file.after_steady: Creation complete" in run.stdout
    assert "null.after_flaky: Creating" not in run.stdout
    # Everything that finished is in state, nothing of the failed branch is.
    assert cli.addresses() == ["command.steady", "file.after_steady", "null.root"]
    assert (cli.root / "out" / "steady.txt").read_text() == "steady"

    fixed = cli.run("apply", "--auto-approve", "--var", "status=0")
    assert "Resources: 3 added, 0 changed, 0 destroyed." in fixed.stdout
    cli.run("plan", "--detailed-exitcode", "--var", "status=0")
    assert (cli.root / "out" / "after_after.txt").is_file()


CHAIN_LENGTH = 5000
BRANCH_LENGTH = 3


def _long_chain_spec() -> str:
    """A failing ``command`` heading a long chain of ``null``s, plus an independent branch."""
    lines = ["resources:", '  command.head: {create: "exit 4"}']
    previous = "command.head"
    for i in range(CHAIN_LENGTH):
        lines.append(f"  null.c{i}: {{depends_on: [{previous}]}}")
        previous = f"null.c{i}"
    previous = ""
    for i in range(BRANCH_LENGTH):
        deps = f"depends_on: [{previous}]" if previous else ""
        lines.append(f"  null.side{i}: {{{deps}}}")
        previous = f"null.side{i}"
    return "\n".join(lines) + "\n"


def test_a_failed_head_skips_a_chain_deeper_than_the_recursion_limit(cli: CliProject) -> None:
    cli.write(_long_chain_spec())
    run = cli.run("apply", "--auto-approve", "--parallelism", "1", expect=1)
    assert "Traceback" not in run.stderr and "RecursionError" not in run.stderr
    assert "Apply failed." in run.stderr
    assert "failed:    command.head" in run.stderr
    skipped = [line for line in run.stderr.splitlines() if line.startswith("  skipped:   ")]
    assert len(skipped) == CHAIN_LENGTH
    assert f"skipped:   null.c{CHAIN_LENGTH - 1} (a dependency failed)" in run.stderr
    assert cli.addresses() == [f"null.side{i}" for i in range(BRANCH_LENGTH)]
