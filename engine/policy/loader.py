"""Loading policy packs from the project's ``policies/`` directory and ``--policy`` directories.

Every ``*.yaml``/``*.yml`` file of such a directory is a pack, except ``config.yaml``, which
configures the built-in pack. Files are validated strictly and CEL expressions are compiled
here, once; every problem becomes a diagnostic at ``file:line:col`` (for a CEL syntax error, the
position inside the expression). Python policy modules are located but not imported: that
happens only when a trusted run evaluates them.

Under ``--untrusted`` the project's own policy directories (``policies/`` and any ``--policy``
directory inside the project) belong to the change under review, so their ``config.yaml`` may
only make built-in rules stricter than the defaults and the trusted directories' settings: a
setting that would disable a rule, lower its level, raise a cap or approve more models is
ignored, with a warning at its position. Their files are resolved under the one path rule
(:mod:`engine.providers.paths`) before they are read: a policy folder or file that is a link out
of the project is refused, never opened.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from engine.config.validation import did_you_mean, pos_at, validation_diagnostics
from engine.config.yamlpos import YamlError, parse, position
from engine.diagnostics import Diagnostic, SourcePos, error, relative_name, warning
from engine.policy import builtin
from engine.policy.model import Enforcement, Policy, Rule
from engine.policy.pyrules import PythonRule, module_path
from engine.providers.paths import PathEscapeError, resolve_if_in_project

POLICY_DIR = "policies"
CONFIG_NAMES = ("config.yaml", "config.yml")
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
ACTION_KINDS = ("create", "update", "replace", "delete", "no-op", "read")


class PolicyEntry(BaseModel):
    """One policy of a pack file: a CEL rule (``expression``) or a Python one (``python``)."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(pattern=NAME_PATTERN, description="Name, unique in the pack.")]
    description: str = ""
    enforcement: Annotated[Enforcement, Field(description="advisory|mandatory|disabled")] = (
        Enforcement.ADVISORY
    )
    scope: Annotated[str, Field(pattern="^(resource|plan)$", description="resource or plan")] = (
        "resource"
    )
    types: Annotated[list[str] | None, Field(description="Resource types checked.")] = None
    actions: Annotated[
        list[str] | None, Field(description=f"Actions checked, of {', '.join(ACTION_KINDS)}.")
    ] = None
    when: Annotated[str | None, Field(description="CEL: check only where true.")] = None
    expression: Annotated[str | None, Field(description="CEL: true when compliant.")] = None
    python: Annotated[
        str | None, Field(pattern=r"^[\w.]+:\w+$", description="MODULE:FUNCTION in the pack dir.")
    ] = None
    params: Annotated[dict[str, Any], Field(description="Values for `params`.")] = {}
    field: Annotated[str, Field(description="The field a violation names.")] = ""
    message: Annotated[str, Field(description="Message of a violation.")] = ""
    message_expression: Annotated[str | None, Field(description="CEL: the message.")] = None

    @model_validator(mode="after")
    def _one_kind(self) -> PolicyEntry:
        if (self.expression is None) == (self.python is None):
            raise ValueError("a policy needs exactly one of `expression` (CEL) or `python`")
        if self.python is not None and (self.when or self.types or self.actions):
            raise ValueError("`when`, `types` and `actions` apply to CEL policies only")
        if self.scope == "plan" and (self.when or self.types or self.actions):
            raise ValueError("`when`, `types` and `actions` apply to `scope: resource` only")
        bad = [a for a in self.actions or [] if a not in ACTION_KINDS]
        if bad:
            raise ValueError(f"unknown action {bad[0]!r}; use one of {', '.join(ACTION_KINDS)}")
        return self


class PackHeader(BaseModel):
    model_config = ConfigDict(extra="forbid")

    pack: Annotated[str | None, Field(pattern=NAME_PATTERN, description="Pack name.")] = None
    description: str = ""
    policies: Annotated[list[Any], Field(description="The policies of the pack.")] = []


