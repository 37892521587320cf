"""Encryption of sensitive values at rest, for state and saved plan files.

Like Pulumi's passphrase secrets provider, the key is never stored beside what it protects:

- ``OPSPEC_SECRETS_KEY`` set: a passphrase; each :class:`SecretBox` derives a Fernet key from it
  with scrypt and a random salt, and the salt travels inside every token, so any box given the
  same passphrase can open it.
- otherwise a key file, ``OPSPEC_SECRETS_KEY_FILE`` or ``~/.config/opspec/key``: a random Fernet
  key, created on first use with mode 0600 (atomically, never overwriting an existing one). Like
  ssh with a private key, a key file that other users may read or write is refused.

A sealed value is ``{"$secret": "<token>"}`` in place of the value. Usage::

    box = SecretBox.from_environment()
    stored = box.seal_paths(resource.inputs, resource.sensitive_paths)
    assert box.unseal_all(stored) == resource.inputs

Nothing loads the key or imports ``cryptography`` until a secret is actually sealed or opened.
"""

from __future__ import annotations

import base64
import json
import os
import stat
import tempfile
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.errors import StateError
from engine.expr.unknown import is_unknown
from engine.states.store import Path as ValuePath

if TYPE_CHECKING:
    from cryptography.fernet import Fernet

SECRET_MARKER = "$secret"
# The id of a record whose id is sensitive: the id itself is kept sealed in outputs["id"].
SEALED_ID = "(sensitive)"
KEY_ENV = "OPSPEC_SECRETS_KEY"
KEY_FILE_ENV = "OPSPEC_SECRETS_KEY_FILE"
DEFAULT_KEY_FILE = Path("~/.config/opspec/key")

_TOKEN_VERSION = "v1"
_PASSPHRASE_KIND = "p"  # v1:p:<salt>:<fernet token>
_KEY_FILE_KIND = "k"  # v1:k:<fernet token>
# scrypt cost: ~0.1 s and 32 MiB once per box and salt, paid only when a secret is present.
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**15, 8, 1


def seals_id(sensitive_paths: Iterable[ValuePath], sealed_outputs: Mapping[str, Any]) -> bool:
    """Whether a record's id is sensitive and its sealed copy is in ``sealed_outputs``."""
    return any(tuple(p) == ("id",) for p in sensitive_paths) and is_sealed(sealed_outputs.get("id"))


