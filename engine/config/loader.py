"""Loading a project directory: every ``*.ops.yaml`` directly in it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from engine.addrs import NAME_RE, ResourceAddr
from engine.config.model import (
    META_ARGUMENTS,
    TOP_LEVEL_KEYS,
    Config,
    Executor,
    LifecycleSpec,
    LocalBlock,
    OutputBlock,
    OutputSpec,
    ResourceBlock,
    VariableBlock,
    VariableSpec,
)
from engine.config.specfiles import SPEC_SUFFIX, read_spec_files
from engine.config.validation import did_you_mean, pos_at, validation_diagnostics
from engine.config.yamlpos import YamlMap
from engine.diagnostics import Diagnostics, SourcePos, error


def load_project(directory: Path, *, untrusted: bool = False) -> tuple[Config, Diagnostics]:
    """Read every spec file of ``directory``; problems are returned as diagnostics."""
    diags = Diagnostics()
    config = Config(directory=directory)
    if not directory.is_dir():
        diags.append(error(f"project directory {directory} does not exist"))
        return config, diags
    files = read_spec_files(directory, untrusted=untrusted)
    if not files:
        diags.append(
            error(
                f"no *{SPEC_SUFFIX} files in {directory}",
                "A project is a directory of *.ops.yaml files; run opspec in it or pass -C DIR.",
            )
        )
    for spec in files:
        if spec.error is not None:
            message, detail, line, col = spec.error
            pos = SourcePos(spec.name, line, col) if line else None
            diags.append(error(message, detail, pos))
            continue
        config.files[spec.name] = spec.sha256
        _load_document(config, spec.name, spec.doc, diags)
    return config, diags


def _load_document(config: Config, file: str, doc: Any, diags: Diagnostics) -> None:
    if doc is None:
        return
    if not isinstance(doc, YamlMap):
        diags.append(
            error(
                "a spec file must be a mapping of top-level keys",
                f"Allowed keys: {', '.join(TOP_LEVEL_KEYS)}.",
                pos_at(file, doc, ()),
            )
        )
        return
    for key in doc:
        if key not in TOP_LEVEL_KEYS:
            diags.append(
                error(
                    f"unknown top-level key `{key}`",
                    f"Allowed keys: {', '.join(TOP_LEVEL_KEYS)}."
                    + did_you_mean(str(key), TOP_LEVEL_KEYS),
                    pos_at(file, doc, (key,), key=True),
                )
            )
            continue
        section = doc[key]
        if section is None:
            continue
        if not isinstance(section, YamlMap):
            diags.append(error(f"`{key}` must be a mapping", "", pos_at(file, doc, (key,))))
            continue
        loader = _SECTIONS[key]
        loader(config, file, section, diags)


def _check_name(kind: str, name: Any, file: str, section: YamlMap, diags: Diagnostics) -> bool:
    if isinstance(name, str) and NAME_RE.fullmatch(name):
        return True
    diags.append(
        error(
            f"invalid {kind} name {name!r}",
            "Names start with a letter or underscore and contain letters, digits and underscores.",
            pos_at(file, section, (name,), key=True),
        )
    )
    return False


def _validated(
    model: type[BaseModel],
    value: Any,
    file: str,
    section: YamlMap,
    name: str,
    what: str,
    diags: Diagnostics,
) -> Any:
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        diags.extend(
            validation_diagnostics(exc, model, file=file, root=section, base=(name,), what=what)
        )
        return None


def _named_entries(
    kind: str, file: str, section: YamlMap, diags: Diagnostics
) -> Iterator[tuple[str, Any, SourcePos]]:
    """The entries of a ``variables:``, ``locals:`` or ``outputs:`` section whose names are
    valid (the others are reported), each with the position of its name."""
    for name, value in section.items():
        if _check_name(kind, name, file, section, diags):
            yield name, value, pos_at(file, section, (name,), key=True)


def _declared_before(
    kind: str, name: str, declared: Mapping[str, Any], pos: SourcePos, diags: Diagnostics
) -> bool:
    """Whether ``name`` is already declared (in this file or another); if so, say where."""
    if name not in declared:
        return False
    first = declared[name].pos
    diags.append(error(f"duplicate {kind} `{name}`", f"also declared at {first}", pos))
    return True


def _load_variables(config: Config, file: str, section: YamlMap, diags: Diagnostics) -> None:
    for name, value, pos in _named_entries("variable", file, section, diags):
        body = value if value is not None else {}
        spec = _validated(VariableSpec, body, file, section, name, f"variable `{name}`", diags)
        if spec is None or _declared_before("variable", name, config.variables, pos, diags):
            continue
        has_default = isinstance(body, dict) and "default" in body
        config.variables[name] = VariableBlock(name, spec, has_default, pos)


def _load_locals(config: Config, file: str, section: YamlMap, diags: Diagnostics) -> None:
    for name, value, pos in _named_entries("local", file, section, diags):
        if not _declared_before("local", name, config.locals, pos, diags):
            config.locals[name] = LocalBlock(name, value, pos, section)


def _load_outputs(config: Config, file: str, section: YamlMap, diags: Diagnostics) -> None:
    for name, value, pos in _named_entries("output", file, section, diags):
        spec = _validated(OutputSpec, value, file, section, name, f"output `{name}`", diags)
        if spec is None or _declared_before("output", name, config.outputs, pos, diags):
            continue
        config.outputs[name] = OutputBlock(name, spec, pos, pos_at(file, section, (name, "value")))


def _load_providers(config: Config, file: str, section: YamlMap, diags: Diagnostics) -> None:
    for family, settings in section.items():
        if not isinstance(settings, dict):
            diags.append(
                error(
                    f"settings of provider `{family}` must be a mapping",
                    "",
                    pos_at(file, section, (family,)),
                )
            )
            continue
        config.providers.setdefault(str(family), {}).update(settings)


def _load_resources(config: Config, file: str, section: YamlMap, diags: Diagnostics) -> None:
    key_pos = section.key_pos
    for key, body in section.items():
        pos = SourcePos(file, *key_pos[key])
        try:
            type_, _, name = str(key).partition(".")
            addr = ResourceAddr(type_, name)
            if not (NAME_RE.fullmatch(type_) and NAME_RE.fullmatch(name)):
                raise ValueError
        except ValueError:
            diags.append(
                error(
                    f"invalid resource address `{key}`",
                    "Resource keys are TYPE.NAME, e.g. `dataset.tickets`.",
                    pos,
                )
            )
            continue
        if body is None:
            body = YamlMap()
            body.pos = (pos.line, pos.col)
        if not isinstance(body, YamlMap):
            diags.append(
                error(f"arguments of `{key}` must be a mapping", "", pos_at(file, section, (key,)))
            )
            continue
        if addr.block in config.resources:
            first = config.resources[addr.block].pos
            diags.append(
                error(
                    f"duplicate resource `{addr.block}`",
                    f"declared in {first} and in {pos}",
                    pos,
                    addr.block,
                )
            )
            continue
        block = _resource_block(addr, body, file, pos, diags)
        if block is not None:
            config.resources[addr.block] = block


def _resource_block(
    addr: ResourceAddr, body: YamlMap, file: str, pos: SourcePos, diags: Diagnostics
) -> ResourceBlock | None:
    block = ResourceBlock(addr, body, pos, file)
    if META_ARGUMENTS.isdisjoint(body):
        return block
    ok = True
    # Meta-arguments move out of the body (in place: no copy of the arguments) into `meta`,
    # which keeps their positions.
    meta = YamlMap()
    meta.pos = body.pos
    for key in [k for k in body if k in META_ARGUMENTS]:
        meta[key] = body.pop(key)
        meta.key_pos[key] = body.key_pos[key]
        meta.value_pos[key] = body.value_pos[key]
    for key, value in meta.items():
        kpos = pos_at(file, meta, (key,), key=True)
        vpos = pos_at(file, meta, (key,))
        block.meta_pos[key] = kpos
        if key == "depends_on":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                diags.append(
                    error("`depends_on` must be a list of resource addresses", "", vpos, addr.block)
                )
                ok = False
                continue
            block.depends_on = [(v, pos_at(file, meta, (key, i))) for i, v in enumerate(value)]
        elif key == "for_each":
            block.for_each, block.has_for_each = value, True
        elif key == "executor":
            try:
                block.executor = Executor(value)
            except ValueError:
                diags.append(
                    error(
                        f"unknown executor {value!r}",
                        "Use one of: local, pulumi, ray.",
                        vpos,
                        addr.block,
                    )
                )
                ok = False
        elif key == "lifecycle":
            spec = _validated(
                LifecycleSpec,
                value if value is not None else {},
                file,
                meta,
                key,
                f"lifecycle of {addr.block}",
                diags,
            )
            if spec is None:
                ok = False
            else:
                block.lifecycle = spec
    return block if ok else None


_SECTIONS = {
    "variables": _load_variables,
    "locals": _load_locals,
    "outputs": _load_outputs,
    "providers": _load_providers,
    "resources": _load_resources,
}
