"""Spec models of the ML pipeline family: ``dataset``, ``training_job``, ``evaluation``, ``model``.

An ML team declares data → training → evaluation → registered model; these models are what the
YAML may say about each step, and what each step exposes afterwards. Values that ``check``
computes at plan time (a dataset's ``sha256`` and ``uri``, a torch function's ``code_hash``) are
fields of the output models, so ``${dataset.iris.uri}`` is known while planning and the cache key
of every job downstream can be computed before anything runs.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from specs.base import CachedJobOutputs, ForceNew, Outputs, ResourceSpec
from specs.gates import Gate

__all__ = [
    "DataFormat",
    "DatasetOutputs",
    "DatasetSpec",
    "EvaluationOutputs",
    "EvaluationSpec",
    "Framework",
    "Metric",
    "ModelOutputs",
    "ModelSpec",
    "SplitPart",
    "SplitSpec",
    "Task",
    "TrainingJobOutputs",
    "TrainingJobSpec",
]


class DataFormat(StrEnum):
    """How a data file is read (inferred from its suffix when not given)."""

    CSV = "csv"
    TSV = "tsv"
    PARQUET = "parquet"
    JSONL = "jsonl"


class Framework(StrEnum):
    SKLEARN = "sklearn"
    TORCH = "torch"


class Task(StrEnum):
    CLASSIFICATION = "classification"
    REGRESSION = "regression"


class SplitPart(StrEnum):
    """Which rows of a dataset a job reads: its train part, its test part, or all of it."""

    TRAIN = "train"
    TEST = "test"
    ALL = "all"


class Metric(StrEnum):
    ACCURACY = "accuracy"
    F1 = "f1"
    PRECISION = "precision"
    RECALL = "recall"
    ROC_AUC = "roc_auc"
    LOG_LOSS = "log_loss"
    RMSE = "rmse"
    MAE = "mae"
    R2 = "r2"


CLASSIFICATION_METRICS = frozenset(
    {Metric.ACCURACY, Metric.F1, Metric.PRECISION, Metric.RECALL, Metric.ROC_AUC, Metric.LOG_LOSS}
)
REGRESSION_METRICS = frozenset({Metric.RMSE, Metric.MAE, Metric.R2})


# Validators are built on first use, so importing the family costs little for unused types.
_LAZY = ConfigDict(defer_build=True)


class SplitSpec(BaseModel):
    """A deterministic train/test split, computed the same way by every job that reads it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    test: Annotated[
        float, Field(gt=0, lt=1, description="Fraction of the rows held out as the test part.")
    ]
    seed: Annotated[int, Field(description="Seed of the shuffle that assigns rows to parts.")] = 0
    stratify: Annotated[
        bool,
        Field(description="Keep the class proportions of the dataset's `target` in both parts."),
    ] = True


class DatasetSpec(ResourceSpec):
    """A table snapshotted into the artifact store under the hash of its content.

    Exactly one of ``path`` (a file or folder in the project, or ``pkg:DIST/PATH`` inside an
    installed distribution) and ``source`` (``sklearn:NAME``, data shipped with scikit-learn).
    """

    model_config = _LAZY

    path: Annotated[
        str | None,
        Field(
            description="CSV/TSV/Parquet/JSON-lines file, or a folder of such files, relative "
            "to the project directory; or `pkg:DIST/PATH` for data inside an installed Python "
            "distribution."
        ),
    ] = None
    source: Annotated[
        str | None,
        Field(
            description="A dataset shipped offline with scikit-learn: `sklearn:iris`, "
            "`sklearn:digits`, `sklearn:breast_cancer`, `sklearn:wine` or `sklearn:diabetes` "
            "(its label column is `target`)."
        ),
    ] = None
    format: Annotated[
        DataFormat | None,
        Field(description="File format; inferred from the suffix (.csv, .tsv, .parquet, .jsonl)."),
    ] = None
    target: Annotated[
        str | None,
        Field(description="Label column, used to stratify the split (`target` for sklearn:)."),
    ] = None
    split: Annotated[
        SplitSpec | None,
        Field(description="Hold out a test part; jobs read `train` or `test` rows of it."),
    ] = None


class DatasetOutputs(Outputs):
    """Attributes of a dataset: ``sha256`` and ``uri`` are known at plan time."""

    model_config = _LAZY

    sha256: Annotated[str, Field(description="Hex sha256 of the data's content.")] = ""
    uri: Annotated[
        str,
        Field(description="Content-addressed snapshot (data + split), `artifact://sha256/...`."),
    ] = ""
    column_names: Annotated[
        list[str], Field(description="Column names, in file order (known at plan when cheap).")
    ] = []
    rows: Annotated[int, Field(description="Number of rows.")] = 0
    columns: Annotated[int, Field(description="Number of columns.")] = 0
    dtypes: Annotated[
        dict[str, str],
        Field(description="The schema: column name -> data type, as pandas reads it."),
    ] = {}
    train_rows: Annotated[int | None, Field(description="Rows of the train part.")] = None
    test_rows: Annotated[int | None, Field(description="Rows of the test part.")] = None


_JOB = ForceNew()


