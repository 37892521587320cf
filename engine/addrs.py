"""Resource addresses: ``TYPE.NAME`` and ``TYPE.NAME["KEY"]`` for ``for_each`` instances."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ADDR_RE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)(?:\[(.+)\])?$")


@dataclass(frozen=True, slots=True, order=True)
class ResourceAddr:
    """The address of a resource block (``key is None``) or of one of its instances."""

    type: str
    name: str
    key: str | None = None

    @property
    def block(self) -> str:
        return f"{self.type}.{self.name}"

    def __str__(self) -> str:
        if self.key is None:
            return self.block
        return f"{self.block}[{json.dumps(self.key)}]"

    def instance(self, key: str | None) -> ResourceAddr:
        return ResourceAddr(self.type, self.name, key)


def instance_address(block: str, key: str | None) -> str:
    return block if key is None else f"{block}[{json.dumps(key)}]"


def parse_address(text: str) -> ResourceAddr:
    """Parse ``TYPE.NAME`` or ``TYPE.NAME["KEY"]`` (also ``[KEY]`` unquoted for integers)."""
    m = _ADDR_RE.match(text.strip())
    if not m:
        raise ValueError(f'invalid address {text!r}: expected TYPE.NAME or TYPE.NAME["KEY"]')
    type_, name, raw_key = m.groups()
    key: str | None = None
    if raw_key is not None:
        if raw_key.startswith('"'):
            try:
                key = json.loads(raw_key)
            except ValueError:
                raise ValueError(f"invalid instance key in {text!r}") from None
            if not isinstance(key, str):
                raise ValueError(f"invalid instance key in {text!r}")
        elif raw_key.isdigit():
            key = raw_key
        else:
            raise ValueError(f'invalid instance key in {text!r}: write TYPE.NAME["KEY"]')
    return ResourceAddr(type_, name, key)
