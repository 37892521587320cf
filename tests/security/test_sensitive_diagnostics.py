"""Diagnostics about a sensitive value say what is wrong without quoting it (issue 11, item 4):
a validator that echoes the value it rejects, a variable that does not convert to its type."""

from __future__ import annotations

from pathlib import Path

import pytest
from canary_project import CanaryProject

CANARY = "hunter2-canary-diag"

VARIABLES = """\
variables:
  secret: {type: string, sensitive: true}
  pin: {type: number, sensitive: true, default: 1234}
"""


@pytest.mark.parametrize(
    ("resource", "masked"),
    [
        ('file.a: {path: out/a.txt, content: x, mode: "${var.secret}"}', "got (sensitive)"),
        ('file.a: {path: "/tmp/${var.secret}", content: x}', "not absolute: (sensitive)"),
        ('file.a: {path: "../${var.secret}", content: x}', "escapes the project"),
    ],
)
def test_a_rejected_sensitive_field_is_not_quoted(
    tmp_path: Path, resource: str, masked: str
) -> None:
    project = CanaryProject(tmp_path, f"{VARIABLES}resources:\n  {resource}\n", {"secret": CANARY})
    for args in (("validate",), ("plan",), ("plan", "--format", "json")):
        run = project.run(*args, expect=1)
        if args != ("validate",):
            assert masked in run.stderr + run.stdout
    assert project.leaks(CANARY) == []


def test_a_sensitive_number_that_does_not_convert_is_not_quoted(tmp_path: Path) -> None:
    project = CanaryProject(tmp_path, f"{VARIABLES}resources:\n  null.a: {{}}\n", {})
    project.env["OPSPEC_VAR_secret"] = "x"
    project.env["OPSPEC_VAR_pin"] = CANARY
    run = project.run("plan", expect=1)
    assert "invalid value for variable `pin` from $OPSPEC_VAR_pin" in run.stderr
    assert "the value is not a number" in run.stderr
    assert project.leaks(CANARY) == []


def test_a_sensitive_value_of_the_wrong_type_is_not_quoted(tmp_path: Path) -> None:
    project = CanaryProject(tmp_path, f"{VARIABLES}resources:\n  null.a: {{}}\n", {"secret": "x"})
    (project.root / "prod.yaml").write_text(f'pin: "{CANARY}"\n')
    run = project.run("plan", "--var-file", str(project.root / "prod.yaml"), expect=1)
    assert "variable `pin` must be a number" in run.stderr
    assert "got str (sensitive)" in run.stderr
    assert project.leaks(CANARY, written_on_purpose=["prod.yaml"]) == []
