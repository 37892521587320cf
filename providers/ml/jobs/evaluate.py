"""Evaluation job: measure a model's metrics on a dataset's rows.

Classification metrics over two classes treat the second class (in sorted order) as positive;
over more classes they are macro averages (``roc_auc``: one-vs-rest). ``roc_auc`` and
``log_loss`` need class probabilities.
"""

from __future__ import annotations

from typing import Any

from providers.ml.jobs.data import load_part
from providers.ml.jobs.predict import LoadedModel, load_model

__all__ = ["evaluate_model"]

_CLASSIFICATION = {"accuracy", "f1", "precision", "recall", "roc_auc", "log_loss"}
_REGRESSION = {"rmse", "mae", "r2"}
DEFAULTS = {"classification": ["accuracy", "f1"], "regression": ["rmse", "mae", "r2"]}


def evaluate_model(
    *, model_dir: str, dataset_dir: str, part: str, metrics: list[str], gated: list[str]
) -> dict[str, Any]:
    """Measure ``metrics`` (the task's defaults when empty) and the ``gated`` ones."""
    model = load_model(model_dir)
    frame, _ = load_part(dataset_dir, part)
    target = model.meta["target"]
    if target not in frame.columns:
        raise ValueError(f"the dataset has no column {target!r}, the model's target")
    wanted = list(metrics or DEFAULTS[model.task])
    wanted += [m for m in gated if m not in wanted]
    allowed = _CLASSIFICATION if model.task == "classification" else _REGRESSION
    wrong = [m for m in wanted if m not in allowed]
    if wrong:
        raise ValueError(
            f"metric(s) {', '.join(wrong)} do not apply to a {model.task} model "
            f"(use {', '.join(sorted(allowed))})"
        )
    y = frame[target].to_numpy()
    measured = {name: _metric(name, model, frame, y) for name in wanted}
    print(f"evaluated on {len(frame)} rows: {measured}", flush=True)
    return {"metrics": measured, "rows": len(frame), "task": model.task}


def _metric(name: str, model: LoadedModel, frame: Any, y: Any) -> float:
    import numpy as np
    from sklearn import metrics as skm

    if name in _REGRESSION:
        pred = model.predict(frame).astype(float)
        if name == "rmse":
            return float(np.sqrt(skm.mean_squared_error(y, pred)))
        return float(skm.mean_absolute_error(y, pred) if name == "mae" else skm.r2_score(y, pred))
    classes = model.classes or []
    if name in ("roc_auc", "log_loss"):
        proba = model.predict_proba(frame)
        if proba is None:
            raise ValueError(f"{name} needs class probabilities; the model has no predict_proba")
        if name == "log_loss":
            return float(skm.log_loss(y, proba, labels=classes))
        if len(classes) == 2:
            return float(skm.roc_auc_score(y == classes[1], proba[:, 1]))
        return float(skm.roc_auc_score(y, proba, multi_class="ovr", labels=classes))
    pred = model.predict(frame)
    if name == "accuracy":
        return float(skm.accuracy_score(y, pred))
    scorer = {"f1": skm.f1_score, "precision": skm.precision_score, "recall": skm.recall_score}
    if len(classes) == 2:
        kwargs: dict[str, Any] = {"average": "binary", "pos_label": classes[1]}
    else:
        kwargs = {"average": "macro", "labels": classes}
    return float(scorer[name](y, pred, zero_division=0, **kwargs))
