"""Saved plans: ``plan --out F`` is shown by ``show F``, applied by ``apply F`` without a prompt,
and refused as stale once the state or the spec files changed after planning."""

from __future__ import annotations

import re

from cli_harness import CliProject, changed_only, completed_ids, planned_headers

SPEC = """\
resources:
  null.a:
    triggers: {v: "1"}
  null.b:
    triggers: {v: "1"}
  file.f:
    path: out/f.txt
    content: "a=${null.a.id}\\n"
"""


def test_saved_plans_apply_without_a_prompt_and_stale_ones_are_refused(cli: CliProject) -> None:
    cli.write(SPEC)
    saved = cli.root / "tfplan.bin"
    cli.run("plan", "--out", str(saved))
    shown = cli.run("show", str(saved)).stdout
    assert planned_headers(shown) == {a: "created" for a in ("file.f", "null.a", "null.b")}
    plan = cli.run("show", "--json", str(saved)).json()
    assert plan["format_version"] == "1.0"
    assert changed_only(plan) == {a: ["create"] for a in ("file.f", "null.a", "null.b")}

    # No --auto-approve and no terminal: a saved plan was the review, so nothing asks.
    applied = cli.run("apply", str(saved))
    assert "Apply complete! Resources: 3 added, 0 changed, 0 destroyed." in applied.stdout
    ids = completed_ids(applied.stdout)

    stale = cli.root / "replace-a.plan"
    planned = cli.run("plan", "--replace", "null.a", "--out", str(stale), "--format", "json")
    assert changed_only(planned.json()) == {"null.a": ["delete", "create"], "file.f": ["update"]}
    planned_serial = planned.json()["prior_state"]["serial"]
    other = cli.run("apply", "--auto-approve", "--replace", "null.b")
    assert "1 added, 0 changed, 1 destroyed" in other.stdout

    refused = cli.run("apply", str(stale), expect=1)
    assert "stale" in refused.stderr
    serials = re.search(r"serial (\d+) → (\d+)", refused.stderr)
    assert serials, refused.stderr
    assert int(serials.group(1)) == planned_serial < int(serials.group(2))
    assert "Apply complete" not in refused.stdout
    assert cli.ids()["null.a"] == ids["null.a"]


def test_plan_made_before_a_spec_edit_and_another_state_is_refused(cli: CliProject) -> None:
    cli.write(SPEC)
    saved = cli.root / "first.plan"
    cli.run("plan", "--out", str(saved))
    cli.edit('triggers: {v: "1"}\n  null.b', 'triggers: {v: "2"}\n  null.b')
    # Another apply creates the state the saved plan knew nothing about: a new lineage.
    assert "Resources: 3 added" in cli.run("apply", "--auto-approve").stdout

    refused = cli.run("apply", str(saved), expect=1)
    assert "stale" in refused.stderr
    assert "spec files changed" in refused.stderr
    assert "lineage" in refused.stderr
    assert "Apply complete" not in refused.stdout
