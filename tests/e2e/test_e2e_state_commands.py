"""``state``, ``workspace``, ``import`` and ``output`` commands through the CLI."""

from __future__ import annotations

import json

from cli_harness import CliProject, changed_only, completed_ids

SPEC = """\
resources:
  null.b: {}
  null.a:
    triggers: {b: "${null.b.id}"}
  file.f:
    path: out/f.txt
    content: "f\\n"
outputs:
  a_id: {value: "${null.a.id}"}
  summary: {value: {path: "${file.f.path}", size: 2}}
"""


def test_state_list_show_mv_rm_and_outputs(cli: CliProject) -> None:
    cli.write(SPEC)
    empty = cli.run("state", "list")
    assert empty.stdout == ""
    assert empty.stderr == ""
    assert not cli.state_db.exists()  # reading creates nothing

    ids = completed_ids(cli.run("apply", "--auto-approve").stdout)
    assert cli.run("state", "list").stdout == "file.f\nnull.a\nnull.b\n"
    shown = cli.run("state", "show", "file.f").stdout
    assert "file.f" in shown
    assert '"out/f.txt"' in shown

    assert cli.run("output").stdout == (
        f'a_id = "{ids["null.a"]}"\nsummary = {{"path": "out/f.txt", "size": 2}}\n'
    )
    assert cli.run("output", "summary", "--json").json() == {"path": "out/f.txt", "size": 2}

    cli.run("state", "mv", "null.a", "null.renamed")
    cli.run("state", "rm", "null.b")
    # Forgotten and renamed addresses are what the next plan sees.
    plan = cli.run("plan", "--format", "json").json()
    assert changed_only(plan) == {
        "null.a": ["create"],
        "null.b": ["create"],
        "null.renamed": ["delete"],
    }
    renamed = next(rc for rc in plan["resource_changes"] if rc["address"] == "null.renamed")
    assert renamed["change"]["before"]["id"] == ids["null.a"]


def test_state_pull_and_push(cli: CliProject) -> None:
    cli.write(SPEC)
    cli.run("apply", "--auto-approve")
    pulled = cli.pull()
    assert {r["address"] for r in pulled["resources"]} == {"file.f", "null.a", "null.b"}
    assert pulled["serial"] >= 3

    def push(doc: dict[str, object], expect: int) -> str:
        path = cli.root.parent / "pushed.json"
        path.write_text(json.dumps(doc))
        return cli.run("state", "push", str(path), expect=expect).stderr

    refused = push({**pulled, "lineage": "another-lineage"}, expect=1)
    assert "lineage" in refused
    refused = push({**pulled, "serial": pulled["serial"] - 1}, expect=1)
    assert "older" in refused

    trimmed = [r for r in pulled["resources"] if r["address"] != "file.f"]
    push({**pulled, "serial": pulled["serial"] + 1, "resources": trimmed}, expect=0)
    now = cli.pull()
    assert now["lineage"] == pulled["lineage"]
    assert now["serial"] > pulled["serial"]
    assert now["resources"] == trimmed


def test_workspaces_hold_separate_states(cli: CliProject) -> None:
    cli.write(SPEC)
    cli.run("workspace", "new", "staging")
    cli.run("apply", "--auto-approve")
    cli.run("workspace", "new", "qa")
    assert cli.addresses() == []

    # The new, still empty workspace is kept: listed and selectable again.
    cli.run("workspace", "select", "default")
    assert cli.run("workspace", "list").stdout == "* default\n  qa\n  staging\n"
    assert cli.run("--workspace", "staging", "state", "list").stdout.count("\n") == 3
    assert "does not exist" in cli.run("workspace", "select", "nope", expect=1).stderr
    refused = cli.run("workspace", "delete", "staging", expect=1)
    assert "still has resources" in refused.stderr
    cli.run("workspace", "delete", "qa")


def test_import_adopts_an_existing_file(cli: CliProject) -> None:
    cli.write(SPEC)
    (cli.root / "out").mkdir()
    (cli.root / "out" / "f.txt").write_text("f\n")

    cli.run("import", "file.f", "out/f.txt")
    plan = cli.run("plan", "--format", "json").json()
    assert changed_only(plan) == {"null.a": ["create"], "null.b": ["create"]}
    (imported,) = [rc for rc in plan["resource_changes"] if rc["address"] == "file.f"]
    assert imported["change"]["before"]["id"] == "out/f.txt"
    assert imported["change"]["before"]["content"] == "f\n"

    refused = cli.run("import", "file.f", "out/missing.txt", expect=1)
    assert "already in the state" in refused.stderr
