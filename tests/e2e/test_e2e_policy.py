"""Mandatory policies through the command line: `plan` exits 1 naming the rule, the resource
and the field, still writes `--out`; `apply` of that saved plan refuses; with
`--override POLICY --reason TEXT` it proceeds and the override is kept in state."""

from __future__ import annotations

import json

from cli_harness import CliProject

SPEC = """
variables:
  api_token: {type: string, default: "tok-123"}   # a secret, not marked sensitive
resources:
  null.client:
    triggers: {token: "${var.api_token}"}
"""


def test_mandatory_policy_blocks_and_override_is_recorded(cli: CliProject) -> None:
    cli.write(SPEC)
    planfile = str(cli.root.parent / "plan.bin")
    denied = cli.run("plan", "--out", planfile, expect=1)
    assert "no-plaintext-secrets" in denied.stderr
    assert "api_token" in denied.stderr
    assert (cli.root.parent / "plan.bin").exists()  # written, with its policy results

    refused = cli.run("apply", planfile, expect=1)
    assert "mandatory policy" in refused.stderr and "no-plaintext-secrets" in refused.stderr
    assert cli.run("state", "list").stdout == ""

    missing_reason = cli.run("apply", planfile, "--override", "no-plaintext-secrets", expect=1)
    assert "--reason" in missing_reason.stderr

    cli.run(
        "apply",
        planfile,
        "--override",
        "no-plaintext-secrets",
        "--reason",
        "test token, rotated daily",
    )
    assert cli.run("state", "list").stdout.split() == ["null.client"]
    events = json.loads(cli.run("state", "pull").stdout)["events"]
    overrides = [e for e in events if e.get("kind") == "policy_override"]
    assert len(overrides) == 1
    assert overrides[0]["policy"].endswith("no-plaintext-secrets")
    assert overrides[0]["reason"] == "test token, rotated daily"
    assert overrides[0]["who"] and overrides[0]["when"]
