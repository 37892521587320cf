"""Text and model sources: formats read by content, GGUF headers, pkg: URIs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from engine.artifacts import ArtifactStore
from providers.llm.errors import SourceError
from providers.llm.jobs.text import read_documents
from providers.llm.sources import model_info, read_gguf_metadata, resolve


def test_plain_text_splits_at_blank_lines(project: Path) -> None:
    docs = read_documents(["data/train.txt"], project, project / ".opspec" / "artifacts")
    assert docs == ["first document", "second document"]


def test_jsonl_and_csv_read_the_text_field(project: Path) -> None:
    records = [{"text": "alpha", "id": 1}, {"text": "beta", "id": 2}]
    (project / "data" / "a.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n")
    (project / "data" / "b.csv").write_text('id,body\n1,"gamma, delta"\n2,epsilon\n')
    store = project / ".opspec" / "artifacts"
    assert read_documents(["data/a.jsonl"], project, store) == ["alpha", "beta"]
    assert read_documents(["data/b.csv"], project, store, "body") == ["gamma, delta", "epsilon"]


def test_bad_jsonl_names_the_line(project: Path) -> None:
    (project / "data" / "bad.jsonl").write_text('{"text": "ok"}\n{"other": 1}\n')
    with pytest.raises(ValueError, match=r"bad.jsonl:2: no string field 'text'"):
        read_documents(["data/bad.jsonl"], project, project / ".opspec")


def test_folder_and_artifact_sources(project: Path) -> None:
    store_dir = project / ".opspec" / "artifacts"
    (project / "data" / "more.md").write_text("third")
    uri = ArtifactStore(store_dir).put(project / "data" / "more.md")
    docs = read_documents(["data", uri], project, store_dir)
    assert docs == ["third", "first document", "second document", "third"]


def test_empty_text_is_an_error(project: Path) -> None:
    (project / "data" / "empty.txt").write_text("\n\n")
    with pytest.raises(ValueError, match="no text found"):
        read_documents(["data/empty.txt"], project, project / ".opspec")


def test_symlink_out_of_the_project_is_refused(project: Path, tmp_path: Path) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("x")
    (project / "data" / "link.txt").symlink_to(outside)
    with pytest.raises(SourceError, match="leaves the project"):
        resolve("data/link.txt", project, project / ".opspec")


def test_pkg_path_must_stay_in_the_distribution(project: Path) -> None:
    with pytest.raises(SourceError, match="not part of distribution"):
        resolve("pkg:pytest/../../../etc/passwd", project, project / ".opspec")


def test_gguf_header_is_read_without_the_tensors(tmp_path: Path) -> None:
    gguf = pytest.importorskip("gguf")
    import numpy as np

    path = tmp_path / "m.gguf"
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_context_length(2048)
    writer.add_token_list(["a", "bb", "ccc"])
    writer.add_tensor("w", np.zeros((4, 4), np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    meta = read_gguf_metadata(path)
    assert meta["general.architecture"] == "llama"
    assert meta["tokenizer.ggml.tokens"] == 3
    info = model_info(resolve(path.name, tmp_path, tmp_path / ".opspec"))
    assert (info.architecture, info.context_length, info.vocab_size, info.gguf) == (
        "llama", 2048, 3, True
    )  # fmt: skip


def test_not_a_gguf_file(tmp_path: Path) -> None:
    path = tmp_path / "x.gguf"
    path.write_bytes(b"GGML....")
    with pytest.raises(SourceError, match="not a GGUF file"):
        model_info(resolve(path.name, tmp_path, tmp_path / ".opspec"))
