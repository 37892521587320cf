"""Secrets at rest: sealing values at sensitive paths, key files and passphrases, clear errors
for the wrong key, and no plaintext secret in the SQLite files."""

from __future__ import annotations

import stat
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from engine.errors import StateError
from engine.expr.unknown import UNKNOWN
from engine.states.secrets import SecretBox, is_sealed
from engine.states.sqlite import SqliteStateStore
from engine.states.store import OutputState, ResourceState, StateSnapshot

MakeResource = Callable[..., ResourceState]


@pytest.mark.parametrize("value", ["s3cr3t", 42, 1.5, None, True, [1, "a"], {"k": {"n": [1]}}])
def test_seal_round_trip(tmp_path: Path, value: Any) -> None:
    box = SecretBox(key_file=tmp_path / "key")
    sealed = box.seal(value)
    assert is_sealed(sealed)
    assert "s3cr3t" not in sealed["$secret"]
    assert SecretBox(key_file=tmp_path / "key").unseal(sealed) == value


def test_the_key_file_is_made_on_first_use_only(_isolated_secrets_key: Path) -> None:
    key_file = _isolated_secrets_key
    box = SecretBox.from_environment()
    assert box.seal_paths({"a": 1}, []) == {"a": 1}
    assert box.seal_paths({"a": 1}, [("missing",)]) == {"a": 1}
    assert not key_file.parent.exists()
    box.seal("x")
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    assert [p.name for p in key_file.parent.iterdir()] == ["key"]  # no temporary left behind


def test_an_existing_key_file_is_used_and_never_overwritten(tmp_path: Path) -> None:
    from cryptography.fernet import Fernet

    key = Fernet.generate_key()
    (tmp_path / "key").write_bytes(key + b"\n")
    (tmp_path / "key").chmod(0o600)
    token = SecretBox(key_file=tmp_path / "key").seal("v")["$secret"]
    assert (tmp_path / "key").read_bytes() == key + b"\n"
    assert Fernet(key).decrypt(token.split(":", 2)[2].encode()) == b'"v"'


