"""Replacement, targeting, destruction and ``lifecycle`` meta-arguments through the CLI."""

from __future__ import annotations

from cli_harness import CliProject, actions_by_address, changed_only, completed_ids

REPLACING = """\
resources:
  null.up:
    triggers: {v: "1"}
  null.down:
    triggers: {up: "${null.up.id}"}
  null.src:
    triggers: {v: "1"}
  null.watcher:
    lifecycle: {replace_triggered_by: [null.src]}
  null.cbd:
    triggers: {v: "1"}
    lifecycle: {create_before_destroy: true}
  null.still:
    triggers: {v: "1"}
"""


def test_replacements_cascade_trigger_and_create_before_destroy(cli: CliProject) -> None:
    cli.write(REPLACING)
    before = completed_ids(cli.run("apply", "--auto-approve").stdout)
    assert len(before) == 6
    cli.edit('src:\n    triggers: {v: "1"}', 'src:\n    triggers: {v: "2"}')
    cli.edit('cbd:\n    triggers: {v: "1"}', 'cbd:\n    triggers: {v: "2"}')

    plan = cli.run("plan", "--replace", "null.up", "--format", "json").json()
    replace = ["delete", "create"]
    assert changed_only(plan) == {
        "null.up": replace,
        "null.down": replace,
        "null.src": replace,
        "null.watcher": replace,
        "null.cbd": ["create", "delete"],
    }
    reasons = {rc["address"]: rc["action_reason"] for rc in plan["resource_changes"]}
    assert reasons["null.up"] == "replace_by_request"
    assert reasons["null.down"] == "replace_cascade"
    assert reasons["null.watcher"] == "replace_triggered_by"
    assert reasons["null.cbd"] == "replace_because_cannot_update"

    applied = cli.run("apply", "--auto-approve", "--replace", "null.up")
    assert "Resources: 5 added, 0 changed, 5 destroyed." in applied.stdout
    for address in ("null.up", "null.down", "null.cbd"):
        assert applied.stdout.count(f"{address}: Replacing...") == 1, applied.stdout
    state = {r["address"]: r for r in cli.pull()["resources"]}
    after = {a: r["id"] for a, r in state.items()}
    assert after["null.still"] == before["null.still"]
    assert {a for a in before if after[a] != before[a]} == set(before) - {"null.still"}
    assert state["null.down"]["inputs"]["triggers"]["up"] == after["null.up"]
    assert completed_ids(applied.stdout) == {a: after[a] for a in before if a != "null.still"}


TARGETS = """\
resources:
  null.a: {}
  null.b:
    triggers: {a: "${null.a.id}"}
  null.c: {}
  null.d:
    depends_on: [null.b]
"""


def test_target_applies_only_the_target_and_its_dependencies(cli: CliProject) -> None:
    cli.write(TARGETS)
    applied = cli.run("apply", "--auto-approve", "--target", "null.b")
    assert sorted(completed_ids(applied.stdout)) == ["null.a", "null.b"]
    rest = cli.run("plan", "--format", "json").json()
    assert changed_only(rest) == {"null.c": ["create"], "null.d": ["create"]}
    assert actions_by_address(rest)["null.a"] == ["no-op"]
    assert actions_by_address(rest)["null.b"] == ["no-op"]


DESTROYING = """\
resources:
  null.a: {}
  file.f:
    path: out/f.txt
    content: "${null.a.id}"
outputs:
  a: {value: "${null.a.id}"}
"""


