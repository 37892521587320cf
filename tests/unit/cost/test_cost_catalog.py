"""The price catalog: shipped data, project overrides, and accelerator strings."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.cost import load_catalog
from specs.accelerator import AcceleratorError, parse_accelerator

CATALOG_TYPES = ["A100", "A100-80GB", "H100", "H200", "L4", "T4", "A10G", "V100", "L40S"]


def test_shipped_catalog_prices_every_listed_gpu(tmp_path: Path) -> None:
    catalog, diags = load_catalog(tmp_path)
    assert diags == [] and catalog.currency == "USD"
    for name in CATALOG_TYPES:
        assert 0.1 < catalog.prices[name] < 20, name
    # Ordering sanity of list prices: bigger parts cost more.
    assert catalog.prices["T4"] < catalog.prices["L4"] < catalog.prices["A100"]
    assert catalog.prices["A100"] < catalog.prices["A100-80GB"] < catalog.prices["H100"]


def test_project_prices_and_overrides_replace_single_entries(tmp_path: Path) -> None:
    (tmp_path / "prices.yaml").write_text(
        "prices:\n  h100: 9.5\n  B200: 15\ntraining:\n  seconds_per_step: 0.25\n"
    )
    catalog, diags = load_catalog(tmp_path, {"prices": {"L4": 0.5}, "currency": "EUR"})
    assert diags == []
    assert (catalog.prices["H100"], catalog.prices["B200"], catalog.prices["L4"]) == (9.5, 15, 0.5)
    assert catalog.prices["A100"] == 4.10  # untouched
    assert (catalog.seconds_per_step, catalog.steps_per_epoch) == (0.25, 1000)
    assert catalog.currency == "EUR"
    assert catalog.price(["A100-40GB", "A100"]) == ("A100-40GB", 4.10)
    assert catalog.price(["B300-288GB", "B300"]) is None


@pytest.mark.parametrize(
    ("text", "summary", "where"),
    [
        ("prices:\n  H100: -1\n", "invalid value for `prices.H100`", "prices.yaml:2:9"),
        ("prices:\n  H100: 1\ntrainning: {}\n", "unknown field `trainning`", "prices.yaml:3:1"),
        ("prices: [\n", "invalid YAML", "prices.yaml:2:1"),
    ],
)
def test_invalid_project_prices_are_diagnostics(
    tmp_path: Path, text: str, summary: str, where: str
) -> None:
    (tmp_path / "prices.yaml").write_text(text)
    _, diags = load_catalog(tmp_path)
    assert summary in diags[0].summary and str(diags[0].pos) == where


@pytest.mark.parametrize(
    ("text", "name", "memory", "count", "keys"),
    [
        ("A100:80GB:2", "A100", 80, 2, ["A100-80GB", "A100"]),
        ("h100", "H100", None, 1, ["H100"]),
        ("L4:4", "L4", None, 4, ["L4"]),
        ("A100:40GB..80GB:1..8", "A100", 40, 1, ["A100-40GB", "A100"]),
        ("A10G:24GB", "A10G", 24, 1, ["A10G-24GB", "A10G"]),
    ],
)
def test_accelerator_strings(
    text: str, name: str, memory: int | None, count: int, keys: list[str]
) -> None:
    acc = parse_accelerator(text)
    assert (acc.name, acc.memory_gb, acc.count, acc.catalog_keys) == (name, memory, count, keys)


@pytest.mark.parametrize("text", ["", ":2", "A100:x", "A100:80GB:2:3", "A100:0"])
def test_bad_accelerator_strings(text: str) -> None:
    with pytest.raises(AcceleratorError):
        parse_accelerator(text)
