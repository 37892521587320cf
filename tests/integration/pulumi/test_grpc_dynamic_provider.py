"""Our providers run unchanged under Pulumi's own dynamic-provider gRPC server.

The test starts ``python -m pulumi.dynamic`` (the plugin the Pulumi engine launches for
``pulumi.dynamic.Resource``), hands it our provider serialized by Pulumi's own code (the call
``pulumi.dynamic.Resource.__init__`` makes), and drives Check/Diff/Create/Read/Delete with the
``pulumi.runtime.proto`` stubs and Pulumi's property (de)serialization, as the engine would.
Every answer must equal what calling the provider directly returns.
"""

from __future__ import annotations

import asyncio
import hashlib
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from pulumi.dynamic.dynamic import PROVIDER_KEY, ResourceProvider, serialize_provider
from pulumi.runtime import rpc
from pulumi.runtime._serialization import _serialize
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from engine.providers import ProviderContext, denormalize_floats
from providers.core.command import CommandProvider
from providers.core.file import FileProvider
from providers.core.null import NullProvider

pytestmark = pytest.mark.integration

URN_PREFIX = "urn:pulumi:test::opspec::pulumi-python:dynamic:Resource::"
DIFF_SOME = provider_pb2.DiffResponse.DIFF_SOME


@pytest.fixture(scope="module")
def stub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A client of a fresh ``python -m pulumi.dynamic`` server, configured as the engine does."""
    stderr_path = tmp_path_factory.mktemp("pulumi-dynamic") / "stderr.txt"
    with stderr_path.open("wb") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "pulumi.dynamic"],
            stdout=subprocess.PIPE,
            stderr=stderr,
            stdin=subprocess.DEVNULL,
        )
    stdout = proc.stdout
    assert stdout is not None
    first_line: list[bytes] = []
    reader = threading.Thread(target=lambda: first_line.append(stdout.readline()))
    reader.start()
    reader.join(timeout=60)
    try:
        port = first_line[0].strip() if first_line else b""
        assert port.isdigit(), f"no port printed: {first_line} {stderr_path.read_text()}"
        channel = grpc.insecure_channel(f"127.0.0.1:{int(port)}")
        grpc.channel_ready_future(channel).result(timeout=30)
        # The engine configures a provider first; the dynamic provider takes no secrets.
        client = provider_pb2_grpc.ResourceProviderStub(channel)
        configured = client.Configure(provider_pb2.ConfigureRequest(args=_struct({})))
        assert configured.acceptSecrets is False
        yield client
        channel.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        stdout.close()


def _struct(props: dict[str, Any]) -> Any:
    """Serialize a property bag the way Pulumi's SDK puts it on the wire."""
    return asyncio.run(rpc.serialize_properties(props, {}))


def _props(struct: Any) -> dict[str, Any]:
    """Properties from the wire, without the serialized provider, ints restored."""
    props = rpc.deserialize_properties(struct)
    return {k: denormalize_floats(v) for k, v in props.items() if k != PROVIDER_KEY}


def _pulumi_serialized(provider: ResourceProvider) -> str:
    """``__provider`` exactly as ``pulumi.dynamic.Resource`` computes it."""
    serialized, _contains_secrets = _serialize(True, serialize_provider, provider)
    assert isinstance(serialized, str)
    return serialized


