"""The ``providers:`` block entries the monitors family reads.

```yaml
providers:
  prometheus:
    url: http://127.0.0.1:9090        # load threshold rules here (rule_files + /-/reload)
    rules_dir: prometheus/rules       # where rule files are written (default below)
    config_file: prometheus/prometheus.yml  # optional: opspec adds rules_dir to rule_files
  alertmanager:
    url: http://127.0.0.1:9093        # reload routes here; `monitor run` pushes alerts here
    config_file: alertmanager/alertmanager.yml
```

Without a URL nothing is contacted: rule files and the Alertmanager configuration are only
rendered (and checked with promtool/amtool where installed). Relative paths are relative to the
project; absolute ones name a server's own directories.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["AlertmanagerSettings", "PrometheusSettings"]

DEFAULT_RULES_DIR = ".opspec/prometheus/rules"
DEFAULT_ALERTMANAGER_CONFIG = ".opspec/alertmanager/alertmanager.yml"


def _str(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _resolve(project_dir: str, value: str) -> Path:
    path = Path(value)
    return path if path.is_absolute() else Path(project_dir) / path


@dataclass(frozen=True)
class PrometheusSettings:
    url: str | None
    rules_dir: str
    config_file: str | None

    @classmethod
    def from_block(cls, block: Mapping[str, Any]) -> PrometheusSettings:
        url = _str(block.get("url"))
        return cls(
            url.rstrip("/") if url else None,
            _str(block.get("rules_dir")) or DEFAULT_RULES_DIR,
            _str(block.get("config_file")),
        )

    def rules_path(self, project_dir: str) -> Path:
        return _resolve(project_dir, self.rules_dir)

    def config_path(self, project_dir: str) -> Path | None:
        return _resolve(project_dir, self.config_file) if self.config_file else None


@dataclass(frozen=True)
class AlertmanagerSettings:
    url: str | None
    config_file: str

    @classmethod
    def from_block(cls, block: Mapping[str, Any]) -> AlertmanagerSettings:
        url = _str(block.get("url"))
        return cls(
            url.rstrip("/") if url else None,
            _str(block.get("config_file")) or DEFAULT_ALERTMANAGER_CONFIG,
        )

    def config_path(self, project_dir: str) -> Path:
        return _resolve(project_dir, self.config_file)

    def fragments_path(self, project_dir: str) -> Path:
        """Where each route keeps its part of the configuration (one JSON file per route)."""
        return self.config_path(project_dir).parent / "routes.d"
