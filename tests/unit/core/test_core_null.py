"""The ``null`` provider: triggers, random ids, replacement, Pulumi's wire format."""

from __future__ import annotations

import uuid

from engine.expr.unknown import UNKNOWN
from engine.providers import ProviderContext
from providers.core.null import NullProvider


def test_check_accepts_triggers_and_turns_integral_floats_into_ints(
    ctx: ProviderContext,
) -> None:
    result = NullProvider(ctx).check({}, {"triggers": {"n": 3.0, "c": 0.5, "xs": [1.0, "a"]}})
    assert result.failures == []
    assert result.inputs == {"triggers": {"n": 3, "c": 0.5, "xs": [1, "a"]}}
    assert isinstance(result.inputs["triggers"]["n"], int)


def test_check_without_triggers_is_valid(ctx: ProviderContext) -> None:
    result = NullProvider(ctx).check({}, {})
    assert (result.inputs, result.failures) == ({}, [])


def test_check_reports_an_unknown_field(ctx: ProviderContext) -> None:
    result = NullProvider(ctx).check({}, {"trigers": {"a": 1}})
    assert [f.property for f in result.failures] == ["trigers"]


def test_check_reports_triggers_that_are_not_a_map(ctx: ProviderContext) -> None:
    result = NullProvider(ctx).check({}, {"triggers": ["a"]})
    assert [f.property for f in result.failures] == ["triggers"]


def test_check_keeps_unknown_values(ctx: ProviderContext) -> None:
    news = {"triggers": {"model": UNKNOWN}}
    result = NullProvider(ctx).check({}, news)
    assert result.failures == []
    assert result.inputs == news


def test_create_returns_a_fresh_uuid_and_the_inputs(ctx: ProviderContext) -> None:
    provider = NullProvider(ctx)
    props = {"triggers": {"a": 1}}
    first, second = provider.create(props), provider.create(props)
    assert uuid.UUID(first.id).version == 4
    assert first.id != second.id
    assert first.outs == props


def test_diff_replaces_when_triggers_change(ctx: ProviderContext) -> None:
    diff = NullProvider(ctx).diff("id", {"triggers": {"a": 1}}, {"triggers": {"a": 2}})
    assert diff.changes is True
    assert diff.replaces == ["triggers"]


def test_diff_sees_no_change_across_the_wire_format(ctx: ProviderContext) -> None:
    diff = NullProvider(ctx).diff("id", {"triggers": {"a": 1.0}}, {"triggers": {"a": 1}})
    assert diff.changes is False
    assert diff.replaces == []


def test_read_returns_the_stored_outputs_and_delete_does_nothing(ctx: ProviderContext) -> None:
    provider = NullProvider(ctx)
    created = provider.create({"triggers": {"a": 1}})
    read = provider.read(created.id, dict(created.outs or {}))
    assert (read.id, read.outs) == (created.id, created.outs)
    provider.delete(created.id, dict(created.outs or {}))
    provider.delete(created.id, dict(created.outs or {}))
