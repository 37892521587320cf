"""The one accelerator syntax (dstack's NAME[:MEMORY][:COUNT]) shared by pools and costs."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from specs.accelerator import Accelerator, AcceleratorError, AcceleratorText, parse_accelerator


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("H100", Accelerator("H100", None, 1, None, 1)),
        ("h100", Accelerator("H100", None, 1, None, 1)),
        ("L4:4", Accelerator("L4", None, 4, None, 4)),
        ("A100:80GB", Accelerator("A100", 80, 1, 80, 1)),
        ("a100:40gb", Accelerator("A100", 40, 1, 40, 1)),
        ("A100:80GB:2", Accelerator("A100", 80, 2, 80, 2)),
        ("A100:80G:2", Accelerator("A100", 80, 2, 80, 2)),
        ("A100:80GiB", Accelerator("A100", 80, 1, 80, 1)),
        ("A100:80:2", Accelerator("A100", 80, 2, 80, 2)),  # a bare number before the count
        ("X:1TB", Accelerator("X", 1000, 1, 1000, 1)),
        ("A100-SXM4-80GB:4", Accelerator("A100-SXM4-80GB", None, 4, None, 4)),
        ("A100:40GB..80GB:1..8", Accelerator("A100", 40, 1, 80, 8)),
        ("A100:24GB..", Accelerator("A100", 24, 1, None, 1)),
        ("A100:2..", Accelerator("A100", None, 2, None, None)),
        (" T4 : 16GB : 1 ", Accelerator("T4", 16, 1, 16, 1)),
    ],
)
def test_parses(text: str, expected: Accelerator) -> None:
    assert parse_accelerator(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "is not an accelerator"),
        (":2", "is not an accelerator"),
        ("A100:80GB:2:1", "is not an accelerator"),
        ("9000", "is not a GPU name"),
        ("A100:x", "neither a memory size"),
        ("A100:2:80GB", "neither a memory size"),  # memory comes before the count
        ("A100:80GB:40GB", "neither a memory size"),
        ("A100:80GB..x", "neither a memory size"),
        ("A100:8..4", "neither a memory size"),  # a range runs upwards
        ("A100:0", "at least 1"),
    ],
)
def test_refuses(text: str, message: str) -> None:
    with pytest.raises(AcceleratorError, match=message):
        parse_accelerator(text)


def test_ranges_and_lookup_names() -> None:
    assert parse_accelerator("A100:40GB..80GB").is_range
    assert not parse_accelerator("A100:80GB:2").is_range
    assert parse_accelerator("A100:80GB").catalog_keys == ["A100-80GB", "A100"]
    assert parse_accelerator("H100:8").catalog_keys == ["H100"]


class _Pool(BaseModel):
    accelerator: AcceleratorText


def test_a_malformed_accelerator_in_a_spec_is_a_validation_error() -> None:
    assert _Pool(accelerator="A100:80GB:2").accelerator == "A100:80GB:2"
    with pytest.raises(ValidationError) as caught:
        _Pool(accelerator="A100:80GB:two")
    (error,) = caught.value.errors()
    assert error["loc"] == ("accelerator",)
    assert "neither a memory size" in error["msg"]
