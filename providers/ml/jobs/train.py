"""Training jobs: fit a scikit-learn estimator, or call a user's torch function.

Both write the model into ``out_dir`` with a ``meta.json`` (framework, task, features, classes
and the lineage the provider passes in) and return the training metrics and fit time. The
provider stores ``out_dir`` as a content-addressed artifact.
"""

from __future__ import annotations

import importlib
import json
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from providers.ml.jobs.data import feature_columns, load_part

__all__ = ["TrainRequest", "train_sklearn", "train_torch"]


def _is_label_column(values: Any) -> bool:
    return str(values.dtype.kind) in "iubOUS" or str(values.dtype) == "category"


def _plain(values: Any) -> list[Any]:
    return [v.item() if hasattr(v, "item") else v for v in values]


def _seed_all(seed: int) -> None:
    import numpy as np

    random.seed(seed)
    np.random.seed(seed)


@dataclass(frozen=True)
class TrainRequest:
    """What the training provider passes to either trainer, besides the estimator or
    function: where the data and the model go, the columns, params, seed and lineage."""

    dataset_dir: str
    part: str
    out_dir: str
    params: dict[str, Any]
    features: list[str] | None
    target: str
    seed: int
    task: str | None
    lineage: dict[str, Any]

    def load(self) -> tuple[Any, list[str]]:
        """The rows to train on (a pandas DataFrame) and the feature columns."""
        frame, _ = load_part(self.dataset_dir, self.part)
        return frame, feature_columns(frame, self.features, self.target)

    def save_meta(self, framework: str, **fields: Any) -> Path:
        """Write ``meta.json`` (the lineage plus ``fields``) into the model folder; that folder."""
        meta = {**self.lineage, "framework": framework, "target": self.target, **fields}
        out = Path(self.out_dir)
        out.mkdir(parents=True, exist_ok=True)
        (out / "meta.json").write_text(json.dumps(meta, sort_keys=True, indent=1, default=str))
        return out


def _result(
    metrics: dict[str, float], duration: float, task: str, rows: int, curve: list[dict[str, float]]
) -> dict[str, Any]:
    print(f"trained in {duration:.3f}s: {metrics}", flush=True)
    return {
        "metrics": metrics,
        "duration_s": duration,
        "task": task,
        "rows": rows,
        "loss_curve": curve,
    }


def train_sklearn(*, estimator: str, **request: Any) -> dict[str, Any]:
    """Fit the scikit-learn ``estimator`` (an import path) with the request's params."""
    job = TrainRequest(**request)
    import joblib
    import numpy as np
    from sklearn.base import is_classifier

    frame, columns = job.load()
    X, y = frame[columns], frame[job.target]
    module_name, _, class_name = estimator.rpartition(".")
    model = getattr(importlib.import_module(module_name), class_name)(**job.params)
    if "random_state" in model.get_params(deep=False) and "random_state" not in job.params:
        model.set_params(random_state=job.seed)
    _seed_all(job.seed)
    print(f"fitting {estimator} on {len(X)} rows x {len(columns)} features", flush=True)
    started = time.perf_counter()
    model.fit(X, y)
    duration = time.perf_counter() - started
    task = job.task or ("classification" if is_classifier(model) else "regression")
    prediction, truth = np.asarray(model.predict(X)), np.asarray(y)
    if task == "classification":
        metrics = {"train_accuracy": float(np.mean(prediction == truth))}
    else:
        err = prediction.astype(float) - truth.astype(float)
        metrics = {"train_rmse": float(np.sqrt(np.mean(err**2)))}
    classes = _plain(model.classes_) if hasattr(model, "classes_") else None
    out = job.save_meta(
        "sklearn", task=task, features=columns, classes=classes, train_metrics=metrics
    )
    joblib.dump(model, out / "model.joblib")
    return _result(metrics, duration, task, len(X), [])


def _torch_data(frame: Any, columns: list[str], target: str, task: str | None) -> tuple[Any, ...]:
    """Features, targets (class indices or values), task and class labels as torch wants them."""
    import numpy as np
    import torch

    X = torch.from_numpy(frame[columns].to_numpy(dtype=np.float32))
    labels = frame[target]
    task = task or ("classification" if _is_label_column(labels) else "regression")
    if task != "classification":
        return X, torch.from_numpy(labels.to_numpy(dtype=np.float32)), task, None
    uniques = np.unique(labels.to_numpy())
    y = torch.from_numpy(np.searchsorted(uniques, labels.to_numpy()).astype(np.int64))
    return X, y, task, _plain(uniques)


def _torch_metrics(model: Any, X: Any, y: Any, task: str) -> dict[str, float]:
    import torch

    model.eval()
    with torch.no_grad():
        output = model(X)
    if task == "classification":
        return {"train_accuracy": float((output.argmax(dim=1) == y).float().mean())}
    return {"train_rmse": float(torch.sqrt(((output.reshape(-1) - y) ** 2).mean()))}


def train_torch(*, function: str, **request: Any) -> dict[str, Any]:
    """Call the user's torch ``function`` (``module:function``) with a TrainContext."""
    job = TrainRequest(**request)
    import torch

    from providers.ml.jobs.torch_api import TrainContext

    frame, columns = job.load()
    X, y, task, classes = _torch_data(frame, columns, job.target, job.task)
    _seed_all(job.seed)
    torch.manual_seed(job.seed)
    module_name, _, func_name = function.partition(":")
    func = getattr(importlib.import_module(module_name), func_name)
    ctx = TrainContext(X, y, dict(job.params), job.seed, task, columns, classes)
    print(f"calling {function} on {len(frame)} rows x {len(columns)} features", flush=True)
    started = time.perf_counter()
    model = func(ctx)
    duration = time.perf_counter() - started
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"{function} returned {type(model).__name__}, not a torch.nn.Module")
    metrics = _torch_metrics(model, X, y, task)
    if ctx.history and "loss" in ctx.history[-1]:
        metrics["final_loss"] = ctx.history[-1]["loss"]
    out = job.save_meta(
        "torch", task=task, features=columns, classes=classes, train_metrics=metrics
    )
    torch.save(model, out / "model.pt")
    return _result(metrics, duration, task, len(frame), ctx.history)
