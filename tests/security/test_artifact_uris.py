"""Issue #11, reproduction 2: an ``artifact://sha256/…`` URI names a stored object, never a path.

``artifact://sha256//tmp/x/model`` used to read an outside ``config.json`` and
``artifact://sha256//etc/shadow`` told whether the file exists. A URI is now accepted only with
exactly 64 lowercase hex characters, resolved only inside the artifact store (symlinks
included), in every field that takes one.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from cli_harness import CliProject
from security_canaries import CANARY, assert_no_canary

_POSITION = re.compile(r"main\.ops\.yaml:\d+:\d+")
_DIGEST = "ab" * 32


def _outside_model(outside: Path) -> Path:
    model = outside / "model"
    model.mkdir()
    (model / "config.json").write_text(json.dumps({"model_type": CANARY}))
    (model / "model.safetensors").write_bytes(b"weights")
    return model


def test_a_uri_holding_a_path_reads_nothing(pr: CliProject, outside: Path) -> None:
    model = _outside_model(outside)
    pr.write(f"""
        resources:
          llm_model.a:
            path: "artifact://sha256/{model}"
    """)
    run = pr.run("plan", "--untrusted", expect=1)
    assert _POSITION.search(run.stderr) and "64 lowercase hex" in run.stderr, run.describe()
    assert_no_canary([run], pr.root)


def test_a_uri_is_no_oracle_for_outside_files(pr: CliProject, tmp_path: Path) -> None:
    (tmp_path / "exists").write_text("x")
    outputs = []
    for name in ("exists", "missing"):
        pr.write(f"""
            resources:
              llm_model.a:
                path: "artifact://sha256/{tmp_path / name}"
        """)
        run = pr.run("plan", "--untrusted", expect=1)
        outputs.append(run.stderr.replace(name, "NAME"))
    assert outputs[0] == outputs[1]


@pytest.mark.parametrize(
    ("resource", "field"),
    [
        ("training_job.t", "dataset"),
        ("evaluation.e", "model"),
        ("compression.c", "model"),
        ("llm_service.s", "model"),
    ],
)
def test_every_field_taking_a_uri_refuses_a_malformed_one(
    pr: CliProject, outside: Path, resource: str, field: str
) -> None:
    model = _outside_model(outside)
    bodies = {
        "training_job.t": "framework: sklearn\n    estimator: sklearn.dummy.DummyClassifier\n"
        "    target: y",
        "evaluation.e": f'dataset: "artifact://sha256/{_DIGEST}"\n    metrics: [accuracy]',
        "compression.c": "method: onnx-int8",
        "llm_service.s": "pool: {kind: local, name: here}\n    gpus: 0\n    port: 18765",
    }
    pr.write(
        f'resources:\n  {resource}:\n    {field}: "artifact://sha256/{model}"\n'
        f"    {bodies[resource]}\n"
    )
    run = pr.run("plan", "--untrusted", expect=1)
    assert "64 lowercase hex" in run.stderr, run.describe()
    assert re.search(r"main\.ops\.yaml:3:\d+", run.stderr), run.describe()
    assert_no_canary([run], pr.root)


def test_a_stored_object_linking_out_of_the_store_is_refused(pr: CliProject, outside: Path) -> None:
    model = _outside_model(outside)
    objects = pr.root / ".opspec" / "artifacts" / "objects" / _DIGEST[:2]
    objects.mkdir(parents=True)
    (objects / _DIGEST).symlink_to(model)
    pr.write(f"""
        resources:
          llm_model.a:
            path: "artifact://sha256/{_DIGEST}"
    """)
    run = pr.run("plan", "--untrusted", expect=1)
    assert "leaves the artifact store" in run.stderr, run.describe()
    assert_no_canary([run], pr.root)