class _PackLoader:
    def __init__(self, project_dir: Path) -> None:
        self.project_dir = project_dir
        self.diags: list[Diagnostic] = []
        self.policies: list[Policy] = []
        self.settings: dict[str, builtin.RuleSettings] = {}
        # Built-in settings from the change under review (untrusted runs only), kept apart
        # until they are checked against the trusted ones; with their positions.
        self.proposed: dict[str, tuple[builtin.RuleSettings, SourcePos | None]] = {}
        self.untrusted_dir = False

    def _read(self, path: Path) -> tuple[str, str, Any] | None:
        name = relative_name(path, self.project_dir)
        try:
            if self.untrusted_dir:
                path = resolve_if_in_project(self.project_dir, path) or path
            text = path.read_text(encoding="utf-8")
            return name, text, parse(text)
        except PathEscapeError as exc:
            self.diags.append(error(f"policy file {name} leaves the project; refused", str(exc)))
        except YamlError as exc:
            self.diags.append(error(exc.message, exc.detail, SourcePos(name, exc.line, exc.col)))
        except (OSError, UnicodeDecodeError) as exc:
            self.diags.append(error(f"cannot read policy file: {exc}", "", SourcePos(name, 1, 1)))
        return None

    def load_dir(self, directory: Path) -> None:
        files = sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml"))
        for path in files:
            read = self._read(path)
            if read is None:
                continue
            file, text, root = read
            if root is None:
                continue
            if not isinstance(root, dict):
                self.diags.append(
                    error("a policy file must be a mapping", "", pos_at(file, root, ()))
                )
            elif path.name in CONFIG_NAMES:
                self._config(file, root)
            else:
                self._pack(path, file, text, root)

    def _config(self, file: str, root: dict[str, Any]) -> None:
        for key in root:
            if key != builtin.PACK:
                self.diags.append(
                    error(
                        f"unknown key `{key}` in policy config",
                        f"The config configures the `{builtin.PACK}` pack.",
                        pos_at(file, root, (key,), key=True),
                    )
                )
        rules = root.get(builtin.PACK) or {}
        if not isinstance(rules, dict):
            self.diags.append(
                error(
                    "`builtin` must map rule names to settings",
                    "",
                    pos_at(file, root, (builtin.PACK,)),
                )
            )
            return
        for name, raw in rules.items():
            if name not in builtin.SPECS_BY_NAME:
                hint = did_you_mean(str(name), builtin.SPECS_BY_NAME)
                self.diags.append(
                    error(
                        f"unknown built-in policy `{name}`",
                        hint.strip(),
                        pos_at(file, root, (builtin.PACK, name), key=True),
                    )
                )
                continue
            try:
                parsed = builtin.parse_settings(name, raw)
            except ValidationError as exc:
                self.diags.extend(
                    validation_diagnostics(
                        exc,
                        builtin.SPECS_BY_NAME[name].settings,
                        file=file,
                        root=root,
                        base=(builtin.PACK, name),
                        what=f"settings of `{name}`",
                    )
                )
                continue
            if self.untrusted_dir:
                self.proposed[name] = (parsed, pos_at(file, root, (builtin.PACK, name)))
            else:
                self.settings[name] = parsed

    def tighten(self) -> None:
        """Take each proposed setting that is at least as strict as the trusted one."""
        for name, (proposed, pos) in self.proposed.items():
            spec = builtin.SPECS_BY_NAME[name]
            loosened = spec.loosenings(proposed, self.settings.get(name))
            if not loosened:
                self.settings[name] = proposed
                continue
            self.diags.append(
                warning(
                    f"ignored the settings of built-in policy `{name}` under --untrusted",
                    "The change under review may only make built-in policies stricter; these "
                    f"settings would loosen it ({'; '.join(loosened)}).",
                    pos,
                )
            )

    def _pack(self, path: Path, file: str, text: str, root: dict[str, Any]) -> None:
        try:
            header = PackHeader.model_validate(root)
        except ValidationError as exc:
            self.diags.extend(
                validation_diagnostics(exc, PackHeader, file=file, root=root, what="policy pack")
            )
            return
        pack = header.pack or path.stem
        if pack == builtin.PACK:
            self.diags.append(
                error(f"the pack name `{pack}` is reserved", "", pos_at(file, root, ("pack",)))
            )
            return
        for i, raw in enumerate(header.policies):
            base = ("policies", i)
            try:
                entry = PolicyEntry.model_validate(raw)
            except ValidationError as exc:
                self.diags.extend(_entry_diagnostics(exc, file, root, base))
                continue
            rule = self._rule(entry, path.parent, file, text, root, base)
            if rule is not None:
                self.policies.append(
                    Policy(
                        entry.name,
                        pack,
                        entry.enforcement,
                        rule,
                        entry.description,
                        pos_at(file, root, base),
                    )
                )

    def _rule(
        self,
        entry: PolicyEntry,
        directory: Path,
        file: str,
        text: str,
        root: Any,
        base: tuple[str | int, ...],
    ) -> Rule | None:
        if entry.python is not None:
            module, function = entry.python.split(":")
            found = module_path(directory, module)
            if found is None or not found.is_file():
                self.diags.append(
                    error(
                        f"Python policy module `{module}` not found",
                        f"Expected {module.replace('.', '/')}.py in {directory}.",
                        pos_at(file, root, (*base, "python")),
                    )
                )
                return None
            return PythonRule(directory, module, function, entry.params)
        from engine.policy import cel  # imported only when a pack has CEL rules

        roots = cel.PLAN_ROOTS if entry.scope == "plan" else cel.RESOURCE_ROOTS
        programs: dict[str, cel.CelProgram | None] = {}
        for key in ("expression", "when", "message_expression"):
            source = getattr(entry, key)
            programs[key] = None
            if source is None:
                continue
            try:
                programs[key] = cel.compile_expression(source, roots)
            except cel.CelCompileError as exc:
                line, col = _expression_pos(
                    text, position(root, (*base, key)), exc.line, exc.column
                )
                detail = f"In `{key}`:\n{exc.context or source.strip()}"
                self.diags.append(error(exc.args[0], detail, SourcePos(file, line, col)))
                return None
        expression = programs["expression"]
        assert expression is not None  # the model requires it when `python` is absent
        return cel.CelRule(
            expression=expression, scope=entry.scope,
            types=frozenset(entry.types) if entry.types else None,
            actions=frozenset(entry.actions) if entry.actions else cel.DEFAULT_ACTIONS,
            when=programs["when"], message=entry.message,
            message_expression=programs["message_expression"], field=entry.field,
            params=entry.params,
        )  # fmt: skip


