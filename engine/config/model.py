"""Configuration blocks as loaded from spec files (raw values; nothing evaluated yet)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from engine.addrs import ResourceAddr
from engine.config.yamlpos import YamlMap
from engine.diagnostics import SourcePos

if TYPE_CHECKING:
    from engine.expr.evaluate import Site


class VarType(StrEnum):
    STRING = "string"
    NUMBER = "number"
    BOOL = "bool"
    LIST = "list"
    MAP = "map"
    ANY = "any"


class Executor(StrEnum):
    LOCAL = "local"
    PULUMI = "pulumi"
    RAY = "ray"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class VariableSpec(_Strict):
    type: Annotated[VarType, Field(description="Type the value must have.")] = VarType.ANY
    default: Annotated[Any, Field(description="Value when none is given.")] = None
    description: str = ""
    sensitive: Annotated[
        bool, Field(description="Masked in plans and output; encrypted in state.")
    ] = False


class OutputSpec(_Strict):
    value: Annotated[Any, Field(description="The value; usually an expression.")]
    sensitive: bool = False
    description: str = ""


class LifecycleSpec(_Strict):
    prevent_destroy: Annotated[
        bool, Field(description="Refuse any plan that would destroy this resource.")
    ] = False
    ignore_changes: Annotated[
        list[str], Field(description="Input fields whose changes do not update the resource.")
    ] = []
    create_before_destroy: Annotated[
        bool, Field(description="On replacement, create the new one before deleting the old.")
    ] = False
    replace_triggered_by: Annotated[
        list[str], Field(description="Addresses whose replacement or update replaces this one.")
    ] = []


DEFAULT_LIFECYCLE = LifecycleSpec()
DEFAULT_LIFECYCLE_JSON = DEFAULT_LIFECYCLE.model_dump()

META_ARGUMENTS = frozenset({"depends_on", "for_each", "executor", "lifecycle"})
TOP_LEVEL_KEYS = ("variables", "providers", "locals", "resources", "outputs")


@dataclass
class VariableBlock:
    name: str
    spec: VariableSpec
    has_default: bool
    pos: SourcePos


@dataclass
class LocalBlock:
    name: str
    value: Any
    pos: SourcePos
    root: YamlMap  # the `locals` mapping, for positions


@dataclass
class ResourceBlock:
    addr: ResourceAddr
    body: YamlMap  # the arguments of the type, meta-arguments removed
    pos: SourcePos
    file: str
    depends_on: list[tuple[str, SourcePos]] = field(default_factory=list)
    for_each: Any = None
    has_for_each: bool = False
    executor: Executor | None = None
    lifecycle: LifecycleSpec = field(default_factory=lambda: DEFAULT_LIFECYCLE)
    meta_pos: dict[str, SourcePos] = field(default_factory=dict)
    _sites: list[Site] | None = field(default=None, init=False, repr=False, compare=False)
    _pos_text: str | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def sites(self) -> list[Site]:
        """Where the expressions of the body are (found once, used by every evaluation)."""
        if self._sites is None:
            from engine.expr.evaluate import expression_sites

            self._sites = expression_sites(self.body)
        return self._sites

    @property
    def pos_text(self) -> str:
        text = self._pos_text
        if text is None:
            text = self._pos_text = str(self.pos)
        return text

    @property
    def lifecycle_json(self) -> dict[str, Any]:
        if self.lifecycle is DEFAULT_LIFECYCLE:
            return DEFAULT_LIFECYCLE_JSON
        return self.lifecycle.model_dump()

    def key_pos_of(self, path: tuple[str | int, ...]) -> SourcePos:
        from engine.config.yamlpos import key_position

        p = key_position(self.body, path)
        return SourcePos(self.file, p[0], p[1]) if p else self.pos

    def pos_of(self, path: tuple[str | int, ...]) -> SourcePos:
        from engine.config.yamlpos import position

        p = position(self.body, path)
        return SourcePos(self.file, p[0], p[1]) if p else self.pos


@dataclass
class OutputBlock:
    name: str
    spec: OutputSpec
    pos: SourcePos
    value_pos: SourcePos


@dataclass
class Config:
    """Everything a project declares, with source positions."""

    directory: Path
    files: dict[str, str] = field(default_factory=dict)  # file name -> sha256 of its bytes
    variables: dict[str, VariableBlock] = field(default_factory=dict)
    locals: dict[str, LocalBlock] = field(default_factory=dict)
    resources: dict[str, ResourceBlock] = field(default_factory=dict)
    outputs: dict[str, OutputBlock] = field(default_factory=dict)
    providers: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def resource_types(self) -> frozenset[str]:
        return frozenset(r.addr.type for r in self.resources.values())

    @property
    def fingerprint(self) -> str:
        from engine.hashing import sha256_json

        return sha256_json(sorted(self.files.items()))
