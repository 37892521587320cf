"""Suite-wide fixtures: no test touches the user's real secrets key or workspace choice."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True, scope="session")
def _isolated_secrets(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    key_file = tmp_path_factory.mktemp("opspec-key") / "key"
    saved = {
        k: os.environ.get(k)
        for k in ("OPSPEC_SECRETS_KEY", "OPSPEC_SECRETS_KEY_FILE", "OPSPEC_WORKSPACE")
    }
    os.environ.pop("OPSPEC_SECRETS_KEY", None)
    os.environ.pop("OPSPEC_WORKSPACE", None)
    os.environ["OPSPEC_SECRETS_KEY_FILE"] = str(Path(key_file))
    yield
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v
