"""Folders and files only their owner may open: ``.opspec``, its state and its job runs.

State holds every resource's inputs and outputs and the run folders hold job requests and
logs; secrets in them are sealed, but ids, paths and whatever a job printed are not. Like ssh
and Terraform's credentials file, they are kept from other users of the machine: folders 0700,
files 0600. Folders and files opspec made before this rule are tightened when it writes them.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
_OTHERS = stat.S_IRWXG | stat.S_IRWXO


def make_private_dir(path: Path) -> None:
    """Create ``path`` and its missing parents as private folders; tighten ``path`` itself."""
    missing = []
    parent = path
    while not parent.exists():
        missing.append(parent)
        parent = parent.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # made by a concurrent run meanwhile
            folder.mkdir(mode=PRIVATE_DIR_MODE)
    _tighten(path)


def make_private_file(path: Path) -> None:
    """Create ``path`` empty (0600) if it does not exist; tighten it if it does."""
    fd = os.open(path, os.O_RDONLY | os.O_CREAT, PRIVATE_FILE_MODE)
    os.close(fd)
    _tighten(path)


def _tighten(path: Path) -> None:
    """Take group and other access away from ``path`` when it is ours (else leave it)."""
    info = path.stat()
    if info.st_mode & _OTHERS and info.st_uid == os.geteuid():
        path.chmod(stat.S_IMODE(info.st_mode) & ~_OTHERS)