class TrainingJobSpec(ResourceSpec):
    """Fit a model on a dataset's train part, in a child process, cached by content."""

    model_config = _LAZY

    framework: Annotated[
        Framework, _JOB, Field(description="`sklearn` (an estimator) or `torch` (a function).")
    ]
    dataset: Annotated[str, _JOB, Field(description="Dataset URI, e.g. `${dataset.iris.uri}`.")]
    target: Annotated[str, _JOB, Field(description="Label column.")]
    features: Annotated[
        list[str] | None,
        _JOB,
        Field(description="Feature columns; every column but the target when not given."),
    ] = None
    estimator: Annotated[
        str | None,
        _JOB,
        Field(
            description="Import path of a scikit-learn estimator class, e.g. "
            "`sklearn.ensemble.RandomForestClassifier` (framework sklearn)."
        ),
    ] = None
    function: Annotated[
        str | None,
        _JOB,
        Field(
            description="`module:function` in the project that trains a torch model "
            "(framework torch); called with a `providers.ml.jobs.torch_api.TrainContext`."
        ),
    ] = None
    params: Annotated[
        dict[str, Any],
        _JOB,
        Field(description="Estimator constructor arguments, or the function's `ctx.params`."),
    ] = {}
    seed: Annotated[
        int, _JOB, Field(description="Random seed (estimator `random_state`, torch seed).")
    ] = 0
    task: Annotated[
        Task | None,
        _JOB,
        Field(description="Classification or regression; inferred from the target's type."),
    ] = None
    split: Annotated[
        SplitPart, _JOB, Field(description="Rows to train on (`train` when the data is split).")
    ] = SplitPart.TRAIN
    timeout_s: Annotated[
        float | None, Field(gt=0, description="Seconds the job may run before it is stopped.")
    ] = None


class _JobRunOutputs(CachedJobOutputs):
    """What the outputs of an ML job say of the run that produced them."""

    run_id: Annotated[str, Field(description="The run that produced these outputs.")] = ""
    log_path: Annotated[str, Field(description="Log of that run.")] = ""
    reused: Annotated[bool, Field(description="Whether the last apply reused a cached run.")] = (
        False
    )


class TrainingJobOutputs(_JobRunOutputs):
    """What a training run produced."""

    model_config = _LAZY

    code_hash: Annotated[
        str, Field(description="sha256 of the torch function's source file (known at plan).")
    ] = ""
    model_uri: Annotated[str, Field(description="The fitted model, `artifact://sha256/...`.")] = ""
    metrics: Annotated[dict[str, float], Field(description="Metrics on the training rows.")] = {}
    loss_curve: Annotated[
        list[dict[str, float]], Field(description="Per-epoch metrics (torch), in order.")
    ] = []
    duration_s: Annotated[float, Field(description="Seconds spent fitting.")] = 0.0
    job_duration_s: Annotated[
        float, Field(description="Seconds of the whole child process (startup included).")
    ] = 0.0


class EvaluationSpec(ResourceSpec):
    """Measure a model on a dataset's rows and gate on the results."""

    model_config = _LAZY

    model: Annotated[str, _JOB, Field(description="Model URI, e.g. `${training_job.x.model_uri}`.")]
    dataset: Annotated[str, _JOB, Field(description="Dataset URI to evaluate on.")]
    split: Annotated[
        SplitPart, _JOB, Field(description="Rows to evaluate on (`test` when the data is split).")
    ] = SplitPart.TEST
    metrics: Annotated[
        list[Metric],
        _JOB,
        Field(description="Metrics to measure; the task's usual ones when empty."),
    ] = []
    gates: Annotated[
        dict[str, Gate],
        Field(
            description='Conditions the metrics must meet, e.g. `{accuracy: ">= 0.9"}` '
            "(operators >=, >, <=, <, ==, !=); a failed gate fails the resource."
        ),
    ] = {}


class EvaluationOutputs(_JobRunOutputs):
    """What an evaluation measured (``scores``, since ``metrics`` names what to measure)."""

    model_config = _LAZY

    scores: Annotated[
        dict[str, float], Field(description="Measured value of each metric, e.g. `accuracy`.")
    ] = {}
    gate_results: Annotated[
        dict[str, dict[str, Any]],
        Field(description="Per gate: its condition, the measured value and whether it passed."),
    ] = {}
    passed: Annotated[bool, Field(description="Whether every gate passed.")] = False
    rows: Annotated[int, Field(description="Rows evaluated.")] = 0
    task: Annotated[str, Field(description="`classification` or `regression`.")] = ""


class ModelSpec(ResourceSpec):
    """An entry of the model registry (MLflow): a new artifact is a new version."""

    model_config = _LAZY

    name: Annotated[
        str,
        ForceNew(),
        Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$", description="Registered model name."),
    ]
    artifact: Annotated[
        str, Field(description="Model URI to register, e.g. `${training_job.x.model_uri}`.")
    ]
    aliases: Annotated[
        list[Annotated[str, Field(pattern=r"^[A-Za-z][A-Za-z0-9_\-]*$")]],
        Field(description="Aliases moved to this version, e.g. `champion`."),
    ] = []
    tags: Annotated[dict[str, str], Field(description="Tags set on the version.")] = {}
    metrics: Annotated[
        dict[str, float],
        Field(
            description="Metrics recorded with the version, e.g. `${evaluation.x.scores}` "
            "(which also makes registration wait for the evaluation's gates)."
        ),
    ] = {}
    description: Annotated[str, Field(description="Description of the version.")] = ""


class ModelOutputs(Outputs):
    """The registered version and the lineage recorded with it."""

    model_config = _LAZY

    version: Annotated[int | None, Field(description="Registry version of `artifact`.")] = None
    model_uri: Annotated[str, Field(description="`models:/NAME/VERSION`.")] = ""
    run_id: Annotated[str, Field(description="MLflow run that logged the version.")] = ""
    tracking_uri: Annotated[str, Field(description="MLflow tracking/registry URI.")] = ""
    lineage: Annotated[
        dict[str, Any],
        Field(description="Dataset sha256, params, code hash, metrics and the training run."),
    ] = {}
