"""Spec models of the LLM deployment family: llm_model, fine_tune, compression, benchmark.

A deployment is a chain of content-addressed model artifacts: a base model (a local Hugging Face
folder, a GGUF file, or a small model built from a config), a fine-tune of it, compressed
variants of that, and a benchmark that measures the variants side by side and gates on the
results. Every step after the first takes the previous step's ``uri`` (``artifact://sha256/…``),
so a change upstream makes the downstream inputs unknown at plan time and cascades.

Text sources (``data`` lists) accept project-relative files or folders (``.txt``/``.md`` read
whole, ``.jsonl``/``.csv`` read from ``text_field``), ``pkg:DIST/PATH`` and artifact URIs such
as a ``dataset`` resource's ``uri``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from specs.base import CachedJobOutputs, ForceNew, Outputs, ResourceSpec
from specs.gates import Gate


class _Strict(BaseModel):
    """Nested blocks are as strict as the resources that hold them."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Device(StrEnum):
    """Where a job runs: ``auto`` takes CUDA when a GPU is visible, else the CPU."""

    AUTO = "auto"
    CPU = "cpu"
    CUDA = "cuda"


class Architecture(StrEnum):
    """Architectures a model can be built from a config with."""

    LLAMA = "llama"
    GPT2 = "gpt2"


class FineTuneMethod(StrEnum):
    FULL = "full"
    LORA = "lora"


class CompressionMethod(StrEnum):
    ONNX_INT8 = "onnx-int8"
    ONNX_FP32 = "onnx-fp32"
    TORCH_INT8 = "torch-int8"
    FP16 = "fp16"
    BF16 = "bf16"

    @property
    def is_int8(self) -> bool:
        return self in (CompressionMethod.ONNX_INT8, CompressionMethod.TORCH_INT8)

    @property
    def is_onnx(self) -> bool:
        return self in (CompressionMethod.ONNX_INT8, CompressionMethod.ONNX_FP32)


class WeightType(StrEnum):
    QINT8 = "qint8"
    QUINT8 = "quint8"


TextSources = Annotated[
    list[str],
    Field(
        min_length=1,
        description="Text: project files or folders, `pkg:DIST/PATH`, or artifact URIs.",
    ),
]


# -- llm_model -------------------------------------------------------------------------------


class TokenizerSpec(_Strict):
    data: TextSources
    vocab_size: Annotated[
        int, Field(ge=64, le=65536, description="Size of the byte-level BPE vocabulary.")
    ] = 512
    text_field: Annotated[str, Field(description="Text column of .jsonl/.csv sources.")] = "text"


class ModelConfigSpec(_Strict):
    """A small model with random weights, for tests and experiments."""

    arch: Annotated[Architecture, Field(description="Model architecture.")] = Architecture.LLAMA
    layers: Annotated[int, Field(ge=1, le=64, description="Transformer blocks.")] = 2
    hidden: Annotated[int, Field(ge=8, le=8192, description="Hidden size.")] = 128
    heads: Annotated[int, Field(ge=1, le=128, description="Attention heads.")] = 4
    kv_heads: Annotated[
        int | None, Field(ge=1, description="Key/value heads (llama; default: heads).")
    ] = None
    intermediate: Annotated[
        int | None, Field(ge=8, description="MLP width (default: 4 × hidden).")
    ] = None
    context: Annotated[int, Field(ge=8, le=131072, description="Context length.")] = 512
    seed: Annotated[int, Field(ge=0, description="Seed of the random initialisation.")] = 0
    tokenizer: Annotated[TokenizerSpec, Field(description="Tokenizer trained on local text.")]

    @model_validator(mode="after")
    def _shapes(self) -> ModelConfigSpec:
        if self.hidden % self.heads:
            raise ValueError(f"hidden ({self.hidden}) must be a multiple of heads ({self.heads})")
        if self.kv_heads is not None:
            if self.arch is not Architecture.LLAMA:
                raise ValueError("kv_heads applies to arch llama only")
            if self.heads % self.kv_heads:
                raise ValueError(
                    f"heads ({self.heads}) must be a multiple of kv_heads ({self.kv_heads})"
                )
        return self


class LlmModelSpec(ResourceSpec):
    path: Annotated[
        str | None,
        ForceNew,
        Field(
            description="A Hugging Face model folder, a .gguf file (project-relative), or "
            "`pkg:DIST/PATH` for one shipped inside an installed distribution."
        ),
    ] = None
    config: Annotated[
        ModelConfigSpec | None, ForceNew, Field(description="Build a small model instead.")
    ] = None
    device: Annotated[Device, Field(description="Device of the load check.")] = Device.AUTO

    @model_validator(mode="after")
    def _one_source(self) -> LlmModelSpec:
        if (self.path is None) == (self.config is None):
            raise ValueError("give exactly one of `path` or `config`")
        return self


