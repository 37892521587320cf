"""The Jinja2 environment that renders Prometheus rule files and Alertmanager configurations.

Templates live in ``providers/monitor/templates`` (package data). Values are inserted through
the ``yaml_str`` filter, which writes a JSON string -- a valid YAML double-quoted scalar -- so
no spec value can break the YAML structure.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import jinja2

__all__ = ["environment", "yaml_str"]


def yaml_str(value: Any) -> str:
    return json.dumps(str(value), ensure_ascii=False)


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("providers.monitor", "templates"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["yaml_str"] = yaml_str
    return env