def test_boxes_creating_the_key_at_once_agree_on_it(tmp_path: Path) -> None:
    boxes = [SecretBox(key_file=tmp_path / "key") for _ in range(8)]
    sealed: list[dict[str, str]] = []
    threads = [threading.Thread(target=lambda b=b: sealed.append(b.seal("v"))) for b in boxes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(box.unseal(s) == "v" for box in boxes for s in sealed)


def test_a_key_file_that_is_not_a_key_is_refused(tmp_path: Path) -> None:
    (tmp_path / "key").write_text("not a key\n")
    (tmp_path / "key").chmod(0o600)
    with pytest.raises(StateError, match="does not hold an opspec key"):
        SecretBox(key_file=tmp_path / "key").seal("v")


def test_passphrase_boxes_open_each_others_secrets(tmp_path: Path) -> None:
    sealed = SecretBox(passphrase="correct horse").seal({"token": "abc"})
    assert SecretBox(passphrase="correct horse").unseal(sealed) == {"token": "abc"}
    assert not (tmp_path / "key").exists()


@pytest.mark.parametrize(
    ("writer", "reader", "message"),
    [
        ({"passphrase": "one"}, {"passphrase": "two"}, "another key.*OPSPEC_SECRETS_KEY"),
        ({"key_file": "a"}, {"key_file": "b"}, "key file .*b: .*another key.*OPSPEC_SECRETS_KEY"),
        ({"passphrase": "one"}, {"key_file": "a"}, "passphrase, but OPSPEC_SECRETS_KEY is not set"),
        ({"key_file": "a"}, {"passphrase": "one"}, "key file, but OPSPEC_SECRETS_KEY is set"),
    ],
)
def test_the_wrong_key_is_a_clear_error(
    tmp_path: Path, writer: dict[str, str], reader: dict[str, str], message: str
) -> None:
    def box(source: dict[str, str]) -> SecretBox:
        if "key_file" in source:
            return SecretBox(key_file=tmp_path / source["key_file"])
        return SecretBox(passphrase=source["passphrase"])

    sealed = box(writer).seal("v")
    with pytest.raises(StateError, match=f"cannot decrypt a secret.*{message}"):
        box(reader).unseal(sealed)


def test_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("OPSPEC_SECRETS_KEY_FILE")
    assert SecretBox.from_environment().source == f"key file {tmp_path}/.config/opspec/key"
    monkeypatch.setenv("OPSPEC_SECRETS_KEY_FILE", "/elsewhere/key")
    assert SecretBox.from_environment().source == "key file /elsewhere/key"
    monkeypatch.setenv("OPSPEC_SECRETS_KEY", "pass")
    assert SecretBox.from_environment().source == "the passphrase in OPSPEC_SECRETS_KEY"


def test_seal_paths_seals_only_the_named_values(tmp_path: Path) -> None:
    box = SecretBox(key_file=tmp_path / "key")
    data = {
        "env": {"TOKEN": "t0k", "PLAIN": "p"},
        "list": [{"pw": "pw0"}, {"pw": "pw1"}],
        "whole": {"a": 1, "b": [2]},
        "later": UNKNOWN,
        "plain": "visible",
    }
    paths = [("env", "TOKEN"), ("list", 1, "pw"), ("whole",), ("whole", "a"), ("later",)]
    paths += [("missing", "x"), ("list", 7), ("plain", "deeper")]
    sealed = box.seal_paths(data, paths)
    assert data["env"] == {"TOKEN": "t0k", "PLAIN": "p"}  # the input is left alone
    assert is_sealed(sealed["env"]["TOKEN"]) and sealed["env"]["PLAIN"] == "p"
    assert sealed["list"][0] == {"pw": "pw0"} and is_sealed(sealed["list"][1]["pw"])
    assert is_sealed(sealed["whole"])
    assert (sealed["later"], sealed["plain"]) == (UNKNOWN, "visible")
    for secret in ("t0k", "pw1"):
        assert secret not in repr(sealed)
    assert box.unseal_all(sealed) == data


def test_cryptography_is_not_imported_without_secrets(tmp_path: Path) -> None:
    script = f"""
import sys
from pathlib import Path
from engine.states.sqlite import SqliteStateStore
from engine.states.store import OutputState, ResourceState
store = SqliteStateStore(Path({str(tmp_path / "state.db")!r}))
store.write_resource("default", ResourceState("null.a", "null", "a", {{"x": 1}}, {{"x": 1}}))
store.write_outputs("default", {{"o": OutputState(1)}})
assert store.read("default").resources["null.a"].inputs == {{"x": 1}}
assert "cryptography" not in sys.modules, "cryptography was imported"
"""
    subprocess.run([sys.executable, "-c", script], check=True)


# -- in the SQLite store ------------------------------------------------------------------------

SECRETS = ("hunter2-input", "hunter2-output", "hunter2-root-output", "hunter2-pushed")


def _secret_resource(make_resource: MakeResource, address: str, secret: str) -> ResourceState:
    return make_resource(
        address,
        inputs={"environment": {"TOKEN": secret}, "command": "echo hi"},
        outputs={"environment": {"TOKEN": secret}, "stdout": f"out {SECRETS[1]}"},
        sensitive_paths=[("environment", "TOKEN"), ("stdout",)],
    )


def test_no_plaintext_secret_reaches_the_database_files(
    db_path: Path, sqlite_store: SqliteStateStore, make_resource: MakeResource
) -> None:
    resource = _secret_resource(make_resource, "command.a", SECRETS[0])
    sqlite_store.write_resource("default", resource)
    sqlite_store.write_outputs("default", {"token": OutputState(SECRETS[2], sensitive=True)})
    pushed = _secret_resource(make_resource, "command.b", SECRETS[3])
    snapshot = sqlite_store.read("default")
    snapshot.resources[pushed.address] = pushed
    sqlite_store.push("default", snapshot)
    sqlite_store.write_resource("default", resource)  # rewritten after the push: WAL holds both
    files = list(db_path.parent.iterdir())
    assert {f.name for f in files} >= {"state.db", "state.db-wal"}
    raw = b"".join(f.read_bytes() for f in files)
    assert b"echo hi" in raw  # the check can see plaintext where it is expected
    for secret in SECRETS:
        assert secret.encode() not in raw, secret
    snapshot = SqliteStateStore(db_path).read("default")
    assert snapshot.resources == {"command.a": resource, "command.b": pushed}
    assert snapshot.outputs == {"token": OutputState(SECRETS[2], sensitive=True)}


def test_reading_secrets_with_the_wrong_key_is_a_clear_error(
    db_path: Path, tmp_path: Path, sqlite_store: SqliteStateStore, make_resource: MakeResource
) -> None:
    sqlite_store.write_resource("default", _secret_resource(make_resource, "command.a", "x"))
    other = SqliteStateStore(db_path, secrets=SecretBox(key_file=tmp_path / "other-key"))
    with pytest.raises(StateError, match=r"cannot decrypt a secret.*OPSPEC_SECRETS_KEY"):
        other.read("default")
    other.close()


def test_moving_a_resource_keeps_its_secrets_sealed(
    db_path: Path, sqlite_store: SqliteStateStore, make_resource: MakeResource
) -> None:
    resource = _secret_resource(make_resource, "command.a", SECRETS[0])
    sqlite_store.write_resource("default", resource)
    sqlite_store.move_resource("default", "command.a", "command.b")
    raw = b"".join(f.read_bytes() for f in db_path.parent.iterdir())
    assert SECRETS[0].encode() not in raw
    moved = sqlite_store.read("default").resources["command.b"]
    assert moved.inputs == resource.inputs and moved.outputs == resource.outputs


def test_snapshots_round_trip_through_json_with_secrets(
    sqlite_store: SqliteStateStore, make_resource: MakeResource
) -> None:
    resource = _secret_resource(make_resource, "command.a", SECRETS[0])
    sqlite_store.write_resource("default", resource)
    pulled = sqlite_store.read("default")
    assert StateSnapshot.from_json(pulled.to_json()) == pulled


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620])
def test_a_key_file_others_can_open_is_refused_like_ssh_does(tmp_path: Path, mode: int) -> None:
    from cryptography.fernet import Fernet

    key_file = tmp_path / "key"
    key_file.write_bytes(Fernet.generate_key() + b"\n")
    key_file.chmod(mode)
    with pytest.raises(StateError, match=f"other users \\(mode 0{mode:o}\\).*chmod 600"):
        SecretBox(key_file=key_file)
    key_file.chmod(0o600)
    box = SecretBox(key_file=key_file)
    key_file.chmod(mode)  # loosened after the box was made: refused when first used
    with pytest.raises(StateError, match="other users"):
        box.seal("v")
