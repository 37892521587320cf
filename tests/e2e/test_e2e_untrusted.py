"""`plan --untrusted` (pull-request previews) runs no code of the spec's author and reads
nothing outside the project: a subprocess runs the plan under a Python audit hook that records
every file opened and every process started, while the spec tries a sandbox escape, a
`command`, a user training function, a symlink, paths pointing outside the project, a dataset
folder and a model folder holding links out, and artifact URIs naming outside paths or stored
objects that link out; and, one at a time (each stops the run where it is read), a spec file, a
var file, a policy file, a policy folder and a prices file that are links out of the project.
Every file opened must lie in the project or in the installed Python (standard library,
site-packages, opspec's own source)."""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import sysconfig
import tempfile
import textwrap
from pathlib import Path
from typing import Any

import pytest

import engine

_DIGEST = "cd" * 32
_CANARY = "canary-untrusted-linked-3e1f"

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


def _installed_python() -> set[Path]:
    """Where the interpreter, the standard library, installed packages and opspec's own source
    (an editable install) live: opening files there is importing, not reading the spec's data."""
    folders = {sys.prefix, sys.base_prefix, sys.exec_prefix, *site.getsitepackages()}
    folders |= {p for p in sys.path if p.endswith("site-packages")}
    folders |= {sysconfig.get_path(name) for name in ("stdlib", "platstdlib", "purelib")}
    source = Path(engine.__file__).resolve().parents[1]
    packages = {source / name for name in ("engine", "specs", "providers")}
    # An editable install's metadata (entry points) sits in the checkout, beside the packages.
    packages.add(source / "opspec.egg-info")
    return {Path(f).resolve() for f in folders} | packages


