"""Issue #11, reproduction 1: files found inside a folder a spec names are resolved one by one.

A dataset folder holding a link to ``/proc/self/environ`` printed the whole environment inside
"no column 'nope' in the data (…)"; a model folder whose ``config.json`` links out echoed the
outside file's ``model_type``; linked tokenizer text files were hashed. Every one is now refused
with a diagnostic at the spec's position, and no output or state holds the canary.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from cli_harness import CliProject
from security_canaries import CANARY, assert_no_canary

_POSITION = re.compile(r"main\.ops\.yaml:\d+:\d+")


def _refused(pr: CliProject, *commands: tuple[str, ...]) -> None:
    runs = [pr.run(*command, expect=1) for command in commands]
    for run in runs:
        assert _POSITION.search(run.stderr), run.describe()
        assert "leaves the project" in run.stderr, run.describe()
    assert_no_canary(runs, pr.root)


@pytest.mark.parametrize("link_target", ["/proc/self/environ", "outside"])
def test_a_dataset_folder_with_a_link_out_is_refused(
    pr: CliProject, outside: Path, link_target: str
) -> None:
    data = pr.root / "data"
    data.mkdir()
    (data / "real.csv").write_text("a,b\n1,2\n")
    target = outside / "secret.csv" if link_target == "outside" else Path(link_target)
    (data / "0.csv").symlink_to(target)
    pr.write("""
        resources:
          dataset.d:
            path: data
            target: nope
    """)
    _refused(
        pr,
        ("plan", "--untrusted"),
        ("validate",),
        ("policy", "check", "--untrusted"),
        ("plan", "--untrusted", "--out", "p"),
    )
    assert not (pr.root / "p").exists()


def test_a_model_folder_whose_config_links_out_is_refused(pr: CliProject, outside: Path) -> None:
    (outside / "config.json").write_text(f'{{"model_type": "{CANARY}"}}')
    model = pr.root / "model"
    model.mkdir()
    (model / "config.json").symlink_to(outside / "config.json")
    (model / "model.safetensors").write_bytes(b"weights")
    pr.write("""
        resources:
          llm_model.m:
            path: model
    """)
    _refused(pr, ("plan", "--untrusted"), ("validate",))


def test_linked_tokenizer_text_is_refused_not_hashed(pr: CliProject, outside: Path) -> None:
    texts = pr.root / "texts"
    texts.mkdir()
    (texts / "a.txt").write_text("some words to learn a tokenizer from\n")
    (texts / "b.txt").symlink_to(outside / "secret.csv")
    pr.write("""
        resources:
          llm_model.tiny:
            config:
              tokenizer: {data: [texts], vocab_size: 300}
    """)
    _refused(pr, ("plan", "--untrusted"))
