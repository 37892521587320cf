"""Running ``promtool`` and ``amtool`` on rendered files, where they are installed.

Both ship with the Debian packages ``prometheus`` and ``prometheus-alertmanager``. A check
returns ``None`` when it passed, the tool's message when it refused the file, and raises
:class:`ToolMissing` when the tool is not installed (callers turn that into a warning).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from providers.monitor.errors import ToolMissing

__all__ = ["check_alertmanager_config", "check_rules", "tool_path"]

_TIMEOUT_S = 30.0


def tool_path(name: str) -> str | None:
    return shutil.which(name) or (
        f"/usr/bin/{name}" if Path(f"/usr/bin/{name}").is_file() else None
    )


def _run_on_text(tool: str, args: list[str], text: str, suffix: str) -> str | None:
    exe = tool_path(tool)
    if exe is None:
        raise ToolMissing(f"{tool} is not installed; the rendered file was not checked")
    with tempfile.TemporaryDirectory(prefix="opspec-check-") as tmp:
        path = Path(tmp) / f"check{suffix}"
        path.write_text(text)
        proc = subprocess.run(
            [exe, *args, str(path)],
            capture_output=True,
            text=True,
            timeout=_TIMEOUT_S,
            check=False,
        )
    if proc.returncode == 0:
        return None
    message = (proc.stderr.strip() or proc.stdout.strip()).replace(str(path), "<rendered>")
    return _essential(message)


def _essential(message: str) -> str:
    """Drop the tool's progress lines ("Checking ...", "FAILED:"), keep the reasons."""
    lines = [
        line.strip()
        for line in message.splitlines()
        if line.strip() and not line.startswith("Checking ") and line.strip() != "FAILED:"
    ]
    return "; ".join(lines) or message


def check_rules(text: str) -> str | None:
    """``promtool check rules`` on a rule file's text."""
    return _run_on_text("promtool", ["check", "rules"], text, ".rules.yml")


def check_alertmanager_config(text: str) -> str | None:
    """``amtool check-config`` on an Alertmanager configuration's text."""
    return _run_on_text("amtool", ["check-config"], text, ".yml")
