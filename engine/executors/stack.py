"""Where the ``pulumi`` executor keeps its Pulumi stack, and how to read what the stack holds.

The stack lives inside the project, like opspec's own state: a file backend at
``file://<project>/.opspec/pulumi`` and the workspace files (``Pulumi.yaml``, and the stack's
settings file with the passphrase salt) in ``.opspec/pulumi/workspace``. The stack is named
after the opspec workspace, the Pulumi project after the project's directory. Secrets in the
stack are encrypted by Pulumi's passphrase provider, with ``PULUMI_CONFIG_PASSPHRASE`` when it
is set, else with a passphrase derived from opspec's own key material (``OPSPEC_SECRETS_KEY`` or
the key file), so one key protects both states.

opspec state is the source of truth: what the stack holds but opspec state no longer has
(destroyed by the local executor, or forgotten with ``opspec state rm``) is forgotten by the
stack too (:func:`without_resources`), never deleted by surprise.

Names in the stack follow one rule, which lets the executor map everything back to opspec
addresses: a dynamic resource is named by its address; the objects of a provider with a native
hook are children of a component named by its address (type ``opspec:index:<type>``).
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pulumi import automation as auto

PULUMI_DIR = "pulumi"
DYNAMIC_TYPE = "pulumi-python:dynamic:Resource"
COMPONENT_PREFIX = "opspec:index:"
PASSPHRASE_ENV = "PULUMI_CONFIG_PASSPHRASE"
_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def pulumi_name(text: str, fallback: str) -> str:
    """``text`` as a Pulumi project or stack name (letters, digits, ``_``, ``.``, ``-``)."""
    return _NAME_UNSAFE.sub("-", text).strip("-.")[:100] or fallback


def derived_passphrase(environ: Mapping[str, str]) -> str:
    """The passphrase for Pulumi's secrets provider (see the module docstring)."""
    from engine.states.secrets import (
        DEFAULT_KEY_FILE,
        KEY_ENV,
        KEY_FILE_ENV,
        load_or_create_key_file,
    )

    explicit = environ.get(PASSPHRASE_ENV)
    if explicit is not None:
        return explicit
    opspec_key = environ.get(KEY_ENV)
    if opspec_key:
        material = opspec_key.encode()
    else:
        key_file = Path(environ.get(KEY_FILE_ENV) or DEFAULT_KEY_FILE).expanduser()
        material = load_or_create_key_file(key_file)
    # Derived, not the key itself: the CLI and its plugins see this value in their environment.
    return hashlib.sha256(b"opspec pulumi passphrase\0" + material).hexdigest()


def _python_environment() -> dict[str, str]:
    """Make Pulumi's dynamic-provider plugin run this interpreter (it imports our providers)."""
    bin_dir = str(Path(sys.executable).parent)
    env = {"PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}
    if sys.prefix != sys.base_prefix:  # a virtual environment: the plugin honours this
        env["PULUMI_RUNTIME_VIRTUALENV"] = sys.prefix
    return env


@dataclass(frozen=True)
class StackLocation:
    """The Pulumi project, stack, backend and workspace folder of one opspec project."""

    project_dir: Path
    workspace: str

    @property
    def root(self) -> Path:
        from engine.project import STATE_DIR

        return self.project_dir.resolve() / STATE_DIR / PULUMI_DIR

    @property
    def backend_url(self) -> str:
        return self.root.as_uri()

    @property
    def work_dir(self) -> Path:
        return self.root / "workspace"

    @property
    def project_name(self) -> str:
        return pulumi_name(self.project_dir.resolve().name, "opspec")

    @property
    def stack_name(self) -> str:
        return pulumi_name(self.workspace, "default")

    def env_vars(self, environ: Mapping[str, str] | None = None) -> dict[str, str]:
        env = os.environ if environ is None else environ
        return {
            "PULUMI_BACKEND_URL": self.backend_url,
            PASSPHRASE_ENV: derived_passphrase(env),
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            **_python_environment(),
        }

    def open(self, program: Callable[[], None]) -> auto.Stack:
        """Create or select the stack (needs the ``pulumi`` CLI)."""
        from pulumi import automation as auto

        self.work_dir.mkdir(parents=True, exist_ok=True)
        options: dict[str, Any] = {}
        if sys.prefix != sys.base_prefix:
            options["virtualenv"] = sys.prefix
        settings = auto.ProjectSettings(
            name=self.project_name,
            runtime=auto.ProjectRuntimeInfo("python", options or None),
            backend=auto.ProjectBackend(self.backend_url),
        )
        return auto.create_or_select_stack(
            self.stack_name,
            project_name=self.project_name,
            program=program,
            opts=auto.LocalWorkspaceOptions(
                work_dir=str(self.work_dir),
                env_vars=self.env_vars(),
                secrets_provider="passphrase",
                project_settings=settings,
            ),
        )


def urn_name(urn: str) -> str:
    """The resource name in ``urn:pulumi:STACK::PROJECT::TYPE::NAME``."""
    parts = urn.split("::", 3)
    return parts[3] if len(parts) == 4 else ""


def urn_type(urn: str) -> str:
    """The resource's own type (the last of the parent chain ``A$B$C``)."""
    parts = urn.split("::", 3)
    return parts[2].rsplit("$", 1)[-1] if len(parts) == 4 else ""


@dataclass
class Managed:
    """What the stack holds, by opspec address: every URN, and the custom ones."""

    urns: dict[str, list[str]]
    custom: dict[str, list[str]]

    def address_of(self, urn: str) -> str | None:
        for address, urns in self.urns.items():
            if urn in urns:
                return address
        return None


def managed_resources(deployment: Mapping[str, Any] | None) -> Managed:
    """Group the resources of an exported deployment by the opspec address they belong to."""
    resources = list((deployment or {}).get("resources") or [])
    by_urn = {r["urn"]: r for r in resources if isinstance(r, dict) and "urn" in r}
    out = Managed({}, {})
    for urn, res in by_urn.items():
        top = res
        while (
            top.get("parent") in by_urn and by_urn[top["parent"]]["type"] != "pulumi:pulumi:Stack"
        ):
            top = by_urn[top["parent"]]
        if top["type"] != DYNAMIC_TYPE and not str(top["type"]).startswith(COMPONENT_PREFIX):
            continue
        address = urn_name(top["urn"])
        out.urns.setdefault(address, []).append(urn)
        if res.get("custom"):
            out.custom.setdefault(address, []).append(urn)
    return out


def without_resources(deployment: Mapping[str, Any], urns: set[str]) -> dict[str, Any]:
    """``deployment`` with the resources ``urns`` forgotten (not deleted), and every
    reference to them dropped, so Pulumi accepts it back (``import_stack``)."""
    kept = []
    for res in deployment.get("resources") or []:
        if res.get("urn") in urns:
            continue
        res = dict(res)
        if "dependencies" in res:
            res["dependencies"] = [u for u in res["dependencies"] or [] if u not in urns]
        if "propertyDependencies" in res:
            res["propertyDependencies"] = {
                k: [u for u in v or [] if u not in urns]
                for k, v in (res["propertyDependencies"] or {}).items()
            }
        if res.get("deletedWith") in urns:
            del res["deletedWith"]
        kept.append(res)
    pending = [
        op
        for op in deployment.get("pendingOperations") or []
        if (op.get("resource") or {}).get("urn") not in urns
    ]
    out = {**deployment, "resources": kept}
    if "pendingOperations" in deployment:
        out["pendingOperations"] = pending
    return out