class LlmModelOutputs(CachedJobOutputs):
    uri: Annotated[str, Field(description="Model artifact (a save_pretrained folder).")] = ""
    source_sha256: Annotated[str, Field(description="Hash of the source (plan time).")] = ""
    architecture: Annotated[str, Field(description="model_type of the model.")] = ""
    context_length: Annotated[int, Field(description="Longest sequence the model takes.")] = 0
    parameters: Annotated[int, Field(description="Number of parameters.")] = 0
    size_bytes: Annotated[int, Field(description="Size of the artifact on disk.")] = 0
    vocab_size: Annotated[int, Field(description="Tokenizer vocabulary size.")] = 0


# -- fine_tune -------------------------------------------------------------------------------


class LoraSpec(_Strict):
    r: Annotated[int, Field(ge=1, le=512, description="Rank of the adapters.")] = 8
    alpha: Annotated[float, Field(gt=0, description="Scaling numerator (alpha / r).")] = 16.0
    dropout: Annotated[float, Field(ge=0, lt=1, description="Adapter dropout.")] = 0.05
    target_modules: Annotated[
        list[str] | None, Field(description="Module names to adapt (default: peft's).")
    ] = None


class FineTuneSpec(ResourceSpec):
    model: Annotated[str, ForceNew, Field(description="Base model artifact URI.")]
    data: Annotated[TextSources, ForceNew]
    text_field: Annotated[str, ForceNew, Field(description="Column of .jsonl/.csv.")] = "text"
    eval_data: Annotated[
        list[str], ForceNew, Field(description="Held-out text (default: a split of `data`).")
    ] = []
    eval_fraction: Annotated[
        float, ForceNew, Field(ge=0, le=0.5, description="Share of blocks held out.")
    ] = 0.1
    method: Annotated[FineTuneMethod, ForceNew] = FineTuneMethod.FULL
    lora: Annotated[LoraSpec | None, ForceNew, Field(description="LoRA settings.")] = None
    steps: Annotated[int | None, ForceNew, Field(ge=1, description="Optimizer steps.")] = None
    epochs: Annotated[float | None, ForceNew, Field(gt=0, description="Passes over data.")] = None
    learning_rate: Annotated[float, ForceNew, Field(gt=0, le=1)] = 5e-5
    batch_size: Annotated[int, ForceNew, Field(ge=1, le=4096)] = 8
    seq_len: Annotated[int, ForceNew, Field(ge=2, le=131072)] = 128
    warmup_steps: Annotated[int, ForceNew, Field(ge=0)] = 0
    weight_decay: Annotated[float, ForceNew, Field(ge=0)] = 0.0
    max_grad_norm: Annotated[float, ForceNew, Field(gt=0)] = 1.0
    seed: Annotated[int, ForceNew, Field(ge=0)] = 0
    device: Annotated[Device, ForceNew] = Device.AUTO

    @model_validator(mode="after")
    def _consistent(self) -> FineTuneSpec:
        if self.steps is not None and self.epochs is not None:
            raise ValueError("give `steps` or `epochs`, not both")
        if self.lora is not None and self.method is not FineTuneMethod.LORA:
            raise ValueError("`lora` settings need `method: lora`")
        return self


class FineTuneOutputs(CachedJobOutputs):
    uri: Annotated[str, Field(description="Fine-tuned model artifact (LoRA merged).")] = ""
    loss_history: Annotated[list[float], Field(description="Training loss per step.")] = []
    train_loss: float = 0.0
    eval_loss_before: Annotated[float, Field(description="Held-out loss of the base.")] = 0.0
    eval_loss: Annotated[float, Field(description="Held-out loss after training.")] = 0.0
    eval_perplexity: float = 0.0
    steps_run: int = 0
    tokens_trained: int = 0
    parameters: int = 0
    trainable_parameters: int = 0
    duration_s: float = 0.0
    device_used: str = ""


# -- compression -----------------------------------------------------------------------------


class SmoothSpec(_Strict):
    """SmoothQuant: scale activation outliers into the weights (exact in float) before int8."""

    data: TextSources
    text_field: str = "text"
    alpha: Annotated[
        float, Field(gt=0, lt=1, description="Migration strength: 0 none, 1 all into weights.")
    ] = 0.8
    max_tokens: Annotated[int, Field(ge=16, description="Calibration tokens read.")] = 4096


