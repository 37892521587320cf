"""What the engine tells a provider about the run it is part of."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from engine.jobs.runner import JobResult

__all__ = ["ProviderContext"]


@dataclass(frozen=True)
class ProviderContext:
    """What a provider may know about the run: plain data only, so it pickles for Pulumi.

    ``project_dir`` and ``state_dir`` are absolute. ``untrusted`` is set for plans of pull
    requests: the provider then runs no user code and reads nothing outside the project (every
    path it reads goes through :func:`engine.providers.paths.resolve_spec_path`).
    """

    project_dir: str
    state_dir: str
    address: str = ""
    workspace: str = "default"
    settings: Mapping[str, Any] = field(default_factory=dict)
    untrusted: bool = False

    @property
    def project(self) -> Path:
        return Path(self.project_dir)

    @property
    def artifacts_dir(self) -> Path:
        return Path(self.state_dir) / "artifacts"

    @property
    def runs_dir(self) -> Path:
        return Path(self.state_dir) / "runs"

    def family_settings(self, family: str) -> Mapping[str, Any]:
        value = self.settings.get(family, {})
        return value if isinstance(value, Mapping) else {}

    def run_job(
        self,
        target: str,
        kwargs: dict[str, Any],
        *,
        timeout_s: float | None = None,
        user_code: bool = False,
    ) -> JobResult:
        """Run ``target`` (``module:function``) for this resource in a child process, in the
        project directory; ``user_code`` when the job imports a user's ``module:function``
        from the project (only then is the project on the job's ``sys.path``)."""
        from engine.jobs.runner import run_job

        return run_job(
            self.runs_dir,
            self.address,
            target,
            kwargs,
            timeout_s=timeout_s,
            cwd=self.project,
            code_dir=self.project if user_code else None,
        )

    def for_address(self, address: str) -> ProviderContext:
        # Called once per resource instance: a shallow copy is much cheaper than __init__.
        new = object.__new__(ProviderContext)
        new.__dict__.update(self.__dict__)
        new.__dict__["address"] = address
        return new
