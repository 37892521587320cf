"""Values derived from sensitive ones are sensitive too (issue 11, item 6): ``for_each`` keys
and ``each.value``, an id made of a sensitive path, the sha256 of a sensitive content, a
command's text and its output. Masked in every plan format, ``show`` and ``output``, sealed in
state and saved plans, and never in plain text in a run folder."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from canary_project import CanaryProject

CANARY = "hunter2-canary-derived"
DIGEST = hashlib.sha256(CANARY.encode()).hexdigest()


@pytest.mark.parametrize(
    "for_each", ['"${var.names}"', '"${var.by_name}"', '["a", "${var.secret}"]']
)
def test_sensitive_for_each_keys_are_refused(tmp_path: Path, for_each: str) -> None:
    spec = f"""\
        variables:
          secret: {{type: string, sensitive: true}}
          names: {{type: list, sensitive: true}}
          by_name: {{type: map, sensitive: true}}
        resources:
          null.each:
            for_each: {for_each}
            triggers: {{k: "${{each.key}}"}}
        """
    project = CanaryProject(
        tmp_path,
        spec,
        {"secret": CANARY, "names": json.dumps([CANARY]), "by_name": json.dumps({CANARY: 1})},
    )
    run = project.run("plan", expect=1)
    assert (
        "main.ops.yaml:7:5: error: sensitive values cannot be used as for_each keys" in run.stderr
    )
    assert project.leaks(CANARY) == []


def test_each_value_of_a_sensitive_map_value_stays_sensitive(tmp_path: Path) -> None:
    spec = """\
        variables:
          secret: {type: string, sensitive: true}
        resources:
          null.each:
            for_each: {hidden: "${var.secret}", shown: plain}
            triggers: {v: "${each.value}", k: "${each.key}"}
          null.reader:
            triggers: {v: "${null.each['hidden'].triggers.v}"}
        """
    project = CanaryProject(tmp_path, spec, {"secret": CANARY})
    plan = json.loads(project.run("plan", "--format", "json", "--out", "saved.plan").stdout)
    after = {rc["address"]: rc["change"]["after"] for rc in plan["resource_changes"]}
    assert after['null.each["hidden"]']["triggers"]["v"] == "(sensitive)"
    assert after['null.each["shown"]']["triggers"] == {"v": "plain", "k": "shown"}
    assert after["null.reader"]["triggers"]["v"] == "(sensitive)"
    project.run("apply", "saved.plan")
    project.run("state", "show", 'null.each["hidden"]')
    project.run("state", "pull")
    project.run("plan")
    assert project.leaks(CANARY) == []


def test_an_id_made_of_a_sensitive_path_and_a_hash_of_sensitive_content(tmp_path: Path) -> None:
    spec = """\
        variables:
          secret: {type: string, sensitive: true}
        resources:
          file.f:
            path: "out/${var.secret}.txt"
            content: "${var.secret}"
        outputs:
          sha: {value: "${file.f.sha256}", sensitive: true}
          where: {value: "${file.f.id}", sensitive: true}
        """
    project = CanaryProject(tmp_path, spec, {"secret": CANARY})
    text = project.run("plan").stdout
    assert "sha256  = (sensitive)" in text
    plan = json.loads(project.run("plan", "--format", "json", "--out", "saved.plan").stdout)
    change = plan["resource_changes"][0]["change"]
    assert change["after"]["sha256"] == "(sensitive)"
    assert change["after_sensitive"]["sha256"] is True
    applied = project.run("apply", "saved.plan").stdout
    assert "[id=(sensitive)]" in applied
    shown = project.run("state", "show", "file.f").stdout
    assert "id=(sensitive)" in shown
    assert project.run("output", "where").stdout == "(sensitive)\n"
    project.run("state", "pull")
    project.run("show", "file.f")
    assert project.run("plan").stdout.startswith("No changes")
    written = [f"out/{CANARY}.txt"]
    assert project.leaks(CANARY, written_on_purpose=written) == []
    assert project.leaks(DIGEST) == []


def test_an_output_of_a_sensitive_id_must_be_marked_sensitive(tmp_path: Path) -> None:
    spec = """\
        variables:
          secret: {type: string, sensitive: true}
        resources:
          file.f: {path: "out/${var.secret}.txt", content: x}
          command.c: {create: "echo ${var.secret}"}
        outputs:
          where: {value: "${file.f.id}"}
          printed: {value: "${command.c.stdout}"}
        """
    project = CanaryProject(tmp_path, spec, {"secret": CANARY})
    run = project.run("plan", expect=1)
    assert "main.ops.yaml:7:18: error: output `where` refers to sensitive values" in run.stderr
    assert "main.ops.yaml:8:20: error: output `printed` refers to sensitive values" in run.stderr


def test_a_sensitive_command_and_its_output(tmp_path: Path) -> None:
    spec = """\
        variables:
          secret: {type: string, sensitive: true}
        resources:
          command.c:
            create: "echo ${var.secret}; echo visible"
            update: "echo ${var.secret}; echo again"
            triggers: {n: "1"}
        outputs:
          printed: {value: "${command.c.stdout}", sensitive: true}
        """
    project = CanaryProject(tmp_path, spec, {"secret": CANARY})
    project.run("apply", "--auto-approve")
    runs = list((project.root / ".opspec" / "runs").rglob("log.txt"))
    assert len(runs) == 1
    assert runs[0].read_text() == "(sensitive)\nvisible\n"
    assert project.run("output", "printed").stdout == "(sensitive)\n"
    assert 'stdout    = "(sensitive)"' in project.run("state", "show", "command.c").stdout
    project.run("show", "command.c")
    project.run("state", "pull")
    project.run("output")
    (project.root / "main.ops.yaml").write_text(
        (project.root / "main.ops.yaml").read_text().replace("visible", "changed")
    )
    project.run("plan")
    project.run("apply", "--auto-approve")
    assert project.leaks(CANARY) == []
