"""CEL rules from YAML packs in a project, evaluated over plan JSON documents."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from policy_plans import change, plan

from engine.policy import Policy, PolicyResult, evaluate, load_policies
from engine.policy.builtin import PACK

POOLS = """
pack: gpu
policies:
  - name: pool-quota
    description: pools ask for at most 16 GPUs
    enforcement: mandatory
    types: [gpu_pool]
    when: 'after.kind == "kubernetes"'
    expression: 'after.max_gpus <= params.limit'
    params: {limit: 16}
    field: max_gpus
    message_expression: '"quota " + string(after.max_gpus) + " > " + string(params.limit)'
"""


def load(project: Path, files: dict[str, str]) -> list[Policy]:
    for name, text in files.items():
        (project / "policies" / name).write_text(text)
    policies, diags = load_policies(project, [])
    assert [d.format() for d in diags] == []
    return [p for p in policies if p.pack != PACK]


def results(doc: dict[str, Any], policies: list[Policy]) -> dict[str, PolicyResult]:
    return {r.policy: r for r in evaluate(doc, policies)}


def pool(name: str, max_gpus: Any, kind: str = "kubernetes", **kw: Any) -> dict[str, Any]:
    return change(f"gpu_pool.{name}", {"kind": kind, "accelerator": "A100", "max_gpus": max_gpus},
                  **kw)  # fmt: skip


def test_resource_rule_from_a_yaml_pack(project: Path) -> None:
    policies = load(project, {"gpu.yaml": POOLS})
    doc = plan(pool("a", 8), pool("b", 32), pool("c", 64, kind="local"), pool("d", 8),
               change("null.x", {"max_gpus": 99}))  # fmt: skip
    result = results(doc, policies)["pool-quota"]
    assert (result.pack, result.enforcement.value, result.passed) == ("gpu", "mandatory", False)
    assert [v.to_json() for v in result.violations] == [
        {"address": "gpu_pool.b", "field": "max_gpus", "message": "quota 32 > 16"}
    ]


def test_rule_reads_resource_actions_and_reasons(project: Path) -> None:
    policies = load(project, {"p.yaml": """
policies:
  - name: no-retrain-on-friday
    types: [training_job]
    actions: [create, update, replace]
    expression: '!(resource.action_reason in params.blocked) && !has(resource.cache.hit)
                 || resource.cache.hit'
    params: {blocked: [replace_because_cannot_update]}
    message: replaces a training job without a cache hit
"""})  # fmt: skip
    doc = plan(
        change("training_job.a", {}, actions=["delete", "create"],
               action_reason="replace_because_cannot_update", cache={"hit": False}),
        change("training_job.b", {}, actions=["delete", "create"],
               action_reason="replace_because_cannot_update", cache={"hit": True}),
        change("training_job.c", {}, actions=["no-op"],
               action_reason="replace_because_cannot_update"),
    )  # fmt: skip
    result = results(doc, policies)["no-retrain-on-friday"]
    assert [v.address for v in result.violations] == ["training_job.a"]
    assert result.violations[0].message == "replaces a training job without a cache hit"
    assert result.pack == "p"  # the file name when `pack` is not given


def test_deletions_are_checked_only_when_asked(project: Path) -> None:
    policies = load(project, {"p.yaml": """
policies:
  - name: keep-models
    types: [model]
    actions: [delete]
    expression: 'before.name.startsWith("tmp-")'
    field: name
  - name: named-models
    types: [model]
    expression: 'has(after.name)'
"""})  # fmt: skip
    gone = change("model.a", None, actions=["delete"], before={"name": "prod"})
    gone["change"]["after"] = None
    doc = plan(gone, change("model.tmp", None, actions=["delete"], before={"name": "tmp-1"}))
    found = results(doc, policies)
    assert [(v.address, v.message) for v in found["keep-models"].violations] == [
        ("model.a", '`before.name.startsWith("tmp-")` is false')
    ]
    assert found["named-models"].passed


def test_evaluation_errors_are_violations_saying_why(project: Path) -> None:
    policies = load(project, {"p.yaml": """
policies:
  - name: replicas
    types: [llm_service]
    expression: after.replicas <= 4
"""})  # fmt: skip
    doc = plan(change("llm_service.a", {"replicas": 2}), change("llm_service.b", {}))
    [violation] = results(doc, policies)["replicas"].violations
    assert violation.address == "llm_service.b"
    assert violation.message.startswith("could not evaluate the rule: no such member")


def test_equal_projections_share_a_verdict_but_different_ones_do_not(project: Path) -> None:
    policies = load(project, {"gpu.yaml": POOLS})
    doc = plan(*(pool(f"p{i}", 8 if i % 3 else 40) for i in range(30)))
    result = results(doc, policies)["pool-quota"]
    assert [v.address for v in result.violations] == [f"gpu_pool.p{i}" for i in range(0, 30, 3)]


def test_plan_scope_bool_and_address_list(project: Path) -> None:
    policies = load(project, {"p.yaml": """
policies:
  - name: few-services
    scope: plan
    expression: >-
      plan.resource_changes.filter(r, r.type == "llm_service").size() <= params.max
    params: {max: 1}
    message: too many services
  - name: replicas-list
    scope: plan
    expression: |
      plan.resource_changes
        .filter(r, r.type == "llm_service" && r.change.after.replicas > 2)
        .map(r, r.address)
    field: replicas
    message: more than 2 replicas
