"""Planning the ML family imports none of scikit-learn, torch, MLflow or pandas.

Run in a fresh interpreter: a plan-time call (check, read, diff, cache_parts) of each provider on
a project whose data and models are already applied, as a no-op re-plan sees it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from ml_fixtures import store_classifier, store_dataset

from engine.providers import ProviderContext

HEAVY = ("sklearn", "torch", "mlflow", "pandas", "pyarrow", "scipy", "joblib")

SCRIPT = textwrap.dedent(
    """
    import json, sqlite3, sys
    from engine.providers import ProviderContext
    from providers.ml.dataset import DatasetProvider
    from providers.ml.evaluation import EvaluationProvider
    from providers.ml.model import ModelProvider
    from providers.ml.training_job import TrainingJobProvider

    project, data_uri, model_uri, heavy_names, mode = sys.argv[1:6]
    ctx = ProviderContext(project, project + "/.opspec", "x.y")
    sqlite3.connect(project + "/.opspec/mlflow.db").close()
    sk = {"framework": "sklearn", "dataset": data_uri, "target": "label",
          "estimator": "sklearn.ensemble.RandomForestClassifier", "params": {"n_estimators": 5}}
    calls = [
        (DatasetProvider, {"path": "data/table.csv", "target": "label", "split": {"test": 0.25}}),
        (DatasetProvider, {"source": "sklearn:digits"}),
        *([(TrainingJobProvider, sk)] if mode == "replan" else []),
        (TrainingJobProvider, {**sk, "framework": "torch", "estimator": None,
                               "function": "user_train:train"}),
        (EvaluationProvider, {"model": model_uri, "dataset": data_uri, "gates": {"f1": ">= 0.5"}}),
        (ModelProvider, {"name": "m", "artifact": model_uri, "aliases": ["champion"]}),
    ]
    failures = []
    for cls, news in calls:
        provider = cls(ctx)
        stored = {**news, "model_uri": model_uri, "version": 1}
        # A re-plan passes the prior inputs as olds; a first plan has none.
        result = provider.check(stored if mode == "replan" else {}, news)
        failures += [f.reason for f in result.failures]
        provider.diff("id", {**result.inputs, **stored}, result.inputs)
        provider.read("id", {**result.inputs, **stored})
        if hasattr(provider, "cache_parts"):
            provider.cached_outputs(provider.cache_key(result.inputs))
    heavy = sorted({m.split(".")[0] for m in sys.modules} & set(heavy_names.split(",")))
    print(json.dumps({"failures": failures, "heavy": heavy}))
    """
)


def _plan_in_fresh_interpreter(project: Path, mode: str) -> dict[str, list[str]]:
    ctx = ProviderContext(str(project), str(project / ".opspec"), "x.y")
    data = {"path": "data/table.csv", "target": "label", "split": {"test": 0.25}}
    data_uri = store_dataset(ctx, data)
    model_uri = store_classifier(ctx, data_uri)
    argv = [str(project), data_uri, model_uri, ",".join(HEAVY), mode]
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, *argv],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[3],
    )
    result: dict[str, list[str]] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def test_replan_imports_no_heavy_library(project: Path) -> None:
    assert _plan_in_fresh_interpreter(project, "replan") == {"failures": [], "heavy": []}


def test_first_plan_of_a_torch_job_does_not_import_torch(project: Path) -> None:
    """A new torch job is fingerprinted from its file (only new sklearn params import)."""
    assert _plan_in_fresh_interpreter(project, "first") == {"failures": [], "heavy": []}


PARAMS_SCRIPT = textwrap.dedent(
    """
    import json, sys
    from engine.providers import ProviderContext
    from providers.ml.training_job import TrainingJobProvider

    project, data_uri, heavy_names = sys.argv[1:4]
    provider = TrainingJobProvider(ProviderContext(project, project + "/.opspec", "x.y"))
    news = {"framework": "sklearn", "dataset": data_uri, "target": "label",
            "estimator": "sklearn.ensemble.RandomForestClassifier",
            "params": {"n_estimators": 0}}
    result = provider.check({}, news)
    heavy = sorted({m.split(".")[0] for m in sys.modules} & set(heavy_names.split(",")))
    print(json.dumps({"failures": {f.property: f.reason for f in result.failures},
                      "heavy": heavy}))
    """
)


def test_new_estimator_params_are_judged_without_importing_sklearn_here(project: Path) -> None:
    """A first plan validates params with scikit-learn, in a child: the plan's process stays
    free of it, and the child's verdict still reaches the field at fault."""
    ctx = ProviderContext(str(project), str(project / ".opspec"), "x.y")
    data_uri = store_dataset(ctx, {"path": "data/table.csv", "target": "label"})
    out = subprocess.run(
        [sys.executable, "-c", PARAMS_SCRIPT, str(project), data_uri, ",".join(HEAVY)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[3],
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["heavy"] == []
    assert list(result["failures"]) == ["params.n_estimators"]
    assert "must be an int in the range [1, inf)" in result["failures"]["params.n_estimators"]
