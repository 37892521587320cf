"""Sensitive values through the CLI: masked in every plan format and in ``output``, never in
plain text in the state database or in a saved plan file."""

from __future__ import annotations

import gzip
from pathlib import Path

from cli_harness import CliProject

SECRET = "hunter2-e2e-s3cr3t"
SPEC = f"""\
variables:
  token: {{type: string, sensitive: true, default: "{SECRET}"}}
resources:
  file.credentials:
    path: out/credentials.txt
    content: "token=${{var.token}}\\n"
  null.uses_token:
    triggers: {{token: "${{var.token}}"}}
outputs:
  token: {{value: "${{var.token}}", sensitive: true}}
  path: {{value: "${{file.credentials.path}}"}}
"""


def _bytes_on_disk(paths: list[Path]) -> dict[str, bytes]:
    found = {}
    for path in paths:
        if path.is_file():
            data = path.read_bytes()
            found[path.name] = data
            if data[:2] == b"\x1f\x8b":
                found[path.name + " (gunzipped)"] = gzip.decompress(data)
    return found


def test_sensitive_values_are_masked_and_never_stored_in_plain_text(cli: CliProject) -> None:
    cli.write(SPEC)
    saved = cli.root / "secret.plan"
    run = cli.run("plan", "--format", "json", "--out", str(saved))
    assert SECRET not in run.stdout + run.stderr
    plan = run.json()
    by_addr = {rc["address"]: rc for rc in plan["resource_changes"]}
    assert by_addr["file.credentials"]["change"]["after"]["content"] == "(sensitive)"
    assert by_addr["null.uses_token"]["change"]["after"]["triggers"]["token"] == "(sensitive)"
    assert plan["variables"]["token"]["value"] == "(sensitive)"
    assert plan["output_changes"]["token"]["after"] == "(sensitive)"

    text = cli.run("show", str(saved)).stdout
    assert "content = (sensitive)" in text
    assert SECRET not in text

    cli.run("apply", str(saved))
    assert (cli.root / "out" / "credentials.txt").read_text() == f"token={SECRET}\n"
    state_dir = cli.root / ".opspec"
    stored = _bytes_on_disk([saved, *state_dir.glob("state.db*")])
    assert "state.db" in stored
    assert "secret.plan (gunzipped)" in stored
    leaks = [name for name, data in stored.items() if SECRET.encode() in data]
    assert leaks == []

    assert cli.run("output", "token").stdout == "(sensitive)\n"
    shown = cli.run("state", "show", "file.credentials").stdout
    assert 'content = "(sensitive)"' in shown
    assert SECRET not in shown