"""})  # fmt: skip
    doc = plan(
        change("llm_service.a", {"replicas": 1}),
        change("llm_service.b", {"replicas": 3}),
        change("null.c", {"replicas": 9}),
    )
    found = results(doc, policies)
    assert [v.to_json() for v in found["few-services"].violations] == [
        {"address": "", "field": "", "message": "too many services"}
    ]
    assert [v.to_json() for v in found["replicas-list"].violations] == [
        {"address": "llm_service.b", "field": "replicas", "message": "more than 2 replicas"}
    ]


def test_macros_over_resource_lists(project: Path) -> None:
    policies = load(project, {"p.yaml": """
policies:
  - name: no-delete
    expression: '!resource.change.actions.exists(a, a == "delete")'
    actions: [create, update, replace, delete]
  - name: label-values
    types: [monitor]
    expression: 'after.labels.all(k, after.labels[k] != "")'
"""})  # fmt: skip
    doc = plan(
        change("null.a", {}, actions=["delete", "create"]),
        change("null.b", {}),
        change("monitor.m", {"labels": {"team": "ml", "env": ""}}),
        change("monitor.n", {"labels": {"team": "ml"}}),
    )
    found = results(doc, policies)
    assert [v.address for v in found["no-delete"].violations] == ["null.a"]
    assert [v.address for v in found["label-values"].violations] == ["monitor.m"]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # a plain scalar on line 5 from column 17; the error is at column 11 of it
        ("    expression: after.x &&& 1\n", "policies/p.yaml:5:27"),
        ("    expression: 'after.x &&& 1'\n", "policies/p.yaml:5:28"),
        ("    expression: |\n      after.x >\n        && )\n", "policies/p.yaml:7:9"),
    ],
)
def test_cel_syntax_error_is_a_diagnostic_at_its_position(
    project: Path, source: str, expected: str
) -> None:
    text = "pack: p\npolicies:\n  - name: ok\n    enforcement: advisory\n" + source
    (project / "policies" / "p.yaml").write_text(text)
    policies, diags = load_policies(project, [])
    [diag] = diags
    assert str(diag.pos) == expected
    assert diag.summary.startswith("invalid CEL expression: unexpected")
    assert all(p.pack == PACK for p in policies)


@pytest.mark.parametrize(
    ("text", "summary", "where"),
    [
        ("policies:\n  - name: a\n    expresion: 'true'\n", "unknown field `expresion`",
         "policies/p.yaml:3:5"),
        ("policies:\n  - name: a\n", "exactly one of `expression`", "policies/p.yaml:2:5"),
        ("policies:\n  - name: a\n    expression: 'true'\n    enforcement: strict\n",
         "invalid value for `enforcement`", "policies/p.yaml:4:18"),
        ("policies: [\n", "invalid YAML", "policies/p.yaml:2:1"),
        ("policies:\n  - name: a\n    expression: after.x.exists(y)\n", "cannot be compiled",
         "policies/p.yaml:3:17"),
        ("pack: builtin\npolicies: []\n", "reserved", "policies/p.yaml:1:7"),
        ("policies:\n  - {name: a, expression: 'true'}\n  - {name: a, expression: 'false'}\n",
         "duplicate policy `p/a`", "policies/p.yaml:3:5"),
    ],
)  # fmt: skip
def test_malformed_policy_files_are_diagnostics(
    project: Path, text: str, summary: str, where: str
) -> None:
    (project / "policies" / "p.yaml").write_text(text)
    _, diags = load_policies(project, [])
    assert diags, "expected a diagnostic"
    assert summary in diags[0].summary
    assert str(diags[0].pos) == where


def test_config_with_an_unknown_rule_suggests_the_right_name(project: Path) -> None:
    (project / "policies" / "config.yaml").write_text("builtin:\n  gpu-count-caps: {}\n")
    [diag] = load_policies(project, [])[1]
    assert diag.summary == "unknown built-in policy `gpu-count-caps`"
    assert "gpu-count-cap" in diag.detail and str(diag.pos) == "policies/config.yaml:2:3"


def test_extra_policy_directories(project: Path, tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "org.yaml").write_text("policies:\n  - {name: t, expression: 'true'}\n")
    (shared / "config.yaml").write_text("builtin:\n  gpu-count-cap: {max_gpus: 2}\n")
    policies, diags = load_policies(project, [shared, tmp_path / "missing"])
    assert [d.summary for d in diags] == [f"policy directory {tmp_path / 'missing'} does not exist"]
    names = {p.qualified_name: p.enforcement.value for p in policies}
    assert names["org/t"] == "advisory" and names["builtin/gpu-count-cap"] == "mandatory"


@pytest.mark.parametrize("runner", ["run", "run_reference"])
@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("after.model.name == 'x'", "a field of null was selected"),
        ("after.model.startsWith('x')", "a field of null was selected"),
        ("after.labels.NoneType == 'x'", "no such member in mapping: 'NoneType'"),
    ],
)
def test_an_error_is_told_by_its_type_not_by_its_words(
    runner: str, source: str, message: str
) -> None:
    """Selecting from null is an AttributeError on None; a key that merely reads `NoneType`
    is a missing member like any other."""
    from engine.policy import cel

    program = cel.compile_expression(source, cel.RESOURCE_ROOTS)
    after = cel.to_cel({"model": None, "labels": {"team": "ml"}})
    failure = getattr(cel, runner)(program, {"after": after})
    assert isinstance(failure, cel.CelEvalFailure)
    assert failure.message.startswith(message), failure.message
