"""Fixtures for the pulumi executor's tests: projects on disk, their plans, Pulumi's settings."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from executor_projects import PlanFor
from pulumi_fakes import reset_pulumi_settings

from engine.cli.run import make_plan
from engine.plans.change import Plan
from engine.plans.planner import Planner, PlanOptions
from engine.project import Project


@pytest.fixture(autouse=True)
def _fresh_pulumi_settings() -> Iterator[None]:
    yield
    reset_pulumi_settings()


@pytest.fixture
def write_project(tmp_path: Path) -> Callable[[str], Project]:
    """Write ``main.ops.yaml`` (again) and return the project."""
    root = tmp_path / "project"

    def write(text: str) -> Project:
        root.mkdir(exist_ok=True)
        (root / "main.ops.yaml").write_text(textwrap.dedent(text))
        return Project(root)

    return write


@pytest.fixture
def plan_for() -> PlanFor:
    """Plan ``project`` against its current state, every change through the pulumi executor."""

    def plan(project: Project, **options: object) -> tuple[Plan, Planner]:
        opts = PlanOptions(executor="pulumi")
        for key, value in options.items():
            setattr(opts, key, value)
        return make_plan(project, opts, project.store.read(project.workspace))

    return plan
