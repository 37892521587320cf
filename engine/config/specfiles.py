"""Reading and parsing the spec files of a project, optionally on a second core.

A plan's first half second goes to importing its libraries (pydantic, Jinja2, networkx, the
Pulumi SDK), while the YAML of a large project takes as long again to parse. :func:`prefetch`
forks a worker before those imports; it lists and parses the files in order, appends each
result to an unlinked spool file and says where over a pipe, so it never waits for a reader.
When the main process needs the files it takes what the worker has finished and parses the
rest itself, from the last file backwards, until the two meet; then the worker is stopped.
Each file is read exactly once by whichever side's result is used, and the result is the same
as :func:`read_spec_files` in-process (the tests compare them).

The worker is our own child and the spool is private to it and us, so its pickles are trusted.
It is only started by the console script, on a machine with a second CPU, with no other thread
running; anywhere else (or if the worker fails) the files are simply read in-process.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import struct
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from engine.config.yamlpos import YamlError, parse
from engine.hashing import sha256_bytes

SPEC_SUFFIX = ".ops.yaml"

# A message on the pipe: file index (or _LISTING), and where its pickle is in the spool file.
_MESSAGE = struct.Struct("!iqq")


@dataclass
class SpecFile:
    """One spec file: its content hash and document, or why it could not be read."""

    name: str
    sha256: str = ""
    doc: Any = None
    # (message, detail, line, col); line 0 when the problem has no position in the file.
    error: tuple[str, str, int, int] | None = None


def spec_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*" + SPEC_SUFFIX) if p.is_file())


def read_spec_file(path: Path, root: Path, *, untrusted: bool) -> SpecFile:
    name = path.name
    if untrusted and not path.resolve().is_relative_to(root):
        return SpecFile(
            name, error=(f"{name} is a link to a file outside the project; refused", "", 0, 0)
        )
    data = path.read_bytes()
    spec = SpecFile(name, sha256_bytes(data))
    try:
        spec.doc = parse(data.decode("utf-8"))
    except UnicodeDecodeError:
        spec.error = (f"{name} is not UTF-8 text", "", 1, 1)
    except YamlError as exc:
        spec.error = (exc.message, exc.detail, exc.line, exc.col)
    return spec


def read_spec_files(directory: Path, *, untrusted: bool) -> list[SpecFile]:
    """Every spec file of ``directory``, in name order (the project directory exists)."""
    taken = _take(directory, untrusted)
    if taken is not None:
        return taken
    root = directory.resolve()
    return [read_spec_file(p, root, untrusted=untrusted) for p in spec_files(directory)]


# -- the worker -----------------------------------------------------------------------------


_LISTING = -1
_pending: dict[tuple[Path, bool], _Worker] = {}


class _Worker:
    def __init__(self, pid: int, pipe: int, spool: IO[bytes]) -> None:
        self.pid = pid
        self.pipe = pipe
        self.spool = spool
        self.buffer = bytearray()
        self.eof = False

    def drain(self, *, block: bool) -> list[tuple[int, bytes]]:
        """Results finished so far (waiting for at least one when ``block``)."""
        while not self.eof:
            ready, _, _ = select.select([self.pipe], [], [], None if block else 0)
            if not ready:
                break
            chunk = os.read(self.pipe, 1 << 16)
            if not chunk:
                self.eof = True
                break
            self.buffer += chunk
            if len(self.buffer) >= _MESSAGE.size:
                break
        out = []
        usable = len(self.buffer) - len(self.buffer) % _MESSAGE.size
        for start in range(0, usable, _MESSAGE.size):
            index, offset, length = _MESSAGE.unpack_from(self.buffer, start)
            payload = os.pread(self.spool.fileno(), length, offset)
            if len(payload) != length:
                raise OSError(f"short read from the spool ({len(payload)} of {length} bytes)")
            out.append((index, payload))
        del self.buffer[:usable]
        return out

    def stop(self) -> None:
        os.close(self.pipe)
        self.spool.close()
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)


def prefetch(directory: Path, *, untrusted: bool) -> None:
    """Start parsing ``directory``'s spec files in a forked worker, when that can help."""
    if not _can_fork() or not directory.is_dir():
        return
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by _Worker.stop
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker
        code = 1
        try:
            os.close(read_fd)
            _work(directory, untrusted, write_fd, spool.fileno())
            code = 0
        finally:
            os._exit(code)
    os.close(write_fd)
    _pending[(directory.resolve(), untrusted)] = _Worker(pid, read_fd, spool)


def _can_fork() -> bool:
    if not hasattr(os, "fork") or os.environ.get("OPSPEC_PREFETCH") == "0":
        return False
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (cpus or 1) >= 2 and threading.active_count() == 1


def _work(directory: Path, untrusted: bool, pipe: int, spool: int) -> None:
    offset = 0

    def send(index: int, payload: bytes) -> None:
        nonlocal offset
        view = memoryview(payload)
        while view:
            view = view[os.write(spool, view) :]
        os.write(pipe, _MESSAGE.pack(index, offset, len(payload)))
        offset += len(payload)

    files = spec_files(directory)
    send(_LISTING, pickle.dumps([p.name for p in files]))
    root = directory.resolve()
    for index, path in enumerate(files):
        spec = read_spec_file(path, root, untrusted=untrusted)
        send(index, pickle.dumps(spec, protocol=pickle.HIGHEST_PROTOCOL))


def _take(directory: Path, untrusted: bool) -> list[SpecFile] | None:
    worker = _pending.pop((directory.resolve(), untrusted), None)
    if worker is None:
        return None
    try:
        return _collect(worker, directory, untrusted)
    except Exception as exc:  # the worker is an optimisation: never a reason to fail
        print(f"opspec: parsing in-process ({type(exc).__name__}: {exc})", file=sys.stderr)
        return None
    finally:
        worker.stop()


def _collect(worker: _Worker, directory: Path, untrusted: bool) -> list[SpecFile] | None:
    names: list[str] | None = None
    got: dict[int, SpecFile] = {}

    def receive(messages: list[tuple[int, bytes]]) -> None:
        nonlocal names
        for index, payload in messages:
            if index == _LISTING:
                names = pickle.loads(payload)
            else:
                got[index] = pickle.loads(payload)

    while names is None and not worker.eof:
        receive(worker.drain(block=True))
    if names is None:
        return None  # the worker died before listing the files
    root = directory.resolve()
    mine: dict[int, SpecFile] = {}
    # Parse from the last file backwards until reaching what the worker has done.
    last = len(names) - 1
    while last >= 0:
        receive(worker.drain(block=False))
        if last in got:
            break
        mine[last] = read_spec_file(directory / names[last], root, untrusted=untrusted)
        last -= 1
    # The worker sends files in order, so what it sent and what was parsed here meet.
    got.update(mine)
    return [got[i] for i in range(len(names))]
