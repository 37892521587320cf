"""Reading a project's spec files: documents in name order, problems with their positions."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from engine.config.specfiles import read_spec_files


def _project(root: Path, files: int = 6) -> Path:
    for i in range(files):
        lines = ["resources:"]
        for j in range(200):
            n = i * 200 + j
            lines += [f"  null.n{n}:", "    triggers:", f"      index: {n}"]
            if n:
                lines.append(f'      up: "${{null.n{n - 1}.id}}"')
        (root / f"part{i}.ops.yaml").write_text("\n".join(lines) + "\n")
    (root / "zz_bad.ops.yaml").write_text("resources:\n  null.x: [unclosed\n")
    (root / "zz_latin1.ops.yaml").write_bytes("resources: {}\n# caf\xe9\n".encode("latin-1"))
    return root


def test_files_are_read_in_name_order_with_their_errors(tmp_path: Path) -> None:
    got = read_spec_files(_project(tmp_path), untrusted=False)
    assert [f.name for f in got] == [
        *(f"part{i}.ops.yaml" for i in range(6)),
        "zz_bad.ops.yaml",
        "zz_latin1.ops.yaml",
    ]
    assert all(f.error is None and len(f.sha256) == 64 for f in got[:6])
    assert got[0].doc["resources"]["null.n1"]["triggers"]["index"] == 1
    assert got[-2].error is not None and got[-2].error[2:] == (3, 1)  # the unclosed list
    assert got[-1].error == ("zz_latin1.ops.yaml is not UTF-8 text", "", 1, 1)


def test_untrusted_links_out_of_the_project_are_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text("resources: {}\n")
    project = tmp_path / "project"
    project.mkdir()
    (project / "link.ops.yaml").symlink_to(outside)
    (spec,) = read_spec_files(project, untrusted=True)
    assert spec.doc is None and spec.error is not None
    assert "link to a file outside the project" in spec.error[0]


def test_the_console_script_reports_positions(tmp_path: Path) -> None:
    project = _project(tmp_path)
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "from engine.cli.main import run; run()",
            "-C",
            str(project),
            "plan",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1
    assert "zz_bad.ops.yaml:3:1" in run.stderr
    assert "zz_latin1.ops.yaml:1:1" in run.stderr
