"""The price catalog: GPU type -> USD per GPU-hour, and the training-time heuristic.

The catalog ships as data (``prices.yaml`` in this package) and a project may override any
entry, in order: the shipped catalog, then ``prices.yaml`` in the project directory, then the
``overrides`` the caller passes (the ``providers: {cost: {...}}`` block). All three use the same
keys (``currency``, ``prices``, ``training``); a later source replaces single entries, so a
project that sets ``prices: {H100: 9.0}`` keeps every other shipped price. GPU names are matched
case-insensitively.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from engine.config.validation import validation_diagnostics
from engine.config.yamlpos import YamlError, parse
from engine.diagnostics import Diagnostic, SourcePos, error, relative_name
from engine.providers.paths import PathEscapeError, resolve_in_project

PROJECT_PRICES_FILE = "prices.yaml"


class TrainingHeuristic(BaseModel):
    """How GPU-hours of a training or fine-tuning job are estimated (all optional)."""

    model_config = ConfigDict(extra="forbid")

    gpu_type: Annotated[
        str | None, Field(description="GPU type assumed for jobs that do not name one.")
    ] = None
    seconds_per_step: Annotated[
        float | None, Field(gt=0, description="Wall-clock seconds per optimizer step.")
    ] = None
    steps_per_epoch: Annotated[
        int | None, Field(gt=0, description="Steps per epoch when a job gives only epochs.")
    ] = None
    default_steps: Annotated[
        int | None, Field(gt=0, description="Steps assumed when a job gives neither.")
    ] = None


class CostSettings(BaseModel):
    """One source of prices: the shipped catalog, a project's prices.yaml, or overrides."""

    model_config = ConfigDict(extra="forbid")

    currency: Annotated[str | None, Field(description="Currency of the prices.")] = None
    prices: Annotated[
        dict[str, Annotated[float, Field(ge=0)]],
        Field(description="GPU type (e.g. A100-80GB) -> price per GPU-hour."),
    ] = {}
    training: Annotated[TrainingHeuristic, Field(description="Training GPU-hour heuristic.")] = (
        TrainingHeuristic()
    )


class PriceCatalog:
    """The merged catalog the estimator prices with."""

    def __init__(self, sources: list[CostSettings]) -> None:
        self.currency = "USD"
        self.prices: dict[str, float] = {}
        merged: dict[str, Any] = {}
        for source in sources:
            if source.currency:
                self.currency = source.currency
            self.prices.update({k.upper(): float(v) for k, v in source.prices.items()})
            merged.update(source.training.model_dump(exclude_none=True))
        self.gpu_type: str = str(merged.get("gpu_type", "A100")).upper()
        self.seconds_per_step: float = float(merged.get("seconds_per_step", 0.5))
        self.steps_per_epoch: int = int(merged.get("steps_per_epoch", 1000))
        self.default_steps: int = int(merged.get("default_steps", 1000))

    def price(self, names: list[str]) -> tuple[str, float] | None:
        """The first of ``names`` (most specific first) that has a price."""
        for name in names:
            if name.upper() in self.prices:
                return name.upper(), self.prices[name.upper()]
        return None


def _settings_from_text(text: str, file: str) -> tuple[CostSettings | None, list[Diagnostic]]:
    try:
        root = parse(text)
    except YamlError as exc:
        return None, [error(exc.message, exc.detail, SourcePos(file, exc.line, exc.col))]
    if root is None:
        return CostSettings(), []
    if not isinstance(root, dict):
        return None, [error("a prices file must be a mapping", "", SourcePos(file, 1, 1))]
    try:
        return CostSettings.model_validate(root), []
    except ValidationError as exc:
        return None, validation_diagnostics(
            exc, CostSettings, file=file, root=root, what="prices file"
        )


def shipped_settings() -> CostSettings:
    text = resources.files("engine.cost").joinpath("prices.yaml").read_text(encoding="utf-8")
    settings, diags = _settings_from_text(text, "engine/cost/prices.yaml")
    if settings is None:
        raise RuntimeError(f"the shipped price catalog is invalid: {diags}")
    return settings


def load_catalog(
    project_dir: Path | None, overrides: dict[str, Any] | None = None, *, untrusted: bool = False
) -> tuple[PriceCatalog, list[Diagnostic]]:
    """The shipped catalog with the project's ``prices.yaml`` and ``overrides`` applied.

    When ``untrusted``, ``prices.yaml`` belongs to the change under review and is resolved under
    the one path rule first: a link out of the project is refused, never opened.
    """
    sources = [shipped_settings()]
    diags: list[Diagnostic] = []
    if project_dir is not None:
        path = project_dir / PROJECT_PRICES_FILE
        if path.is_file():
            name = relative_name(path, project_dir)
            if untrusted:
                try:
                    path = resolve_in_project(project_dir, PROJECT_PRICES_FILE)
                except PathEscapeError as exc:
                    return PriceCatalog(sources), [
                        error(f"{name} leaves the project; refused", str(exc))
                    ]
            settings, found = _settings_from_text(path.read_text(encoding="utf-8"), name)
            diags.extend(found)
            if settings is not None:
                sources.append(settings)
    if overrides:
        try:
            sources.append(CostSettings.model_validate(overrides))
        except ValidationError as exc:
            diags.extend(
                error(
                    "invalid `providers.cost` setting",
                    f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}",
                )
                for e in exc.errors()
            )
    return PriceCatalog(sources), diags
