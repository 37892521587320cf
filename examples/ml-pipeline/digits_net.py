"""A small torch classifier for scikit-learn's 8x8 digits, trained by opspec's torch job.

`training_job.digits_mlp` names this function as `digits_net:train`. opspec never imports this
file while planning: it fingerprints its bytes, so editing it plans a retrain. The job calls
`train(ctx)` in a child process with the training rows (`ctx.X`, `ctx.y`), `ctx.params` and
`ctx.log_epoch` for the loss curve, and stores the returned module.
"""

from __future__ import annotations

import torch
from torch import nn


class DigitsNet(nn.Module):
    """A two-layer perceptron; pixel values (0..16) are scaled inside, so callers pass raw rows."""

    def __init__(self, n_features: int, hidden: int, n_classes: int) -> None:
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(n_features, hidden), nn.ReLU(), nn.Linear(hidden, n_classes)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x / 16.0)


def train(ctx):  # ctx: providers.ml.jobs.torch_api.TrainContext
    torch.set_num_threads(1)
    model = DigitsNet(ctx.n_features, int(ctx.params.get("hidden", 64)), ctx.n_classes)
    optimizer = torch.optim.Adam(model.parameters(), lr=float(ctx.params.get("lr", 0.01)))
    batch = int(ctx.params.get("batch_size", 64))
    generator = torch.Generator().manual_seed(ctx.seed)
    for _ in range(int(ctx.params.get("epochs", 15))):
        order = torch.randperm(len(ctx.X), generator=generator)
        total = 0.0
        for start in range(0, len(order), batch):
            rows = order[start : start + batch]
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(ctx.X[rows]), ctx.y[rows])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(rows)
        ctx.log_epoch(loss=total / len(order))
    return model
