"""Resource types whose fields depend on a tag are discriminated unions of one model per kind:
validation errors come back located in the inputs (the tag stripped from pydantic's loc),
typed by pydantic's error type, and worded for a user."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from specs.base import (
    field_names,
    force_new_fields,
    kind_of,
    kinds_with_field,
    spec_kinds,
    validate_spec,
)
from specs.core import NullSpec
from specs.infra import GpuPoolSpec, KubernetesPoolSpec, LocalPoolSpec
from specs.monitor import MetricSourceSpec, MonitorSpec, ThresholdMonitorSpec
from specs.validation import SchemaError, schema_errors

THRESHOLD = {"type": "threshold", "metric": "up", "comparison": ">", "value": 1}


def _errors(spec: object, data: dict[str, Any]) -> list[SchemaError]:
    with pytest.raises(ValidationError) as caught:
        validate_spec(spec, data)
    return schema_errors(spec, caught.value)


def test_inputs_validate_as_the_model_of_their_kind() -> None:
    spec = validate_spec(MonitorSpec, THRESHOLD)
    assert isinstance(spec, ThresholdMonitorSpec)
    assert spec.model_dump(mode="json", exclude_unset=True) == THRESHOLD
    assert isinstance(validate_spec(GpuPoolSpec, {"kind": "local"}), LocalPoolSpec)


@pytest.mark.parametrize(
    ("spec", "data", "expected"),
    [
        (
            MonitorSpec,
            {**THRESHOLD, "window": "5m"},
            [
                SchemaError(
                    ("window",), "extra_forbidden", "Extra inputs are not permitted", "threshold"
                )
            ],
        ),
        (
            MonitorSpec,
            {**THRESHOLD, "limit": 5},
            [
                SchemaError(
                    ("limit",),
                    "extra_forbidden",
                    "`limit` does not apply to threshold monitors",
                    "threshold",
                )
            ],
        ),
        (
            MonitorSpec,
            {"type": "forecast", "source": "s"},
            [SchemaError(("limit",), "missing", "forecast monitors need `limit`", "forecast")],
        ),
        (
            MonitorSpec,
            {**THRESHOLD, "duration": "5 minutes"},
            [SchemaError(("duration",), "value_error", "", "threshold")],
        ),
        (
            MonitorSpec,
            {"type": "thresold"},
            [
                SchemaError(
                    ("type",),
                    "union_tag_invalid",
                    "`type` must be one of threshold, anomaly, forecast, drift, got 'thresold'."
                    ' Did you mean "threshold"?',
                )
            ],
        ),
        (
            MonitorSpec,
            {"severity": "page"},
            [
                SchemaError(
                    ("type",),
                    "union_tag_not_found",
                    "`type` is required: one of threshold, anomaly, forecast, drift",
                )
            ],
        ),
        (
            GpuPoolSpec,
            {"kind": "local", "taints": [], "namespace": "gpus"},
            [
                SchemaError(
                    ("namespace",),
                    "extra_forbidden",
                    "`namespace` applies to kubernetes pools only",
                    "local",
                ),
                SchemaError(
                    ("taints",),
                    "extra_forbidden",
                    "`taints` applies to kubernetes pools only",
                    "local",
                ),
            ],
        ),
        (
            GpuPoolSpec,
            {"kind": "kubernetes", "taints": ["gpu:NoWay"]},
            [SchemaError(("taints", 0, "effect"), "enum", "", "kubernetes")],
        ),
        (
            MetricSourceSpec,
            {"kind": "file", "path": "data.csv", "query": "up"},
            [
                SchemaError(
                    ("query",), "extra_forbidden", "`query` does not apply to file sources", "file"
                )
            ],
        ),
        (
            NullSpec,
            {"trigers": {}},
            [SchemaError(("trigers",), "extra_forbidden", "Extra inputs are not permitted")],
        ),
    ],
)
def test_errors_are_located_in_the_inputs(
    spec: object, data: dict[str, Any], expected: list[SchemaError]
) -> None:
    found = _errors(spec, data)
    assert [(e.loc, e.type, e.kind) for e in found] == [(e.loc, e.type, e.kind) for e in expected]
    # Messages pydantic words itself (left empty above) may change with its versions.
    for error, wanted in zip(found, expected, strict=True):
        assert error.message == (wanted.message or error.message)


def test_a_union_exposes_the_fields_of_all_its_kinds() -> None:
    assert set(spec_kinds(GpuPoolSpec)) == {"kubernetes", "local"}
    assert spec_kinds(NullSpec) == {}
    names = field_names(MonitorSpec)
    assert names[:5] == ("type", "service", "severity", "summary", "labels")
    assert names.count("source") == 1 and {"expr", "limit", "reference"} <= set(names)
    assert force_new_fields(GpuPoolSpec) == {"kind", "namespace"}
    assert kinds_with_field(MonitorSpec, "source") == ["anomaly", "forecast"]


def test_kind_of_names_the_model_inputs_validate_as() -> None:
    assert kind_of(GpuPoolSpec, {"kind": "kubernetes"}) is KubernetesPoolSpec
    assert kind_of(GpuPoolSpec, {"kind": "cloud"}) is None
    assert kind_of(GpuPoolSpec, {}) is None
    assert kind_of(NullSpec, {}) is NullSpec
