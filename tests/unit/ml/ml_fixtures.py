"""Helpers for the ML family's tests: small tables, a user module, and applying a resource."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from engine.providers import Provider

TORCH_MODULE = """
import os
import signal

import torch


def train(ctx):
    torch.manual_seed(ctx.seed)
    model = torch.nn.Linear(ctx.n_features, ctx.n_classes)
    opt = torch.optim.Adam(model.parameters(), lr=float(ctx.params.get("lr", 0.1)))
    for _ in range(int(ctx.params.get("epochs", 3))):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(ctx.X), ctx.y)
        loss.backward()
        opt.step()
        ctx.log_epoch(loss=loss.item())
    return model


def explode(ctx):
    print("about to fail", flush=True)
    raise RuntimeError("boom in user code")


def die(ctx):
    print("about to be killed", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
"""


def write_table(path: Path, rows: int = 40, *, label: str = "label") -> Path:
    """A CSV with two informative features and a binary label (linearly separable)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"x1,x2,{label}"]
    for i in range(rows):
        cls = i % 2
        lines.append(f"{i % 7 + cls * 10}.5,{(i * 3) % 5 - cls * 8}.25,{cls}")
    path.write_text("\n".join(lines) + "\n")
    return path


def checked(
    provider: Provider, news: dict[str, Any], olds: dict[str, Any] | None = None
) -> dict[str, Any]:
    """``check`` that must pass; the checked inputs."""
    result = provider.check(olds or {}, news)
    assert not result.failures, [(f.property, f.reason) for f in result.failures]
    return dict(result.inputs)


def failures(
    provider: Provider, news: dict[str, Any], olds: dict[str, Any] | None = None
) -> dict[str, str]:
    """``check`` failures as {property: reason}."""
    return {f.property: f.reason for f in provider.check(olds or {}, news).failures}


def apply(provider: Provider, news: dict[str, Any]) -> dict[str, Any]:
    """check + create, as the engine does on a first apply; the outputs."""
    return dict(provider.create(checked(provider, news)).outs)


def run_dirs(project: Path, address: str) -> list[Path]:
    folder = project / ".opspec" / "runs" / address.replace("[", "_").replace("]", "_")
    return sorted(folder.iterdir()) if folder.exists() else []


def store_dataset(ctx: Any, news: dict[str, Any]) -> str:
    """Check a dataset and put its snapshot in the store without profiling it; its URI."""
    import tempfile

    from engine.artifacts import ArtifactStore
    from providers.ml.dataset import DatasetProvider

    provider = DatasetProvider(ctx)
    inputs = checked(provider, news)
    snap = provider._snapshot(provider.model(inputs))
    with tempfile.TemporaryDirectory() as tmp:
        snap.materialize(Path(tmp))
        uri = ArtifactStore(ctx.artifacts_dir).put(Path(tmp))
    assert uri == inputs["uri"]
    return uri


def store_classifier(ctx: Any, data_uri: str, *, C: float = 1.0) -> str:
    """Fit a logistic regression on the stored table in this process; the model's URI."""
    import tempfile

    import joblib
    from sklearn.linear_model import LogisticRegression

    from engine.artifacts import ArtifactStore
    from providers.ml.jobs.data import load_part

    store = ArtifactStore(ctx.artifacts_dir)
    frame, _ = load_part(store.path(data_uri), "train")
    model = LogisticRegression(C=C).fit(frame[["x1", "x2"]], frame["label"])
    meta = {
        "framework": "sklearn",
        "task": "classification",
        "features": ["x1", "x2"],
        "target": "label",
        "classes": [0, 1],
        "estimator": "sklearn.linear_model.LogisticRegression",
        "params": {"C": C},
        "seed": 0,
        "dataset": data_uri,
    }
    with tempfile.TemporaryDirectory() as tmp:
        joblib.dump(model, Path(tmp) / "model.joblib")
        (Path(tmp) / "meta.json").write_text(json.dumps(meta))
        return ArtifactStore(ctx.artifacts_dir).put(Path(tmp))
