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
from pathlib import Path
from typing import Any

from providers.ml.jobs.data import feature_columns, load_part

__all__ = ["train_sklearn", "train_torch"]


def _is_label_column(values: Any) -> bool:
    return str(values.dtype.kind) in "iubOUS" or str(values.dtype) == "category"


def _plain(values: Any) -> list[Any]:
    return [v.item() if hasattr(v, "item") else v for v in values]


def _seed_all(seed: int) -> None:
    import numpy as np

    random.seed(seed)
    np.random.seed(seed)


def _save(out_dir: str, meta: dict[str, Any]) -> Path:
    """Write ``meta.json`` into ``out_dir``; the folder the model file goes into."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "meta.json").write_text(json.dumps(meta, sort_keys=True, indent=1, default=str))
    return out


def _meta(lineage: dict[str, Any], framework: str, **fields: Any) -> dict[str, Any]:
    return {**lineage, "framework": framework, **fields}


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


def train_sklearn(
    *,
    dataset_dir: str,
    part: str,
    out_dir: str,
    estimator: str,
    params: dict[str, Any],
    features: list[str] | None,
    target: str,
    seed: int,
    task: str | None,
    lineage: dict[str, Any],
) -> dict[str, Any]:
    import joblib
    import numpy as np
    from sklearn.base import is_classifier

    frame, _ = load_part(dataset_dir, part)
    columns = feature_columns(frame, features, target)
    X, y = frame[columns], frame[target]
    module_name, _, class_name = estimator.rpartition(".")
    model = getattr(importlib.import_module(module_name), class_name)(**params)
    if "random_state" in model.get_params(deep=False) and "random_state" not in params:
        model.set_params(random_state=seed)
    _seed_all(seed)
    print(f"fitting {estimator} on {len(X)} rows x {len(columns)} features", flush=True)
    started = time.perf_counter()
    model.fit(X, y)
    duration = time.perf_counter() - started
    task = task or ("classification" if is_classifier(model) else "regression")
    prediction, truth = np.asarray(model.predict(X)), np.asarray(y)
    if task == "classification":
        metrics = {"train_accuracy": float(np.mean(prediction == truth))}
    else:
        err = prediction.astype(float) - truth.astype(float)
        metrics = {"train_rmse": float(np.sqrt(np.mean(err**2)))}
    classes = _plain(model.classes_) if hasattr(model, "classes_") else None
    meta = _meta(
        lineage,
        "sklearn",
        task=task,
        features=columns,
        target=target,
        classes=classes,
        train_metrics=metrics,
    )
    joblib.dump(model, _save(out_dir, meta) / "model.joblib")
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


def train_torch(
    *,
    dataset_dir: str,
    part: str,
    out_dir: str,
    function: str,
    params: dict[str, Any],
    features: list[str] | None,
    target: str,
    seed: int,
    task: str | None,
    lineage: dict[str, Any],
) -> dict[str, Any]:
    import torch

    from providers.ml.jobs.torch_api import TrainContext

    frame, _ = load_part(dataset_dir, part)
    columns = feature_columns(frame, features, target)
    X, y, task, classes = _torch_data(frame, columns, target, task)
    _seed_all(seed)
    torch.manual_seed(seed)
    module_name, _, func_name = function.partition(":")
    func = getattr(importlib.import_module(module_name), func_name)
    ctx = TrainContext(X, y, dict(params), seed, task, columns, classes)
    print(f"calling {function} on {len(frame)} rows x {len(columns)} features", flush=True)
    started = time.perf_counter()
    model = func(ctx)
    duration = time.perf_counter() - started
    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"{function} returned {type(model).__name__}, not a torch.nn.Module")
    metrics = _torch_metrics(model, X, y, task)
    if ctx.history and "loss" in ctx.history[-1]:
        metrics["final_loss"] = ctx.history[-1]["loss"]
    meta = _meta(
        lineage,
        "torch",
        task=task,
        features=columns,
        target=target,
        classes=classes,
        train_metrics=metrics,
    )
    torch.save(model, _save(out_dir, meta) / "model.pt")
    return _result(metrics, duration, task, len(frame), ctx.history)
