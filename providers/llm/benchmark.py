"""The ``benchmark`` provider: measure model variants side by side and gate on the results.

The variants are measured by one job (its log under ``.opspec/runs/``) that forks a process per
variant, one after another with the same thread count, so each variant's peak memory is its
own. Ratios against the first variant are computed from the same run; a failing gate fails
``create`` with the measured value, so nothing that depends on the benchmark is applied.
Changing only ``gates`` is an update that re-judges the stored measurements without measuring
again; any other change re-measures. The report (table, JSON, chart) is written by a second,
short job, since its chart needs matplotlib."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any, ClassVar

from engine.artifacts import ArtifactStore
from engine.expr.unknown import is_unknown
from engine.providers import CheckFailure, CreateResult, UpdateResult, denormalize_floats
from providers.llm.base import LlmProvider
from providers.llm.common import staging
from providers.llm.errors import GateFailedError
from providers.llm.gates import METRICS, add_ratios, evaluate_gates, failure_message, gate_problems
from providers.llm.report import markdown_table
from specs.llm import BenchmarkOutputs, BenchmarkSpec

__all__ = ["BenchmarkProvider"]


class BenchmarkProvider(LlmProvider):
    type_name: ClassVar[str] = "benchmark"
    spec = BenchmarkSpec
    outputs = BenchmarkOutputs

    def check_semantics(self, spec: Any) -> list[CheckFailure]:
        failures = self.device_failures(spec.device)
        has = {name for name in ("perplexity", "generation") if getattr(spec, name) is not None}
        for i, variant in enumerate(spec.variants):
            failures += self.model_uri_failures(variant.model, f"variants.{i}.model")
            problems = gate_problems(variant.gates, baseline=i == 0, has=has)
            failures += [CheckFailure(f"variants.{i}.gates.{k}", v) for k, v in problems.items()]
            failures += self._context_failures(spec, variant.model, i)
        problems = gate_problems(spec.gates, baseline=False, has=has)
        failures += [CheckFailure(f"gates.{k}", v) for k, v in problems.items()]
        if spec.gates and len(spec.variants) == 1:
            failures.append(
                CheckFailure("gates", "gates apply to the variants after the first; add one")
            )
        if spec.perplexity is not None:
            failures += self.source_failures(spec.perplexity.data, "perplexity.data")
        return failures

    def _context_failures(self, spec: Any, uri: str, index: int) -> list[CheckFailure]:
        if is_unknown(uri):
            return []
        failures = []
        for j, shape in enumerate(spec.shapes):
            failures += self.context_failures(uri, shape.seq_len, f"shapes.{j}.seq_len")
        if spec.perplexity is not None:
            failures += self.context_failures(uri, spec.perplexity.seq_len, "perplexity.seq_len")
        if spec.generation is not None:
            total = spec.generation.prompt_tokens + spec.generation.new_tokens
            failures += self.context_failures(uri, total, "generation.new_tokens")
        return failures

    # -- apply ------------------------------------------------------------------------------

    def create(self, props: dict[str, Any]) -> CreateResult:
        inputs = denormalize_floats(dict(props))
        spec = self.model(inputs)
        started = time.monotonic()
        threads = spec.threads or os.cpu_count() or 1
        settings = spec.model_dump(mode="json", exclude={"variants", "gates"})
        settings["threads"] = threads
        job = self.ctx.run_job(
            "providers.llm.jobs.measure:measure_variants",
            {
                "models": [v.model for v in spec.variants],
                "settings": settings,
                "project_dir": str(self.ctx.project),
                "artifacts_dir": str(self.ctx.artifacts_dir),
            },
        )
        results = {v.name: dict(row) for v, row in zip(spec.variants, job.value, strict=True)}
        baseline = spec.variants[0].name
        add_ratios(results, baseline)
        measured = {
            "results": results,
            "baseline": baseline,
            "threads_used": threads,
            "device_used": results[baseline].get("device", ""),
            "duration_s": round(time.monotonic() - started, 2),
        }
        outs = self._judge(inputs, spec, measured)
        return CreateResult(id_=str(outs["report_uri"]).rsplit("/", 1)[-1][:16], outs=outs)

    def _judge(self, inputs: dict[str, Any], spec: Any, measured: dict[str, Any]) -> dict[str, Any]:
        """Apply the gates to ``measured``, store the report, raise if a gate failed."""
        per_variant = {v.name: dict(v.gates) for v in spec.variants}
        gate_results = evaluate_gates(
            measured["results"], measured["baseline"], dict(spec.gates), per_variant
        )
        outs = {
            **inputs,
            **measured,
            "gate_results": gate_results,
            "passed": all(g["passed"] for g in gate_results),
        }
        with staging(self.ctx.artifacts_dir) as folder:
            self.ctx.run_job(
                "providers.llm.jobs.report:write_report",
                {"folder": str(folder / "report"), "outputs": outs},
            )
            outs["report_uri"] = ArtifactStore(Path(self.ctx.artifacts_dir)).put(folder / "report")
        if not outs["passed"]:
            report = ArtifactStore(Path(self.ctx.artifacts_dir)).path(outs["report_uri"])
            raise GateFailedError(
                f"{failure_message(gate_results)} (report: {report / 'report.md'})", outs
            )
        return outs

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        """Re-judge stored measurements when only the gates changed; otherwise re-measure."""
        olds, news = denormalize_floats(olds), denormalize_floats(news)
        changed = [k for k in self.spec.model_fields if olds.get(k) != news.get(k)]
        if changed == ["gates"] and olds.get("results"):
            keys = ("results", "baseline", "threads_used", "device_used", "duration_s")
            measured = {k: olds[k] for k in keys if k in olds}
            return UpdateResult(outs=self._judge(news, self.model(news), measured))
        return UpdateResult(outs=self.create(news).outs)

    def describe(self, outputs: dict[str, Any]) -> str:
        """The results table printed by ``opspec show benchmark.NAME``."""
        legend = ", ".join(f"{k}: {m.description}" for k, m in METRICS.items() if m.relative)
        return markdown_table(outputs) + f"\n\nRatios against the baseline ({legend})."
