"""Every store keeps the same contract: lineage and serial, records, outputs, events, push,
workspaces. Each test runs against the SQLite store and the in-memory fake."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from engine.errors import StaleStateError, StateError, StateLockedError
from engine.states import locking
from engine.states.store import (
    OutputState,
    ResourceState,
    ResourceStatus,
    StateSnapshot,
    StateStore,
)

MakeResource = Callable[..., ResourceState]
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$")


def test_a_workspace_without_state_reads_empty(store: StateStore) -> None:
    snapshot = store.read("default")
    assert not snapshot.exists
    assert (snapshot.lineage, snapshot.serial, snapshot.resources) == ("", 0, {})
    assert store.workspaces() == ["default"]
    assert store.current_lock("default") is None


def test_first_write_creates_a_lineage_and_every_write_bumps_the_serial(
    store: StateStore, make_resource: MakeResource
) -> None:
    assert store.write_resource("default", make_resource("null.a")) == 1
    lineage = store.read("default").lineage
    assert UUID.match(lineage)
    assert store.write_resource("default", make_resource("null.b")) == 2
    assert store.remove_resource("default", "null.b") == 3
    assert store.remove_resource("default", "null.absent") == 4  # still a write
    assert store.move_resource("default", "null.a", "null.c") == 5
    assert store.write_outputs("default", {"x": OutputState(1)}) == 6
    assert store.append_event("default", {"kind": "override"}) == 7
    snapshot = store.read("default")
    assert (snapshot.lineage, snapshot.serial) == (lineage, 7)


def test_resources_round_trip_with_every_field(
    store: StateStore, make_resource: MakeResource
) -> None:
    resource = make_resource(
        'file.cfg["a b"]',
        inputs={"path": "x.txt", "nested": {"list": [1, 2.5, None, True, {"k": "é"}]}},
        outputs={"path": "x.txt", "sha256": "ab" * 32, "nested": {"list": []}},
        dependencies=["null.a", 'null.b["k"]'],
        provider_version="1.2.3",
        created_at="2025-01-01T00:00:00+00:00",
        updated_at="2025-01-02T00:00:00+00:00",
        status=ResourceStatus.TAINTED,
        sensitive_paths=[("nested", "list", 4, "k")],
    )
    store.write_resource("default", resource)
    assert store.read("default").resources == {resource.address: resource}


def test_reads_and_writes_do_not_share_objects_with_the_caller(
    store: StateStore, make_resource: MakeResource
) -> None:
    resource = make_resource("null.a")
    store.write_resource("default", resource)
    resource.inputs["triggers"]["k"] = "changed after the write"
    first = store.read("default").resources["null.a"]
    first.outputs["id"] = "changed after the read"
    again = store.read("default").resources["null.a"]
    assert again.inputs["triggers"] == {"k": "v"}
    assert again.outputs["id"] == "id-null.a"


def test_a_write_replaces_the_resource_at_its_address(
    store: StateStore, make_resource: MakeResource
) -> None:
    store.write_resource("default", make_resource("null.a", id="old"))
    store.write_resource("default", make_resource("null.a", id="new"))
    resources = store.read("default").resources
    assert list(resources) == ["null.a"]
    assert resources["null.a"].id == "new"


def test_resources_read_in_address_order(store: StateStore, make_resource: MakeResource) -> None:
    for address in ["null.c", "null.a", "file.z", "null.b"]:
        store.write_resource("default", make_resource(address))
    assert list(store.read("default").resources) == ["file.z", "null.a", "null.b", "null.c"]


def test_move_renames_the_address_and_keeps_the_record(
    store: StateStore, make_resource: MakeResource
) -> None:
    store.write_resource("default", make_resource("null.a", id="keep"))
    store.move_resource("default", "null.a", 'null.b["x"]')
    resources = store.read("default").resources
    assert list(resources) == ['null.b["x"]']
    moved = resources['null.b["x"]']
    assert (moved.address, moved.id, moved.inputs) == (
        'null.b["x"]',
        "keep",
        {"triggers": {"k": "v"}},
    )


def test_move_refuses_a_missing_source_and_changes_nothing(store: StateStore) -> None:
    with pytest.raises(StateError, match=r"cannot move null\.a: no such resource"):
        store.move_resource("default", "null.a", "null.b")
    assert not store.read("default").exists


def test_move_refuses_a_taken_destination_and_changes_nothing(
    store: StateStore, make_resource: MakeResource
) -> None:
    store.write_resource("default", make_resource("null.a", id="a"))
    store.write_resource("default", make_resource("null.b", id="b"))
    with pytest.raises(StateError, match=r"cannot move to null\.b: .* already has a resource"):
        store.move_resource("default", "null.a", "null.b")
    snapshot = store.read("default")
    assert snapshot.serial == 2
    assert {a: r.id for a, r in snapshot.resources.items()} == {"null.a": "a", "null.b": "b"}


def test_outputs_are_replaced_as_a_whole(store: StateStore) -> None:
    store.write_outputs("default", {"a": OutputState(1), "b": OutputState({"x": [1]}, True)})
    assert store.read("default").outputs == {
        "a": OutputState(1),
        "b": OutputState({"x": [1]}, sensitive=True),
    }
    store.write_outputs("default", {"c": OutputState("z")})
    assert store.read("default").outputs == {"c": OutputState("z")}


def test_events_are_kept_in_order(store: StateStore) -> None:
    for n in range(3):
        store.append_event("default", {"kind": "override", "n": n})
    assert store.read("default").events == [{"kind": "override", "n": n} for n in range(3)]


def test_a_value_that_is_not_json_is_refused_without_a_write(
    store: StateStore, make_resource: MakeResource
) -> None:
    with pytest.raises(StateError, match=r"cannot store null\.a in state"):
        store.write_resource("default", make_resource("null.a", outputs={"x": object()}))
    assert not store.read("default").exists


def test_workspaces_are_separate_states(store: StateStore, make_resource: MakeResource) -> None:
    store.write_resource("prod", make_resource("null.p"))
    store.write_resource("dev", make_resource("null.d"))
    store.write_resource("dev", make_resource("null.e"))
    assert store.workspaces() == ["default", "dev", "prod"]
    prod, dev = store.read("prod"), store.read("dev")
    assert prod.lineage != dev.lineage
    assert (prod.serial, list(prod.resources)) == (1, ["null.p"])
    assert (dev.serial, list(dev.resources)) == (2, ["null.d", "null.e"])
    assert not store.read("default").exists


def test_delete_workspace_removes_its_state(store: StateStore, make_resource: MakeResource) -> None:
    store.write_resource("dev", make_resource("null.d"))
    store.write_outputs("dev", {"o": OutputState(1)})
    store.delete_workspace("dev")
    assert store.workspaces() == ["default"]
    assert not store.read("dev").exists
    with pytest.raises(StateError, match="workspace 'dev' does not exist"):
        store.delete_workspace("dev")
    with pytest.raises(StateError, match="default workspace cannot be deleted"):
        store.delete_workspace("default")


def test_delete_workspace_refuses_while_another_live_process_holds_its_lock(
    store: StateStore, make_resource: MakeResource, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    store.write_resource("dev", make_resource("null.d"))
    with monkeypatch.context() as patch:
        patch.setattr(locking, "current_pid", os.getppid)  # alive, and not us
        store.lock("dev", "apply")
    with pytest.raises(StateLockedError, match="is locked"):
        store.delete_workspace("dev")
    assert store.read("dev").exists


def test_delete_workspace_is_allowed_to_the_lock_holder(
    store: StateStore, make_resource: MakeResource
) -> None:
    store.write_resource("dev", make_resource("null.d"))
    store.lock("dev", "workspace delete")
    store.delete_workspace("dev")
    assert store.current_lock("dev") is None


# -- push ---------------------------------------------------------------------------------------


def _snapshot(make_resource: MakeResource, lineage: str, serial: int) -> StateSnapshot:
    return StateSnapshot(
        lineage=lineage,
        serial=serial,
        resources={"null.pushed": make_resource("null.pushed")},
        outputs={"o": OutputState("pushed")},
        events=[{"kind": "pushed"}],
    )


def test_push_into_an_empty_workspace_keeps_the_lineage(
    store: StateStore, make_resource: MakeResource
) -> None:
    lineage = "11111111-1111-4111-8111-111111111111"
    assert store.push("default", _snapshot(make_resource, lineage, 7)) == 8
    snapshot = store.read("default")
    assert (snapshot.lineage, snapshot.serial) == (lineage, 8)
    assert list(snapshot.resources) == ["null.pushed"]
    assert snapshot.outputs == {"o": OutputState("pushed")}
    assert snapshot.events == [{"kind": "pushed"}]


def test_push_of_the_pulled_state_replaces_everything(
    store: StateStore, make_resource: MakeResource
) -> None:
    store.write_resource("default", make_resource("null.old"))
    store.append_event("default", {"kind": "old"})
    pulled = StateSnapshot.from_json(store.read("default").to_json())
    pulled.resources = {"null.pushed": make_resource("null.pushed")}
    pulled.events = []
    assert store.push("default", pulled) == 3
    snapshot = store.read("default")
    assert (list(snapshot.resources), snapshot.events) == (["null.pushed"], [])


def test_push_refuses_another_lineage(store: StateStore, make_resource: MakeResource) -> None:
    store.write_resource("default", make_resource("null.a"))
    stored = store.read("default")
    other = "22222222-2222-4222-8222-222222222222"
    with pytest.raises(StaleStateError, match=f"lineage {other}.*holds lineage {stored.lineage}"):
        store.push("default", _snapshot(make_resource, other, 50))
    assert store.read("default") == stored


def test_push_refuses_an_older_serial(store: StateStore, make_resource: MakeResource) -> None:
    store.write_resource("default", make_resource("null.a"))
    store.write_resource("default", make_resource("null.b"))
    stored = store.read("default")
    with pytest.raises(StaleStateError, match="serial 1, older than serial 2"):
        store.push("default", _snapshot(make_resource, stored.lineage, 1))
    assert store.read("default") == stored


def test_forced_push_overrides_and_the_serial_never_goes_back(
    store: StateStore, make_resource: MakeResource
) -> None:
    for name in "abc":
        store.write_resource("default", make_resource(f"null.{name}"))
    other = "33333333-3333-4333-8333-333333333333"
    assert store.push("default", _snapshot(make_resource, other, 1), force=True) == 4
    snapshot = store.read("default")
    assert (snapshot.lineage, list(snapshot.resources)) == (other, ["null.pushed"])
