"""The Prometheus configuration opspec adds ``rule_files`` to is read by the engine's bounded
YAML loader: what it refuses is a MonitorError naming ``file:line:col``, never a traceback, and a
refused configuration leaves no rule file behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from providers.monitor.errors import PrometheusConfigError
from providers.monitor.loading import install_rule_file, read_config
from providers.monitor.settings import PrometheusSettings

RULES = "groups:\n- name: g\n  rules: []\n"


def _settings(project: Path) -> PrometheusSettings:
    # Nothing listens on port 9: the configuration is read before the server is contacted.
    return PrometheusSettings("http://127.0.0.1:9", "rules", "prometheus.yml")


def test_deep_nesting_is_refused_at_its_position(project: Path) -> None:
    (project / "prometheus.yml").write_text("global: " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(PrometheusConfigError, match=r"prometheus\.yml:1:\d+: .*nests deeper"):
        install_rule_file(_settings(project), str(project), "m.yml", RULES, "g")
    assert not (project / "rules" / "m.yml").exists()


def test_a_duplicate_key_is_refused_rather_than_dropping_rule_files(project: Path) -> None:
    config = project / "prometheus.yml"
    config.write_text("rule_files: [/etc/prometheus/alerts/*.yml]\nrule_files: []\n")
    with pytest.raises(PrometheusConfigError, match=r"prometheus\.yml:2:1: .*rule_files"):
        read_config(config)


def test_aliases_read_back_as_plain_values(project: Path) -> None:
    config = project / "prometheus.yml"
    config.write_text("defaults: &d {scrape_interval: 15s}\nglobal: *d\n")
    assert read_config(config) == {
        "defaults": {"scrape_interval": "15s"},
        "global": {"scrape_interval": "15s"},
    }
    config.write_text("- not a mapping\n")
    with pytest.raises(PrometheusConfigError, match="is a mapping"):
        read_config(config)
