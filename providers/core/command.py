"""The ``command`` provider: shell commands run on create, update and delete.

Commands run only in ``create``/``update``/``delete`` (apply and destroy), never in ``check``,
``diff`` or ``read``, so a plan runs no user code. Each runs as a job (see
:mod:`providers.core.jobs.shell`): ``/bin/sh -c`` in the project directory (or
``working_dir``), with ``environment`` added, its output logged under ``.opspec/runs/``. A
non-zero exit fails the call with the exit status and the end of stderr, and nothing is
recorded.

Without an ``update`` command, a change of ``create``, ``environment`` or ``working_dir``
replaces the resource (its ``delete`` command runs, then ``create``); with one, it runs
``update`` in place. ``update`` and ``delete`` commands see the previous stdout as
``$OPSPEC_COMMAND_STDOUT``.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, ClassVar

from engine.jobs.runner import run_job
from engine.providers import (
    CheckFailure,
    CreateResult,
    DiffResult,
    Provider,
    UpdateResult,
    denormalize_floats,
)
from engine.providers.paths import PathEscapeError, resolve_in_project
from providers.core.errors import CommandFailedError, CommandRefusedError
from specs.core import CommandOutputs, CommandSpec

__all__ = ["CommandProvider"]

# Changes of these run the `update` command, or replace the resource when there is none.
_RUN_FIELDS = ("create", "environment", "working_dir")

PREVIOUS_STDOUT_VAR = "OPSPEC_COMMAND_STDOUT"


class CommandProvider(Provider):
    """Runs ``create``/``update``/``delete`` shell commands; outputs ``stdout``, ``exit_code``."""

    type_name: ClassVar[str] = "command"
    spec: ClassVar[type[CommandSpec]] = CommandSpec
    outputs: ClassVar[type[CommandOutputs]] = CommandOutputs

    def check_semantics(self, spec: Any) -> list[CheckFailure]:
        if spec.working_dir is None:
            return []
        try:
            folder = resolve_in_project(self.ctx.project_dir, spec.working_dir)
        except PathEscapeError as exc:
            return [CheckFailure("working_dir", str(exc))]
        # A missing folder may be made by another resource before this one runs.
        if folder.exists() and not folder.is_dir():
            return [CheckFailure("working_dir", f"not a directory: {spec.working_dir}")]
        return []

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        result = super().diff(id_, olds, news)
        if news.get("update") is None:
            stables = result.stables or []
            replaces = list(result.replaces or [])
            replaces += [k for k in _RUN_FIELDS if k not in stables and k not in replaces]
            result.replaces = replaces
        return result

    def create(self, props: dict[str, Any]) -> CreateResult:
        spec = self.model(props)
        outs = spec.model_dump(mode="json", exclude_unset=True)
        outs.update(self._run(spec.create, spec, previous_stdout=None))
        return CreateResult(str(uuid.uuid4()), outs)

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        spec = self.model(news)
        outs = spec.model_dump(mode="json", exclude_unset=True)
        rerun = any(
            denormalize_floats(olds.get(k)) != denormalize_floats(news.get(k)) for k in _RUN_FIELDS
        )
        if rerun:
            # Without `update`, the diff replaces; a caller updating anyway re-runs `create`.
            command = spec.update if spec.update is not None else spec.create
            outs.update(self._run(command, spec, previous_stdout=olds.get("stdout")))
        else:
            # Only `update`, `delete` or `timeout_s` changed: nothing to run.
            outs["stdout"] = olds.get("stdout", "")
            outs["exit_code"] = denormalize_floats(olds.get("exit_code", 0))
        return UpdateResult(outs)

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        spec = self.model(props)
        if spec.delete is not None:
            self._run(spec.delete, spec, previous_stdout=props.get("stdout"))

    def _run(self, command: str, spec: Any, previous_stdout: str | None) -> dict[str, Any]:
        """Run ``command`` as a job; its outputs, or CommandFailedError on a non-zero exit."""
        if self.ctx.untrusted:
            raise CommandRefusedError(f"{self.ctx.address}: commands never run for untrusted specs")
        cwd = Path(self.ctx.project_dir)
        if spec.working_dir is not None:
            cwd = resolve_in_project(self.ctx.project_dir, spec.working_dir)
            if not cwd.is_dir():
                raise CommandRefusedError(
                    f"{self.ctx.address}: working_dir is not a directory: {cwd}"
                )
        env = dict(spec.environment)
        if previous_stdout is not None:
            env[PREVIOUS_STDOUT_VAR] = previous_stdout
        # The runner itself rather than ctx.run_job: the command's environment and text must
        # reach the child without landing in the run's request file.
        job = run_job(
            self.ctx.runs_dir,
            self.ctx.address or self.type_name,
            "providers.core.jobs.shell:run_shell",
            {"cwd": str(cwd)},
            timeout_s=spec.timeout_s,
            env=env,
            cwd=Path(self.ctx.project_dir),
            # A command's text can hold secrets: it never lands in the run's request file.
            private_kwargs={"command": command},
        )
        code = int(job.value["exit_code"])
        if code != 0:
            tail = str(job.value["stderr_tail"]).rstrip("\n")
            raise CommandFailedError(
                f"{self.ctx.address or self.type_name}: command exited with status {code}; "
                f"log {job.log_path}" + (f"\n{tail}" if tail else ""),
                code,
                tail,
            )
        stdout = str(job.value["stdout"])
        return {"stdout": stdout.removesuffix("\n"), "exit_code": code}
