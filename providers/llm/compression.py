"""The ``compression`` provider: an ONNX, int8 or half-precision variant of a model artifact.

Plan time rejects what this host cannot run: ``fp16``/``bf16`` without CUDA, int8 methods on
CUDA (ONNX Runtime's and torch's dynamic int8 kernels are CPU kernels), ONNX on CUDA without
``onnxruntime-gpu``, and options of one backend given to the other. Every input is
``ForceNew``; the cache key is the source artifact hash, the method, the normalised quantization
settings and the versions of the libraries that compute the result.
"""

from __future__ import annotations

from typing import Any, ClassVar

from engine.hashing import sha256_json
from engine.providers import CheckFailure
from providers.llm.base import ArtifactJob
from providers.llm.common import library_versions
from providers.llm.device import plan_device
from providers.llm.sources import (
    SMOOTHABLE_ARCHITECTURES,
    architecture_of_artifact,
    text_fingerprint,
)
from specs.llm import (
    CompressionMethod,
    CompressionOutputs,
    CompressionSpec,
    Device,
    QuantizationSpec,
)

__all__ = ["CompressionProvider"]

_LIBRARIES = ("torch", "transformers", "optimum", "optimum-onnx", "onnx", "onnxruntime")


class CompressionProvider(ArtifactJob):
    type_name: ClassVar[str] = "compression"
    spec = CompressionSpec
    outputs = CompressionOutputs
    job_target: ClassVar[str] = "providers.llm.jobs.quantize:compress"
    code_modules: ClassVar[tuple[str, ...]] = (
        "providers.llm.jobs.loading",
        "providers.llm.manifest",
        "providers.llm.jobs.smooth",
        "providers.llm.jobs.text",
    )

    def check_semantics(self, spec: Any) -> list[CheckFailure]:
        failures = self.device_failures(spec.device)
        failures += self.model_uri_failures(spec.model, "model")
        method: CompressionMethod = spec.method
        device = plan_device(spec.device)
        if method in (CompressionMethod.FP16, CompressionMethod.BF16) and device != "cuda":
            failures.append(
                CheckFailure(
                    "method",
                    f"{method} needs a CUDA device; device {spec.device} is the CPU on this "
                    "host (use onnx-int8 or torch-int8 on CPUs)",
                )
            )
        if method.is_int8 and spec.device is Device.CUDA:
            failures.append(
                CheckFailure(
                    "device", f"{method} uses dynamic int8 kernels that run on the CPU only"
                )
            )
        if (
            method is CompressionMethod.ONNX_FP32
            and spec.device is Device.CUDA
            and library_versions("onnxruntime-gpu")["onnxruntime-gpu"] == "absent"
        ):
            failures.append(CheckFailure("device", "ONNX on CUDA needs onnxruntime-gpu"))
        return failures + self._quantization_failures(spec)

    def _quantization_failures(self, spec: Any) -> list[CheckFailure]:
        q: QuantizationSpec | None = spec.quantization
        if q is None:
            return []
        if not spec.method.is_int8:
            return [CheckFailure("quantization", f"applies to int8 methods, not {spec.method}")]
        failures = []
        if spec.method is CompressionMethod.TORCH_INT8:
            failures += [
                CheckFailure(f"quantization.{name}", "is an ONNX option; torch-int8 ignores it")
                for name in q.onnx_only_fields()
            ]
        if q.smooth is not None:
            failures += self.source_failures(q.smooth.data, "quantization.smooth.data")
            architecture = architecture_of_artifact(spec.model, self.ctx.artifacts_dir)
            if architecture is not None and architecture not in SMOOTHABLE_ARCHITECTURES:
                supported = ", ".join(sorted(SMOOTHABLE_ARCHITECTURES))
                failures.append(
                    CheckFailure(
                        "quantization.smooth", f"smoothing supports {supported}, not {architecture}"
                    )
                )
        return failures

    def normalized_quantization(self, spec: Any) -> dict[str, Any] | None:
        """The quantization settings with defaults filled in (None for non-int8 methods)."""
        if not spec.method.is_int8:
            return None
        q = spec.quantization or QuantizationSpec()
        return q.model_dump(mode="json")

    def cache_parts(self, inputs: dict[str, Any]) -> dict[str, str]:
        spec = self.model(inputs)
        return {
            "model": str(spec.model).rsplit("/", 1)[-1],
            "method": str(spec.method),
            "quantization": sha256_json(self.normalized_quantization(spec)),
            "calibration": self._calibration_hash(spec),
            "device": "cpu" if spec.method.is_int8 else plan_device(spec.device),
            "libraries": sha256_json(library_versions(*_LIBRARIES)),
            "code": self.code_hash(),
        }

    def _calibration_hash(self, spec: Any) -> str:
        smooth = spec.quantization.smooth if spec.quantization is not None else None
        if smooth is None:
            return ""
        return sha256_json(
            [text_fingerprint(v, self.ctx.project, self.ctx.artifacts_dir) for v in smooth.data]
        )

    def job_kwargs(self, inputs: dict[str, Any]) -> dict[str, Any]:
        spec = self.model(inputs)
        return {
            "model": spec.model,
            "method": str(spec.method),
            "quantization": self.normalized_quantization(spec) or {},
            "device": "cpu" if spec.method.is_int8 else spec.device.value,
            "project_dir": str(self.ctx.project),
            "artifacts_dir": str(self.ctx.artifacts_dir),
        }
