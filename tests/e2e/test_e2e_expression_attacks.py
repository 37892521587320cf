"""Expressions of a hostile pull request through the CLI (issue #11, reproductions 3, 4 and 7):
they cannot copy a secret into a plain value or empty `var`, a failure never shows a secret,
and a denial-of-service expression is a diagnostic at its string, not minutes of work."""

from __future__ import annotations

import time
from pathlib import Path

from cli_harness import CliProject

CANARY = "hunter2-expr-c4n4ry"

CLEAN = f"""\
variables:
  pub: {{type: map, default: {{a: "1"}}}}
  token: {{type: string, sensitive: true, default: "{CANARY}"}}
resources:
  null.reader:
    triggers:
      pub: "${{ var.pub | tojson }}"
outputs:
  pub: {{value: "${{var.pub}}"}}
"""

# Added by the pull request, before the resource that reads var.pub.
ATTACK = """\
  null.attack:
    triggers: {x: "${ (var.pub|attr('update'))({'k': var.token}) }"}
"""
WIPE = """\
  null.wipe:
    triggers: {x: "${ (var|attr('clear'))() }"}
"""


def _on_disk(root: Path) -> bytes:
    opspec = root / ".opspec"
    return b"".join(p.read_bytes() for p in sorted(opspec.rglob("*")) if p.is_file())


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_an_expression_cannot_copy_a_secret_into_a_plain_value(cli: CliProject) -> None:
    cli.write(CLEAN)
    cli.run("apply", "--auto-approve")
    spec = CLEAN.replace("resources:\n", "resources:\n" + ATTACK + WIPE)
    cli.write(spec)
    update, clear = _line_of(spec, "attr('update')"), _line_of(spec, "attr('clear')")
    for command in (("plan",), ("plan", "--untrusted"), ("apply", "--auto-approve")):
        run = cli.run(*command, expect=1)
        assert CANARY not in run.stdout + run.stderr
        assert f"main.ops.yaml:{update}:" in run.stderr
        assert f"main.ops.yaml:{clear}:" in run.stderr
        assert "not allowed" in run.stderr
    assert cli.run("output", "pub").stdout.strip() == '{"a": "1"}'
    assert CANARY.encode() not in _on_disk(cli.root)


def test_a_failing_expression_never_shows_the_secret_it_read(cli: CliProject) -> None:
    spec = CLEAN.replace(
        "resources:\n",
        "resources:\n"
        "  null.format:\n"
        '    triggers: {x: \'${ ("{" ~ var.token ~ "}").format() }\'}\n'
        "  null.lookup:\n"
        '    triggers: {x: "prefix ${ {}[var.token] } suffix"}\n',
    )
    cli.write(spec)
    run = cli.run("plan", expect=1)
    assert CANARY not in run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    assert f"main.ops.yaml:{_line_of(spec, 'format()')}:" in run.stderr
    assert f"main.ops.yaml:{_line_of(spec, 'prefix')}:" in run.stderr
    assert run.stderr.count("(sensitive)") == 2


def test_a_denial_of_service_expression_is_a_diagnostic_at_its_string(cli: CliProject) -> None:
    evaluated = [
        '"a".encode() * 1000000000',
        '"{:>2000000000}".format("a")',
        '"%2000000000s" % "a"',
        '"a".ljust(2000000000)',
        "[[[0] * 1000] * 1000] * 1000",
        "9 ** 9 ** 9 ** 9 ** 9",
    ]
    parsed = ["+".join(["1"] * 50_000), "var.pub" + "|string" * 20_000]
    for bombs in (evaluated, parsed):
        resources = "".join(
            f"  null.b{i}:\n    triggers: {{x: '${{ {bomb} }}'}}\n" for i, bomb in enumerate(bombs)
        )
        cli.write("variables:\n  pub: {default: x}\nresources:\n" + resources)
        started = time.monotonic()
        run = cli.run("plan", expect=1)
        assert time.monotonic() - started < 60
        assert "Traceback" not in run.stderr
        for i in range(len(bombs)):
            assert f"main.ops.yaml:{5 + 2 * i}:19: error: expression" in run.stderr, run.stderr
