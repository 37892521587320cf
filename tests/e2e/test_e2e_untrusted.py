"""`plan --untrusted` (pull-request previews) runs no code of the spec's author and reads
nothing outside the project: a subprocess runs the plan under a Python audit hook that records
every file opened and every process started, while the spec tries a sandbox escape, a
`command`, a user training function, a symlink and paths pointing outside the project."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

RUNNER = textwrap.dedent(
    """
    import json, os, sys
    events = []
    def hook(event, args):
        if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
            events.append(["open", os.fsdecode(args[0])])
        elif event in ("subprocess.Popen", "os.exec", "os.posix_spawn", "os.system"):
            events.append([event, repr(args)[:200]])
    sys.addaudithook(hook)
    from engine.cli.main import main
    code = main(sys.argv[1:])
    with open(os.environ["AUDIT_OUT"], "w") as f:
        json.dump({"code": code, "events": events}, f)
    """
)


def _project(root: Path, outside: Path) -> Path:
    project = root / "pr"
    project.mkdir()
    (outside / "secret.csv").write_text("a,target\n1,0\n")
    (outside / "evil.py").write_text(
        f"open({str(outside / 'IMPORTED')!r}, 'w').write('ran')\ndef train(ctx): return None\n"
    )
    (project / "train_fn.py").write_text(
        f"open({str(outside / 'USER_CODE_RAN')!r}, 'w').write('ran')\n"
        "def train(ctx):\n    return None\n"
    )
    (project / "data.csv").write_text("a,target\n1,0\n2,1\n3,0\n4,1\n")
    (project / "link.csv").symlink_to(outside / "secret.csv")
    (project / "main.ops.yaml").write_text(
        textwrap.dedent(f"""
        resources:
          command.pwn:
            create: "touch {outside / "COMMAND_RAN"}"
          dataset.inside:
            path: data.csv
          training_job.user_fn:
            framework: torch
            function: train_fn:train
            dataset: ${{dataset.inside.uri}}
            target: target
          dataset.via_symlink:
            path: link.csv
          dataset.escape:
            path: ../outside/secret.csv
          file.escape:
            path: ../outside/written.txt
            content: x
          null.jinja:
            triggers: {{x: "${{ ''.__class__.__mro__[1].__subclasses__() }}"}}
        """)
    )
    return project


def test_untrusted_plan_runs_nothing_and_reads_nothing_outside(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    project = _project(tmp_path, outside)
    audit = tmp_path / "audit.json"
    env = {**os.environ, "AUDIT_OUT": str(audit), "OPSPEC_SECRETS_KEY_FILE": str(tmp_path / "key")}
    proc = subprocess.run(
        [sys.executable, "-c", RUNNER, "-C", str(project), "plan", "--untrusted"],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )
    report = json.loads(audit.read_text())

    # The escapes are refused as diagnostics, the plan fails, and nothing ran.
    assert report["code"] == 1, proc.stdout + proc.stderr
    assert "is not allowed" in proc.stderr  # the Jinja2 sandbox
    assert "dataset.via_symlink" in proc.stderr and "dataset.escape" in proc.stderr
    assert "file.escape" in proc.stderr
    assert sorted(p.name for p in outside.iterdir()) == ["evil.py", "secret.csv"]
    processes = [e for e in report["events"] if e[0] != "open"]
    assert processes == [], processes
    opened_outside = [
        path
        for kind, path in report["events"]
        if kind == "open" and Path(path).resolve().is_relative_to(outside.resolve())
    ]
    assert opened_outside == []
    # The user's training function was fingerprinted from its source, never imported.
    assert not (outside / "USER_CODE_RAN").exists()
    assert "Traceback" not in proc.stderr
