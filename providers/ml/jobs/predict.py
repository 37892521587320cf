"""Loading a trained model for prediction, whatever framework trained it.

A model artifact is a folder with ``meta.json`` (framework, task, features, classes) and the
model file: ``model.joblib`` (scikit-learn) or ``model.pt`` (a whole pickled torch module, so
loading imports the user's module from the project, as training did).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["LoadedModel", "load_model"]


@dataclass(frozen=True)
class LoadedModel:
    meta: dict[str, Any]
    model: Any

    @property
    def task(self) -> str:
        return str(self.meta["task"])

    @property
    def features(self) -> list[str]:
        return list(self.meta["features"])

    @property
    def classes(self) -> list[Any] | None:
        classes = self.meta.get("classes")
        return list(classes) if classes is not None else None

    def predict(self, frame: Any) -> Any:
        """Predicted labels (classification) or values (regression), as a numpy array."""
        import numpy as np

        if self.meta["framework"] == "sklearn":
            return np.asarray(self.model.predict(frame[self.features]))
        output = self._torch_output(frame)
        if self.task == "classification":
            return np.asarray(self.classes)[output.argmax(axis=1)]
        return output.reshape(-1)

    def predict_proba(self, frame: Any) -> Any | None:
        """Class probabilities (rows x classes, in ``classes`` order), or None."""
        import numpy as np

        if self.task != "classification":
            return None
        if self.meta["framework"] == "sklearn":
            if not hasattr(self.model, "predict_proba"):
                return None
            return np.asarray(self.model.predict_proba(frame[self.features]))
        logits = self._torch_output(frame)
        shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
        return shifted / shifted.sum(axis=1, keepdims=True)

    def _torch_output(self, frame: Any) -> Any:
        import numpy as np
        import torch

        X = torch.from_numpy(frame[self.features].to_numpy(dtype=np.float32))
        with torch.no_grad():
            return self.model(X).numpy().astype(np.float64)


def load_model(model_dir: str | Path) -> LoadedModel:
    folder = Path(model_dir)
    meta = json.loads((folder / "meta.json").read_text())
    if meta["framework"] == "sklearn":
        import joblib

        return LoadedModel(meta, joblib.load(folder / "model.joblib"))
    import torch

    model = torch.load(folder / "model.pt", weights_only=False)
    model.eval()
    return LoadedModel(meta, model)
