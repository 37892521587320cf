"""Python policy functions: run in trusted runs only, and fail closed when they cannot run."""

from __future__ import annotations

from pathlib import Path

from policy_plans import change, plan

from engine.policy import Policy, evaluate, load_policies, mandatory_failures
from engine.policy.builtin import PACK

PACK_FILE = """
policies:
  - name: service-names
    python: checks:service_names
    enforcement: mandatory
    params: {prefix: "svc_"}
"""

CHECKS = """
from pathlib import Path

Path(__file__).with_name("imported.marker").write_text("the module ran")


def service_names(plan, params):
    for c in plan["resource_changes"]:
        if c["type"] == "llm_service" and not c["name"].startswith(params["prefix"]):
            yield {"address": c["address"], "field": "name", "message": "bad name"}


def broken(plan, params):
    raise ValueError("boom")
"""


def setup(project: Path, pack: str = PACK_FILE) -> list[Policy]:
    (project / "policies" / "org.yaml").write_text(pack)
    (project / "policies" / "checks.py").write_text(CHECKS)
    policies, diags = load_policies(project, [])
    assert diags == []
    return [p for p in policies if p.pack != PACK]


DOC = plan(change("llm_service.chat", {"model": "m"}), change("llm_service.svc_ok", {}))


def test_python_policy_is_refused_when_python_is_not_allowed(project: Path) -> None:
    policies = setup(project)
    [result] = evaluate(DOC, policies)  # allow_python defaults to False
    assert (result.passed, result.evaluated) == (False, False)
    assert "untrusted" in (result.error or "")
    assert mandatory_failures([result]) == [result]
    assert not (project / "policies" / "imported.marker").exists(), "user code was imported"


def test_python_policy_runs_in_trusted_runs(project: Path) -> None:
    policies = setup(project)
    [result] = evaluate(DOC, policies, allow_python=True)
    assert result.kind == "python" and result.evaluated and not result.passed
    assert [v.to_json() for v in result.violations] == [
        {"address": "llm_service.chat", "field": "name", "message": "bad name"}
    ]
    assert (project / "policies" / "imported.marker").exists()


def test_a_raising_policy_fails_with_the_error(project: Path) -> None:
    policies = setup(project, PACK_FILE.replace("service_names", "broken"))
    [result] = evaluate(DOC, policies, allow_python=True)
    assert not result.passed and result.error == "`checks:broken` raised ValueError: boom"


def test_a_missing_module_is_a_load_diagnostic(project: Path) -> None:
    (project / "policies" / "org.yaml").write_text(PACK_FILE.replace("checks:", "nope:"))
    _, diags = load_policies(project, [])
    [diag] = diags
    assert diag.summary == "Python policy module `nope` not found"
    assert str(diag.pos) == "policies/org.yaml:4:13"