class QuantizationSpec(_Strict):
    per_channel: Annotated[bool, Field(description="One scale per output channel.")] = True
    keep_lm_head_fp32: Annotated[bool, Field(description="Leave the output head in float.")] = True
    exclude: Annotated[
        list[str],
        Field(description="Node (ONNX) or module (torch) names kept in float; fnmatch globs."),
    ] = []
    op_types: Annotated[
        list[str] | None, Field(description="ONNX op types to quantize (default: MatMul).")
    ] = None
    weight_type: Annotated[WeightType | None, Field(description="ONNX weight type.")] = None
    reduce_range: Annotated[
        bool | None, Field(description="ONNX: 7-bit weights (for pre-VNNI CPUs).")
    ] = None
    smooth: Annotated[
        SmoothSpec | None, Field(description="SmoothQuant calibration (Llama-style models).")
    ] = None

    def onnx_only_fields(self) -> list[str]:
        return [
            name
            for name in ("op_types", "weight_type", "reduce_range")
            if getattr(self, name) is not None
        ]


class CompressionSpec(ResourceSpec):
    model: Annotated[str, ForceNew, Field(description="Model artifact URI to compress.")]
    method: Annotated[CompressionMethod, ForceNew]
    quantization: Annotated[
        QuantizationSpec | None, ForceNew, Field(description="Settings of int8 methods.")
    ] = None
    device: Annotated[Device, ForceNew] = Device.AUTO


class CompressionOutputs(CachedJobOutputs):
    uri: Annotated[str, Field(description="Compressed artifact, loadable by load_causal_lm.")] = ""
    format: Annotated[str, Field(description="hf, onnx or torch-int8.")] = ""
    size_bytes: int = 0
    source_size_bytes: int = 0
    size_ratio: Annotated[float, Field(description="Size over the source's size.")] = 0.0
    quantized: Annotated[int, Field(description="Nodes or modules quantized.")] = 0
    kept_float: Annotated[list[str], Field(description="Quantizable ones kept float.")] = []
    duration_s: float = 0.0


# -- benchmark -------------------------------------------------------------------------------


class VariantSpec(_Strict):
    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+$", description="Row label.")]
    model: Annotated[str, Field(description="Model artifact URI (any format).")]
    gates: Annotated[dict[str, Gate], Field(description="Gates on this variant only.")] = {}


class ShapeSpec(_Strict):
    batch: Annotated[int, Field(ge=1, le=1024)] = 1
    seq_len: Annotated[int, Field(ge=1, le=131072)] = 64


class GenerationSpec(_Strict):
    prompt_tokens: Annotated[int, Field(ge=1, le=4096)] = 16
    new_tokens: Annotated[int, Field(ge=1, le=4096)] = 32


class PerplexitySpec(_Strict):
    data: TextSources
    text_field: str = "text"
    seq_len: Annotated[int, Field(ge=2, le=131072, description="Window length.")] = 256
    max_tokens: Annotated[int | None, Field(ge=2, description="Cap on tokens scored.")] = None


class BenchmarkSpec(ResourceSpec):
    variants: Annotated[
        list[VariantSpec],
        ForceNew,
        Field(min_length=1, description="Models to compare; ratios are against the first."),
    ]
    shapes: Annotated[
        list[ShapeSpec], ForceNew, Field(min_length=1, description="Forward batch × length.")
    ] = [ShapeSpec()]
    threads: Annotated[
        int | None, ForceNew, Field(ge=1, description="Threads (default: every core).")
    ] = None
    warmup: Annotated[int, ForceNew, Field(ge=0)] = 2
    repetitions: Annotated[int, ForceNew, Field(ge=1)] = 10
    generation: Annotated[GenerationSpec | None, ForceNew] = GenerationSpec()
    perplexity: Annotated[PerplexitySpec | None, ForceNew] = None
    gates: Annotated[
        dict[str, Gate], Field(description="Gates on every variant but the first.")
    ] = {}
    device: Annotated[Device, ForceNew] = Device.AUTO

    @model_validator(mode="after")
    def _unique_names(self) -> BenchmarkSpec:
        names = [v.name for v in self.variants]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"variant names must be unique: {', '.join(dupes)}")
        return self


class BenchmarkOutputs(Outputs):
    results: Annotated[
        dict[str, dict[str, Any]], Field(description="Measured metrics per variant.")
    ] = {}
    baseline: str = ""
    gate_results: list[dict[str, Any]] = []
    passed: bool = False
    report_uri: Annotated[str, Field(description="report.json, report.md, chart.png.")] = ""
    threads_used: int = 0
    device_used: str = ""
    duration_s: float = 0.0