def test_destroy_flag_and_destroy_command_remove_everything(cli: CliProject) -> None:
    cli.write(DESTROYING)
    cli.run("apply", "--auto-approve")
    plan = cli.run("plan", "--destroy", "--format", "json").json()
    assert changed_only(plan) == {"file.f": ["delete"], "null.a": ["delete"]}
    assert {rc["action_reason"] for rc in plan["resource_changes"]} == {"delete_because_destroy"}
    assert plan["output_changes"]["a"]["actions"] == ["delete"]

    run = cli.run("apply", "--destroy", "--auto-approve")
    assert "Resources: 0 added, 0 changed, 2 destroyed." in run.stdout
    assert not (cli.root / "out" / "f.txt").exists()

    assert "2 added" in cli.run("apply", "--auto-approve").stdout
    run = cli.run("destroy", "--auto-approve")
    assert "2 destroyed" in run.stdout
    assert not (cli.root / "out" / "f.txt").exists()
    state = cli.pull()
    assert state["resources"] == []
    assert state["outputs"] == {}


DRIFTING = """\
resources:
  file.f:
    path: out/f.txt
    content: "planned\\n"
"""


def test_refresh_only_plan_reads_drift_without_changing_anything(cli: CliProject) -> None:
    cli.write(DRIFTING)
    cli.run("apply", "--auto-approve")
    (cli.root / "out" / "f.txt").write_text("by hand\n")

    run = cli.run("plan", "--refresh-only", "--detailed-exitcode", "--format", "json", expect=2)
    plan = run.json()
    assert changed_only(plan) == {"file.f": ["read"]}
    assert plan["resource_changes"][0]["action_reason"] == "drift"
    assert plan["flags"]["refresh_only"] is True
    assert (cli.root / "out" / "f.txt").read_text() == "by hand\n"


def test_refresh_only_apply_records_what_refresh_found(cli: CliProject) -> None:
    cli.write(DRIFTING)
    cli.run("apply", "--auto-approve")
    (cli.root / "out" / "f.txt").write_text("by hand\n")

    plan = cli.run("plan", "--refresh-only", "--format", "json").json()
    change = plan["resource_changes"][0]["change"]
    assert change["before"]["content"] == "planned\n"
    assert change["after"]["content"] == "by hand\n"

    cli.run("apply", "--refresh-only", "--auto-approve")
    (record,) = cli.pull()["resources"]
    assert record["id"] == "out/f.txt"
    assert record["outputs"]["content"] == "by hand\n"
    # The state now matches the real file; the next plan brings the file back to the spec.
    plan = cli.run("plan", "--format", "json").json()
    assert changed_only(plan) == {"file.f": ["update"]}
    # `refresh` is the same operation: a file deleted by hand leaves the state.
    (cli.root / "out" / "f.txt").unlink()
    cli.run("refresh")
    assert cli.addresses() == []


PROTECTED = """\
resources:
  null.keep:
    triggers: {v: "1"}
    lifecycle:
      prevent_destroy: true
  null.free: {}
"""


def test_prevent_destroy_refuses_plans_that_would_destroy(cli: CliProject) -> None:
    cli.write(PROTECTED)
    cli.run("apply", "--auto-approve")
    cli.edit('v: "1"', 'v: "2"')

    refused = cli.run("plan", expect=1)
    assert "null.keep" in refused.stderr
    assert "prevent_destroy" in refused.stderr
    assert "main.ops.yaml:4:" in refused.stderr  # its `lifecycle` block
    refused = cli.run("destroy", "--auto-approve", expect=1)
    assert "null.keep" in refused.stderr
    assert "prevent_destroy" in refused.stderr
    assert "nothing was changed" in refused.stderr


def test_ignore_changes_hides_changes_of_ignored_fields(cli: CliProject) -> None:
    cli.write(
        """\
        resources:
          null.n:
            triggers: {v: "1"}
            lifecycle: {ignore_changes: [triggers]}
          file.f:
            path: out/f.txt
            content: "first\\n"
            lifecycle: {ignore_changes: [content]}
        """
    )
    cli.run("apply", "--auto-approve")
    cli.edit('v: "1"', 'v: "2"')
    cli.edit("first", "second")
    plan = cli.run("plan", "--detailed-exitcode", "--format", "json", expect=None)
    assert changed_only(plan.json()) == {}
    assert plan.returncode == 0
