"""``output --json`` masks sensitive outputs like every other format (issue #11, item 13);
Terraform's way of printing them takes ``--show-sensitive``."""

from __future__ import annotations

import json

from cli_harness import CliProject

CANARY = "CANARY-output-secret-7f3a"

SPEC = f"""\
variables:
  token: {{type: string, default: "{CANARY}", sensitive: true}}
resources:
  null.a: {{}}
outputs:
  token: {{value: "${{var.token}}", sensitive: true}}
  plain: {{value: "visible"}}
"""


def test_every_output_format_masks_sensitive_values(cli: CliProject) -> None:
    cli.write(SPEC)
    cli.run("apply", "--auto-approve")
    every = cli.run("output", "--json")
    assert CANARY not in every.stdout + every.stderr
    assert every.json() == {
        "plain": {"sensitive": False, "value": "visible"},
        "token": {"sensitive": True, "value": "(sensitive)"},
    }
    one = cli.run("output", "token", "--json")
    assert CANARY not in one.stdout and json.loads(one.stdout) == "(sensitive)"
    for args in (("output",), ("output", "token")):
        shown = cli.run(*args)
        assert CANARY not in shown.stdout and "(sensitive)" in shown.stdout


def test_show_sensitive_prints_them_as_terraform_does(cli: CliProject) -> None:
    cli.write(SPEC)
    cli.run("apply", "--auto-approve")
    assert cli.run("output", "--json", "--show-sensitive").json()["token"]["value"] == CANARY
    assert cli.run("output", "token", "--show-sensitive").stdout == CANARY + "\n"
    assert "--show-sensitive" in cli.run("output", "--help").stdout