def _library_probe(path: Path) -> bool:
    """Files installed libraries open while they are imported, whatever the spec says: psutil
    reads the CPU counters, dill opens /dev/null and lets tempfile probe the temp folder with a
    file it removes at once (a file directly in it, never one of the test's folders)."""
    probe = path.parent == Path(tempfile.gettempdir()).resolve() and not path.exists()
    return probe or path in (Path("/dev/null"), Path("/proc/stat"))


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
    (project / "parts").mkdir()
    (project / "parts" / "0.csv").write_text("a,target\n1,0\n")
    (project / "parts" / "1.csv").symlink_to(outside / "secret.csv")
    model = outside / "model"
    model.mkdir()
    (model / "config.json").write_text('{"model_type": "llama"}')
    (model / "model.safetensors").write_bytes(b"weights")
    (project / "model").mkdir()
    (project / "model" / "config.json").symlink_to(model / "config.json")
    (project / "model" / "model.safetensors").write_bytes(b"weights")
    stored = project / ".opspec" / "artifacts" / "objects" / _DIGEST[:2]
    stored.mkdir(parents=True)
    (stored / _DIGEST).symlink_to(model)
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
          dataset.folder_link:
            path: parts
            target: target
          llm_model.folder_link:
            path: model
          llm_model.uri_path:
            path: "artifact://sha256/{model}"
          llm_model.stored_link:
            path: "artifact://sha256/{_DIGEST}"
          training_job.uri_path:
            framework: sklearn
            estimator: sklearn.dummy.DummyClassifier
            dataset: "artifact://sha256/{outside / "secret.csv"}"
            target: target
          null.jinja:
            triggers: {{x: "${{ ''.__class__.__mro__[1].__subclasses__() }}"}}
        """)
    )
    return project


def _audited_plan(
    tmp_path: Path, project: Path, *args: str
) -> tuple[subprocess.CompletedProcess[str], dict[str, Any], list[Path]]:
    """``plan --untrusted`` of ``project`` under the audit hook: the process, the hook's report,
    and every file it opened outside the project and the installed Python."""
    audit = tmp_path / "audit.json"
    env = {**os.environ, "AUDIT_OUT": str(audit), "OPSPEC_SECRETS_KEY_FILE": str(tmp_path / "key")}
    proc = subprocess.run(
        [sys.executable, "-c", RUNNER, "-C", str(project), "plan", "--untrusted", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )
    report = json.loads(audit.read_text())
    opened = {Path(path).resolve() for kind, path in report["events"] if kind == "open"}
    allowed = _installed_python() | {project.resolve(), (tmp_path / "key").resolve(), audit}
    opened_elsewhere = sorted(
        p for p in opened if not any(p.is_relative_to(a) for a in allowed) and not _library_probe(p)
    )
    return proc, report, opened_elsewhere


def test_untrusted_plan_runs_nothing_and_reads_nothing_outside(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    project = _project(tmp_path, outside)
    proc, report, opened_elsewhere = _audited_plan(tmp_path, project)

    # The escapes are refused as diagnostics, the plan fails, and nothing ran.
    assert report["code"] == 1, proc.stdout + proc.stderr
    assert "is not allowed" in proc.stderr  # the Jinja2 sandbox
    assert "dataset.via_symlink" in proc.stderr and "dataset.escape" in proc.stderr
    assert "file.escape" in proc.stderr
    for address in (
        "dataset.folder_link",
        "llm_model.folder_link",
        "llm_model.uri_path",
        "llm_model.stored_link",
        "training_job.uri_path",
    ):
        assert address in proc.stderr, proc.stderr
    assert sorted(p.name for p in outside.iterdir()) == ["evil.py", "model", "secret.csv"]
    processes = [e for e in report["events"] if e[0] != "open"]
    assert processes == [], processes
    assert opened_elsewhere == []
    # The user's training function was fingerprinted from its source, never imported.
    assert not (outside / "USER_CODE_RAN").exists()
    assert "Traceback" not in proc.stderr


# What the pull request links out of the project, and what the run then says. The outside files
# hold the canary where a run would echo them: a variable's value, a policy message, a price.
_PLAIN = 'resources:\n  null.a: {triggers: {t: "${var.label}"}}\n'
_LINKED: dict[str, tuple[str, str, str, str]] = {
    "spec file": ("linked.ops.yaml", f"outputs:\n  o: {{value: {_CANARY}}}\n", "", _PLAIN),
    "var file": ("vars.yaml", f"label: {_CANARY}\n", "--var-file", _PLAIN),
    "policy file": (
        "policies/org.yaml",
        f"policies:\n  - {{name: p, expression: 'false', message: {_CANARY}}}\n",
        "",
        _PLAIN,
    ),
    "policy folder": (
        "policies/config.yaml",
        f"builtin:\n  {_CANARY}: {{}}\n",
        "",
        _PLAIN,
    ),
    "prices file": (
        "prices.yaml",
        f"prices: {{{_CANARY}: 1.0}}\n",
        "",
        "resources:\n  gpu_pool.p: {kind: kubernetes, accelerator: 'A100:80GB:2', max_gpus: 2}\n"
        '  null.a: {triggers: {t: "${var.label}"}}\n',
    ),
}


@pytest.mark.parametrize("which", sorted(_LINKED))
def test_untrusted_plan_opens_no_spec_var_policy_or_prices_file_linked_out(
    tmp_path: Path, which: str
) -> None:
    name, content, flag, spec = _LINKED[which]
    outside, project = tmp_path / "outside", tmp_path / "pr"
    (outside / "policies").mkdir(parents=True)
    (project / "policies").parent.mkdir(parents=True)
    (outside / name).write_text(content)
    (project / "main.ops.yaml").write_text(
        "variables:\n  label: {type: string, default: plain}\n" + spec
    )
    if which == "policy folder":
        (project / "policies").symlink_to(outside / "policies")
    else:
        (project / name).parent.mkdir(exist_ok=True)
        (project / name).symlink_to(outside / name)
    args = (flag, str(project / name)) if flag else ()
    proc, report, opened_elsewhere = _audited_plan(tmp_path, project, *args)
    assert report["code"] == 1, proc.stdout + proc.stderr
    assert "outside the project" in proc.stderr or "leaves the project" in proc.stderr, proc.stderr
    assert _CANARY not in proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert opened_elsewhere == []
