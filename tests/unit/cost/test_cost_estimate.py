"""Cost estimates of plans: services on pools, before/after/delta, and job GPU-hours."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from engine.cost import HOURS_PER_MONTH, estimate, has_priced_resources
from engine.errors import DiagnosticsError


def change(
    address: str,
    after: dict[str, Any] | None,
    *,
    before: dict[str, Any] | None = None,
    deps: list[str] | None = None,
    actions: list[str] | None = None,
    unknown: dict[str, Any] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    type_, name = address.split(".", 1)
    if actions is None:
        actions = ["create"] if before is None else ["update"] if after is not None else ["delete"]
    return {
        "address": address, "type": type_, "name": name, "dependencies": deps or [],
        "change": {"actions": actions, "before": before, "after": after,
                   "after_unknown": unknown or {}},
        **extra,
    }  # fmt: skip


POOL = change("gpu_pool.a100", {"kind": "kubernetes", "accelerator": "A100:80GB:2", "max_gpus": 8})


def plan(*changes: dict[str, Any]) -> dict[str, Any]:
    return {"format_version": "1.0", "resource_changes": list(changes)}


def line(cost: dict[str, Any], address: str) -> dict[str, Any]:
    return next(r for r in cost["resources"] if r["address"] == address)


def test_new_service_costs_replicas_times_gpus_times_the_pool_price(tmp_path: Path) -> None:
    svc = change("llm_service.chat", {"replicas": 2, "gpus": 1}, deps=["gpu_pool.a100"])
    cost = estimate(plan(POOL, svc), tmp_path)
    assert (cost["currency"], cost["hourly_before"], cost["hourly_after"]) == ("USD", 0.0, 10.24)
    assert cost["hourly_delta"] == 10.24
    assert cost["monthly_after"] == round(10.24 * HOURS_PER_MONTH, 2) == 7475.2
    chat = line(cost, "llm_service.chat")
    assert (chat["gpu_type"], chat["unit_price"], chat["gpus_after"]) == ("A100-80GB", 5.12, 2)
    assert chat["detail"] == "2 replicas x 1 GPU x A100-80GB at $5.12/GPU-h"
    pool = line(cost, "gpu_pool.a100")
    assert pool["hourly_after"] == 0.0 and "up to $40.96/h when full" in pool["detail"]
    json.dumps(cost)  # JSON-serialisable


def test_autoscaling_gives_min_and_max(tmp_path: Path) -> None:
    svc = change(
        "llm_service.chat",
        {"replicas": 2, "gpus": 2, "autoscaling": {"min_replicas": 1, "max_replicas": 4}},
        deps=["gpu_pool.a100"],
    )
    cost = estimate(plan(POOL, svc), tmp_path)
    assert (cost["hourly_after"], cost["hourly_after_max"]) == (10.24, 40.96)
    assert line(cost, "llm_service.chat")["detail"].startswith("1-4 replicas x 2 GPUs")


def test_update_shows_before_after_and_delta_through_an_indirect_pool(tmp_path: Path) -> None:
    pool = change(
        "gpu_pool.h100",
        {"kind": "kubernetes", "accelerator": "H100:8"},
        before={"kind": "kubernetes", "accelerator": "H100:8"},
        actions=["no-op"],
    )
    model = change("compression.int8", {}, deps=["gpu_pool.h100"], actions=["no-op"])
    svc = change("llm_service.chat", {"replicas": 3, "gpus": 1}, before={"replicas": 1, "gpus": 1},
                 deps=["compression.int8"])  # fmt: skip
    cost = estimate(plan(pool, model, svc), tmp_path)
    assert (cost["hourly_before"], cost["hourly_after"], cost["hourly_delta"]) == (
        12.29,
        36.87,
        24.58,
    )
    assert cost["monthly_delta"] == round(24.58 * HOURS_PER_MONTH, 2)


def test_deleted_service_drops_to_zero_and_local_pools_are_free(tmp_path: Path) -> None:
    local = change("gpu_pool.here", {"kind": "local"})
    gone = change("llm_service.old", None, before={"replicas": 1, "gpus": 4},
                  deps=["gpu_pool.a100"])  # fmt: skip
    here = change("llm_service.new", {"replicas": 1, "gpus": 1}, deps=["gpu_pool.here"])
    cost = estimate(plan(POOL, local, gone, here), tmp_path)
    assert (cost["hourly_before"], cost["hourly_after"]) == (20.48, 0.0)
    assert line(cost, "llm_service.new")["detail"] == "local pool: no cloud cost"


@pytest.mark.parametrize(
    ("svc", "pool", "reason"),
    [
        (change("llm_service.s", {"replicas": None, "gpus": 1}, deps=["gpu_pool.a100"],
                unknown={"replicas": True}), POOL, "`replicas` is known after apply"),
        (change("llm_service.s", {"replicas": 1}), POOL, "no gpu_pool among its dependencies"),
        (change("llm_service.s", {"replicas": 1}, deps=["gpu_pool.b"]),
         change("gpu_pool.b", {"kind": "kubernetes", "accelerator": "B300:4"}),
         "no price for GPU type B300 (add it to prices.yaml)"),
    ],
)  # fmt: skip
def test_unpriced_services_say_why(
    tmp_path: Path, svc: dict[str, Any], pool: dict[str, Any], reason: str
) -> None:
    cost = estimate(plan(pool, svc), tmp_path)
    assert line(cost, "llm_service.s")["hourly_after"] is None
    [unpriced] = cost["unpriced"]
    assert unpriced["address"] == "llm_service.s" and reason in unpriced["reason"]


def test_project_prices_apply(tmp_path: Path) -> None:
    (tmp_path / "prices.yaml").write_text("prices: {A100-80GB: 2.0}\n")
    svc = change("llm_service.chat", {"replicas": 1, "gpus": 1}, deps=["gpu_pool.a100"])
    assert estimate(plan(POOL, svc), tmp_path)["hourly_after"] == 2.0
    assert estimate(plan(POOL, svc), tmp_path, {"prices": {"A100-80GB": 3}})["hourly_after"] == 3


def test_invalid_prices_raise_diagnostics(tmp_path: Path) -> None:
    (tmp_path / "prices.yaml").write_text("prices: {A100: cheap}\n")
    with pytest.raises(DiagnosticsError) as info:
        estimate(plan(), tmp_path)
    assert "prices.yaml:1:16" in info.value.diagnostics.errors[0].format()


def test_training_gpu_hours_are_labelled_estimates(tmp_path: Path) -> None:
    jobs = [
        change("fine_tune.ft", {"device": "cuda", "steps": 7200}),
        change("training_job.epochs", {"device": "cuda", "params": {"epochs": 2}}),
        change("training_job.guess", {"device": "cuda", "gpus": 2}),
        change("training_job.cpu", {"device": "cpu", "steps": 10_000}),
        change("fine_tune.cached", {"device": "cuda", "steps": 10}, cache={"hit": True}),
        change("fine_tune.same", {"device": "cuda", "steps": 10}, before={}, actions=["no-op"]),
    ]
    cost = estimate(plan(*jobs), tmp_path)
    hours = {j["address"]: j for j in cost["gpu_hours"]}
    assert set(hours) == {"fine_tune.ft", "training_job.epochs", "training_job.guess"}
    ft = hours["fine_tune.ft"]
    assert (ft["gpu_hours"], ft["gpu_type"], ft["cost"], ft["estimate"]) == (1.0, "A100", 4.1, True)
    assert ft["basis"] == "7200 steps x 0.5 s/step x 1 GPU"
    assert hours["training_job.epochs"]["gpu_hours"] == round(2000 * 0.5 / 3600, 4)
    assert "assumed" in hours["training_job.epochs"]["basis"]
    assert hours["training_job.guess"]["gpu_hours"] == round(1000 * 0.5 * 2 / 3600, 4)
    assert cost["gpu_hours_total"] == round(sum(j["gpu_hours"] for j in hours.values()), 4)


def test_has_priced_resources() -> None:
    assert has_priced_resources(plan(POOL))
    assert has_priced_resources(plan(change("fine_tune.f", {"device": "cuda"})))
    assert not has_priced_resources(plan(change("fine_tune.f", {"device": "cpu"})))