def _entry_diagnostics(
    exc: ValidationError, file: str, root: Any, base: tuple[str | int, ...]
) -> list[Diagnostic]:
    """Field errors at their fields; errors about the entry as a whole at the entry."""
    whole = [e for e in exc.errors() if not e["loc"]]
    out = [
        error(f"invalid policy: {e['msg'].removeprefix('Value error, ')}", "",
              pos_at(file, root, base))
        for e in whole
    ]  # fmt: skip
    if len(whole) < len(exc.errors()):
        found = validation_diagnostics(exc, PolicyEntry, file=file, root=root, base=base,
                                       what="policy")  # fmt: skip
        out += [d for d in found if d.summary != "invalid value for `policy` in policy"]
    return out


def _expression_pos(
    text: str, start: tuple[int, int] | None, line: int, column: int
) -> tuple[int, int]:
    """The file position of ``line``:``column`` of an expression written at ``start``."""
    if start is None:
        return 1, 1
    first_line, first_col = start
    lines = text.splitlines()
    lead = lines[first_line - 1][first_col - 1 : first_col] if first_line <= len(lines) else ""
    if lead in ("|", ">"):  # a block scalar: the expression starts on the next line
        body = lines[first_line] if first_line < len(lines) else ""
        indent = len(body) - len(body.lstrip(" "))
        return first_line + line, indent + column
    offset = 1 if lead in ("'", '"') else 0
    if line == 1:
        return first_line, first_col + offset + column - 1
    target = lines[first_line + line - 2] if first_line + line - 2 < len(lines) else ""
    indent = len(target) - len(target.lstrip(" "))
    return first_line + line - 1, indent + column


def load_policies(
    project_dir: Path, extra_dirs: list[Path] | None = None, *, untrusted: bool = False
) -> tuple[list[Policy], list[Diagnostic]]:
    """The built-in pack, the packs in ``project_dir/policies`` and in each of ``extra_dirs``.

    ``config.yaml`` files configure the built-in pack (a later directory's settings replace an
    earlier one's for the same rule; when ``untrusted``, settings from inside the project only
    tighten, see the module docstring). Problems are returned as diagnostics, never raised.
    """
    loader = _PackLoader(project_dir)
    dirs = [project_dir / POLICY_DIR] if (project_dir / POLICY_DIR).is_dir() else []
    for extra in extra_dirs or []:
        directory = extra if extra.is_absolute() else project_dir / extra
        if directory.is_dir():
            dirs.append(directory)
        else:
            loader.diags.append(error(f"policy directory {extra} does not exist"))
    for directory in dirs:
        try:
            inside = untrusted and resolve_if_in_project(project_dir, directory) is not None
        except PathEscapeError as exc:
            shown = relative_name(directory, project_dir)
            loader.diags.append(
                error(f"policy directory {shown} leaves the project; refused", str(exc))
            )
            continue
        loader.untrusted_dir = inside
        loader.load_dir(directory)
    loader.tighten()
    policies = builtin.builtin_policies(loader.settings) + loader.policies
    loader.diags.extend(_duplicates(policies))
    return policies, loader.diags


def _duplicates(policies: list[Policy]) -> list[Diagnostic]:
    seen: dict[str, Policy] = {}
    out: list[Diagnostic] = []
    for policy in policies:
        first = seen.setdefault(policy.qualified_name, policy)
        if first is not policy:
            where = f" at {first.pos}" if first.pos else ""
            out.append(
                error(
                    f"duplicate policy `{policy.qualified_name}`",
                    f"First defined{where}.",
                    policy.pos,
                )
            )
    return out
