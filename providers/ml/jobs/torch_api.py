"""What a user's torch training function receives: the data, its params and a loss logger.

A spec names the function as ``module:function`` in the project; the job calls it with one
:class:`TrainContext` and expects the trained ``torch.nn.Module`` back. For classification the
module returns one logit per class (``ctx.n_classes``) and ``ctx.y`` holds class indices; for
regression it returns one value per row. Example::

    def train(ctx):
        model = torch.nn.Linear(ctx.n_features, ctx.n_classes)
        opt = torch.optim.Adam(model.parameters(), lr=ctx.params.get("lr", 0.01))
        for _ in range(ctx.params.get("epochs", 10)):
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(ctx.X), ctx.y)
            loss.backward()
            opt.step()
            ctx.log_epoch(loss=loss.item())
        return model
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["TrainContext"]


@dataclass
class TrainContext:
    X: Any  # float32 tensor, rows x features
    y: Any  # int64 class indices (classification) or float32 values (regression)
    params: dict[str, Any]
    seed: int
    task: str  # "classification" or "regression"
    feature_names: list[str]
    classes: list[Any] | None  # label of each class index (classification)
    history: list[dict[str, float]] = field(default_factory=list)

    @property
    def n_features(self) -> int:
        return len(self.feature_names)

    @property
    def n_classes(self) -> int:
        return len(self.classes or [])

    def log_epoch(self, **metrics: float) -> None:
        """Record one epoch's metrics (e.g. ``loss=...``); they form the job's loss curve."""
        entry = {"epoch": float(len(self.history) + 1)}
        entry.update({k: float(v) for k, v in metrics.items()})
        self.history.append(entry)
        shown = " ".join(f"{k}={v:.4g}" for k, v in entry.items() if k != "epoch")
        print(f"epoch {len(self.history)}: {shown}", flush=True)