def is_sealed(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and isinstance(value.get(SECRET_MARKER), str)


class SecretBox:
    """Seals and unseals JSON values with one key source (a passphrase or a key file)."""

    def __init__(self, *, passphrase: str | None = None, key_file: Path | None = None) -> None:
        if (passphrase is None) == (key_file is None):
            raise ValueError("give exactly one of passphrase and key_file")
        self._passphrase = passphrase
        self._key_file = key_file.expanduser() if key_file is not None else None
        if self._key_file is not None and self._key_file.exists():
            # Checked now (a stat, not a read), so a command stops before it changes anything.
            _check_private(self._key_file)
        self._lock = threading.Lock()
        self._salt: bytes | None = None
        self._fernets: dict[bytes, Fernet] = {}  # by salt (b"" for the key file)

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> SecretBox:
        """The box the environment asks for; nothing is read or created until first use."""
        env = os.environ if environ is None else environ
        passphrase = env.get(KEY_ENV)
        if passphrase:
            return cls(passphrase=passphrase)
        return cls(key_file=Path(env.get(KEY_FILE_ENV) or DEFAULT_KEY_FILE))

    @property
    def source(self) -> str:
        """Where the key comes from, for messages."""
        if self._key_file is not None:
            return f"key file {self._key_file}"
        return f"the passphrase in {KEY_ENV}"

    def seal(self, value: Any) -> dict[str, str]:
        """Encrypt any JSON value into ``{"$secret": token}``."""
        plain = json.dumps(value, separators=(",", ":")).encode()
        if self._key_file is not None:
            token = self._fernet(b"").encrypt(plain).decode()
            return {SECRET_MARKER: f"{_TOKEN_VERSION}:{_KEY_FILE_KIND}:{token}"}
        salt = self._sealing_salt()
        fernet_token = self._fernet(salt).encrypt(plain).decode()
        salt_text = base64.urlsafe_b64encode(salt).decode()
        return {SECRET_MARKER: f"{_TOKEN_VERSION}:{_PASSPHRASE_KIND}:{salt_text}:{fernet_token}"}

    def unseal(self, sealed: Mapping[str, Any]) -> Any:
        """The value inside ``{"$secret": token}``; StateError when the key cannot open it."""
        from cryptography.fernet import InvalidToken

        token = sealed[SECRET_MARKER]
        version, _, rest = token.partition(":")
        kind, _, rest = rest.partition(":")
        if version != _TOKEN_VERSION or kind not in (_PASSPHRASE_KIND, _KEY_FILE_KIND):
            raise StateError("cannot decrypt a secret: its format is not one opspec writes")
        self._check_kind(kind)
        salt = b""
        if kind == _PASSPHRASE_KIND:
            salt_text, _, rest = rest.partition(":")
            try:
                salt = base64.urlsafe_b64decode(salt_text)
            except ValueError:
                raise StateError("cannot decrypt a secret: its salt is damaged") from None
        try:
            plain = self._fernet(salt).decrypt(rest.encode())
        except InvalidToken:
            raise StateError(
                f"cannot decrypt a secret with {self.source}: it was encrypted with another "
                f"key. Set {KEY_ENV} to the passphrase (or {KEY_FILE_ENV} to the key file) "
                "that was in use when it was written."
            ) from None
        return json.loads(plain)

    def seal_paths(self, data: dict[str, Any], paths: Iterable[ValuePath]) -> dict[str, Any]:
        """A copy of ``data`` with the values at ``paths`` sealed.

        Paths that are absent, and values still unknown (plans), are left as they are; an
        outer path seals its whole subtree. ``data`` itself is not changed.
        """
        result: Any = data
        for path in sorted((tuple(p) for p in paths), key=len):
            if path:
                result = _replace_at(result, path, self)
        return dict(result)

    def unseal_all(self, data: Any) -> Any:
        """A copy of ``data`` with every sealed value, at any depth, opened."""
        if is_sealed(data):
            return self.unseal(data)
        if isinstance(data, dict):
            return {k: self.unseal_all(v) for k, v in data.items()}
        if isinstance(data, list):
            return [self.unseal_all(v) for v in data]
        return data

    def _check_kind(self, kind: str) -> None:
        if kind == _PASSPHRASE_KIND and self._passphrase is None:
            raise StateError(
                f"cannot decrypt a secret: it was encrypted with a passphrase, but {KEY_ENV} "
                f"is not set (using {self.source}). Set {KEY_ENV} to that passphrase."
            )
        if kind == _KEY_FILE_KIND and self._key_file is None:
            raise StateError(
                f"cannot decrypt a secret: it was encrypted with a key file, but {KEY_ENV} "
                f"is set. Unset {KEY_ENV} and point {KEY_FILE_ENV} at that key file."
            )

    def _sealing_salt(self) -> bytes:
        with self._lock:
            if self._salt is None:
                self._salt = os.urandom(16)
            return self._salt

    def _fernet(self, salt: bytes) -> Fernet:
        from cryptography.fernet import Fernet

        with self._lock:
            fernet = self._fernets.get(salt)
            if fernet is None:
                fernet = Fernet(self._derive_key(salt))
                self._fernets[salt] = fernet
            return fernet

    def _derive_key(self, salt: bytes) -> bytes:
        if self._passphrase is None:
            assert self._key_file is not None
            return load_or_create_key_file(self._key_file)
        from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

        kdf = Scrypt(salt=salt, length=32, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P)
        return base64.urlsafe_b64encode(kdf.derive(self._passphrase.encode()))


def _replace_at(node: Any, path: ValuePath, box: SecretBox) -> Any:
    """``node`` with the value at ``path`` sealed; containers on the way are copied."""
    key, rest = path[0], path[1:]
    if isinstance(node, dict) and not is_sealed(node) and key in node:
        new_dict = dict(node)
        new_dict[key] = _sealed_child(node[key], rest, box)
        return new_dict
    if isinstance(node, list) and isinstance(key, int) and -len(node) <= key < len(node):
        new_list = list(node)
        new_list[key] = _sealed_child(node[key], rest, box)
        return new_list
    return node


def _sealed_child(child: Any, rest: ValuePath, box: SecretBox) -> Any:
    if rest:
        return _replace_at(child, rest, box)
    if is_sealed(child) or is_unknown(child):
        return child
    return box.seal(child)


def load_or_create_key_file(path: Path) -> bytes:
    """The Fernet key in ``path``, created (mode 0600) when it does not exist yet.

    Creation writes a temporary file and hard-links it into place, so a concurrent reader never
    sees a partial key and an existing key is never overwritten.
    """
    if not path.exists():
        _create_key_file(path)
    try:
        key = path.read_bytes().strip()
    except OSError as exc:
        raise StateError(f"cannot read the secrets key file {path}: {exc}") from exc
    try:
        if len(base64.urlsafe_b64decode(key)) != 32:
            raise ValueError("wrong length")
    except ValueError:
        raise StateError(
            f"the secrets key file {path} does not hold an opspec key "
            f"(44 characters of URL-safe base64); set {KEY_FILE_ENV} to the right file"
        ) from None
    _check_private(path)
    return key


def _check_private(path: Path) -> None:
    """Refuse a key file that other users may open, as ssh refuses such a private key."""
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise StateError(
            f"the secrets key file {path} can be opened by other users (mode {mode:04o}), "
            f"so it is not used; make it private with `chmod 600 {path}`"
        )


def _create_key_file(path: Path) -> None:
    from cryptography.fernet import Fernet

    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".key-")  # mode 0600
    except OSError as exc:
        raise StateError(f"cannot create the secrets key file {path}: {exc}") from exc
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(Fernet.generate_key() + b"\n")
            f.flush()
            os.fsync(f.fileno())
        os.link(temp, path)
    except FileExistsError:
        pass  # another process created it first: use theirs
    except OSError as exc:
        raise StateError(f"cannot create the secrets key file {path}: {exc}") from exc
    finally:
        os.unlink(temp)