class Driver:
    """Calls one provider through the gRPC server as the Pulumi engine would."""

    def __init__(self, stub: Any, provider: ResourceProvider, name: str) -> None:
        self.stub = stub
        self.urn = URN_PREFIX + name
        self.serialized = _pulumi_serialized(provider)

    def _with_provider(self, props: dict[str, Any]) -> Any:
        return _struct({**props, PROVIDER_KEY: self.serialized})

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> Any:
        return self.stub.Check(
            provider_pb2.CheckRequest(
                urn=self.urn, olds=self._with_provider(olds), news=self._with_provider(news)
            )
        )

    def diff(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> Any:
        return self.stub.Diff(
            provider_pb2.DiffRequest(
                id=id_, urn=self.urn, olds=self._with_provider(olds), news=self._with_provider(news)
            )
        )

    def create(self, props: dict[str, Any]) -> Any:
        return self.stub.Create(
            provider_pb2.CreateRequest(urn=self.urn, properties=self._with_provider(props))
        )

    def read(self, id_: str, props: dict[str, Any]) -> Any:
        return self.stub.Read(
            provider_pb2.ReadRequest(id=id_, urn=self.urn, properties=self._with_provider(props))
        )

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> Any:
        return self.stub.Update(
            provider_pb2.UpdateRequest(
                id=id_, urn=self.urn, olds=self._with_provider(olds), news=self._with_provider(news)
            )
        )

    def delete(self, id_: str, props: dict[str, Any]) -> Any:
        return self.stub.Delete(
            provider_pb2.DeleteRequest(id=id_, urn=self.urn, properties=self._with_provider(props))
        )


def _ctx(project: Path, address: str) -> ProviderContext:
    return ProviderContext(str(project), str(project / ".opspec"), address)


def test_file_lifecycle_matches_direct_calls(stub: Any, tmp_path: Path) -> None:
    provider = FileProvider(_ctx(tmp_path, "file.greeting"))
    grpc_file = Driver(stub, provider, "greeting")
    spec = {"path": "out/greeting.txt", "content": "hello\n", "mode": "0640"}

    checked = grpc_file.check({}, spec)
    assert list(checked.failures) == []
    inputs = _props(checked.inputs)
    assert inputs == provider.check({}, spec).inputs

    created = grpc_file.create(inputs)
    target = tmp_path / "out" / "greeting.txt"
    assert created.id == "out/greeting.txt"
    assert target.read_text() == "hello\n"
    assert oct(target.stat().st_mode & 0o777) == "0o640"
    outs = _props(created.properties)
    assert outs["sha256"] == hashlib.sha256(b"hello\n").hexdigest()
    assert outs == {**spec, "sha256": outs["sha256"]}

    read = grpc_file.read(created.id, outs)
    assert read.id == created.id
    assert _props(read.properties) == provider.read(created.id, outs).outs == outs
    assert grpc_file.diff(created.id, outs, inputs).changes != DIFF_SOME

    target.write_text("edited outside opspec\n")
    drift = grpc_file.read(created.id, outs)
    drifted = _props(drift.properties)
    assert drifted == provider.read(created.id, outs).outs
    assert drifted["content"] == "edited outside opspec\n"
    assert drifted["sha256"] == hashlib.sha256(b"edited outside opspec\n").hexdigest()
    diff = grpc_file.diff(created.id, drifted, inputs)
    assert diff.changes == DIFF_SOME
    assert list(diff.replaces) == []

    updated = grpc_file.update(created.id, drifted, inputs)
    assert _props(updated.properties) == outs
    assert target.read_text() == "hello\n"

    moved = grpc_file.diff(created.id, outs, {**inputs, "path": "out/other.txt"})
    assert moved.changes == DIFF_SOME
    assert list(moved.replaces) == ["path"]
    assert moved.deleteBeforeReplace is True

    grpc_file.delete(created.id, outs)
    assert not target.exists()
    assert (tmp_path / "out").is_dir()  # folders are left alone
    gone = grpc_file.read(created.id, outs)
    assert gone.id == ""  # Pulumi's "the resource no longer exists"
    assert provider.read(created.id, outs).id == ""
    grpc_file.delete(created.id, outs)  # idempotent


def test_file_check_failures_match_direct_calls(stub: Any, tmp_path: Path) -> None:
    (tmp_path / "escape").symlink_to(tmp_path.parent)
    provider = FileProvider(_ctx(tmp_path, "file.bad"))
    grpc_file = Driver(stub, provider, "bad")
    for path in ("../outside.txt", "/etc/passwd", "escape/outside.txt"):
        spec = {"path": path, "content": "x"}
        via_grpc = [(f.property, f.reason) for f in grpc_file.check({}, spec).failures]
        direct = [(f.property, f.reason) for f in provider.check({}, spec).failures]
        assert via_grpc == direct
        assert [prop for prop, _ in via_grpc] == ["path"]


def test_file_check_keeps_unknowns(stub: Any, tmp_path: Path) -> None:
    provider = FileProvider(_ctx(tmp_path, "file.later"))
    grpc_file = Driver(stub, provider, "later")
    checked = grpc_file.check({}, {"path": "later.txt", "content": rpc.UNKNOWN})
    assert list(checked.failures) == []
    assert checked.inputs["content"] == rpc.UNKNOWN  # still unknown on the wire
    assert not (tmp_path / "later.txt").exists()


def test_null_lifecycle_with_integral_floats(stub: Any, tmp_path: Path) -> None:
    provider = NullProvider(_ctx(tmp_path, "null.sweep"))
    grpc_null = Driver(stub, provider, "sweep")
    spec = {"triggers": {"replicas": 3, "c": 0.5, "name": "small"}}

    checked = grpc_null.check({}, spec)
    assert list(checked.failures) == []
    # ints crossed the wire as floats; check turned them back into ints
    assert checked.inputs["triggers"]["replicas"] == 3.0
    inputs = _props(checked.inputs)
    assert inputs == provider.check({}, spec).inputs == spec

    created = grpc_null.create(inputs)
    assert len(created.id) == 36 and created.id.count("-") == 4  # a uuid
    outs = _props(created.properties)
    assert outs == spec

    assert grpc_null.diff(created.id, outs, inputs).changes != DIFF_SOME
    changed = {"triggers": {**spec["triggers"], "replicas": 4}}
    diff = grpc_null.diff(created.id, outs, changed)
    assert diff.changes == DIFF_SOME
    assert list(diff.replaces) == ["triggers"]
    assert list(diff.replaces) == provider.diff(created.id, outs, changed).replaces

    read = grpc_null.read(created.id, outs)
    assert read.id == created.id and _props(read.properties) == outs
    grpc_null.delete(created.id, outs)


def test_command_runs_and_fails_the_same_way(stub: Any, tmp_path: Path) -> None:
    provider = CommandProvider(_ctx(tmp_path, "command.hello"))
    grpc_command = Driver(stub, provider, "hello")
    inputs = _props(grpc_command.check({}, {"create": "echo hello; touch ran"}).inputs)
    created = grpc_command.create(inputs)
    assert _props(created.properties) == {**inputs, "stdout": "hello", "exit_code": 0}
    assert (tmp_path / "ran").exists()

    failing = _props(grpc_command.check({}, {"create": "echo broken >&2; exit 3"}).inputs)
    with pytest.raises(grpc.RpcError) as info:
        grpc_command.create(failing)
    assert "command exited with status 3" in str(info.value.details())
    assert "broken" in str(info.value.details())
