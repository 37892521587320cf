"""The ``file`` provider: path checks, atomic writes, mode, drift and deletion detection."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from engine.expr.unknown import UNKNOWN
from engine.providers import ProviderContext
from engine.providers.paths import PathEscapeError
from providers.core.file import FileProvider


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _failures(provider: FileProvider, news: dict[str, Any]) -> list[tuple[str, str]]:
    return [(f.property, f.reason) for f in provider.check({}, news).failures]


def _created(provider: FileProvider, news: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    checked = provider.check({}, news)
    assert checked.failures == []
    result = provider.create(checked.inputs)
    return result.id, dict(result.outs or {})


# -- check --------------------------------------------------------------------------------


def test_check_normalizes_path_and_mode_and_knows_the_sha256(ctx: ProviderContext) -> None:
    result = FileProvider(ctx).check({}, {"path": "./out//a.txt", "content": "hi", "mode": "644"})
    assert result.failures == []
    assert result.inputs == {
        "path": "out/a.txt",
        "content": "hi",
        "mode": "0644",
        "sha256": _sha("hi"),
    }


@pytest.mark.parametrize(
    "path", ["../outside.txt", "a/../../outside.txt", "/etc/passwd", "", ".", "a/.."]
)
def test_check_refuses_paths_outside_the_project(ctx: ProviderContext, path: str) -> None:
    failures = _failures(FileProvider(ctx), {"path": path, "content": "x"})
    assert [prop for prop, _ in failures] == ["path"]


def test_check_refuses_a_folder_symlinked_outside(ctx: ProviderContext, project: Path) -> None:
    outside = project.parent / "outside"
    outside.mkdir()
    (project / "data").symlink_to(outside)
    failures = _failures(FileProvider(ctx), {"path": "data/out.txt", "content": "x"})
    assert [prop for prop, _ in failures] == ["path"]
    assert "symlink" in failures[0][1]


def test_check_refuses_a_file_symlinked_outside(ctx: ProviderContext, project: Path) -> None:
    (project / "link.txt").symlink_to(project.parent / "target.txt")
    failures = _failures(FileProvider(ctx), {"path": "link.txt", "content": "x"})
    assert [prop for prop, _ in failures] == ["path"]


def test_check_accepts_a_symlink_that_stays_inside(ctx: ProviderContext, project: Path) -> None:
    (project / "real").mkdir()
    (project / "alias").symlink_to(project / "real")
    assert _failures(FileProvider(ctx), {"path": "alias/out.txt", "content": "x"}) == []


def test_check_refuses_the_state_directory_and_folders(ctx: ProviderContext, project: Path) -> None:
    (project / "folder").mkdir()
    provider = FileProvider(ctx)
    assert [p for p, _ in _failures(provider, {"path": ".opspec/state.db", "content": ""})] == [
        "path"
    ]
    assert [p for p, _ in _failures(provider, {"path": "folder", "content": ""})] == ["path"]


@pytest.mark.parametrize("mode", ["999", "rw-r--r--", "0o644", "12", "07777777", 420])
def test_check_refuses_bad_modes(ctx: ProviderContext, mode: Any) -> None:
    failures = _failures(FileProvider(ctx), {"path": "a.txt", "content": "", "mode": mode})
    assert [prop for prop, _ in failures] == ["mode"]


def test_check_says_how_to_write_a_yaml_octal_mode(ctx: ProviderContext) -> None:
    failures = _failures(FileProvider(ctx), {"path": "a.txt", "content": "", "mode": 0o644})
    assert '"0644"' in failures[0][1]


def test_check_turns_integral_floats_into_text(ctx: ProviderContext) -> None:
    result = FileProvider(ctx).check({}, {"path": "n.txt", "content": 3.0})
    assert result.failures == []
    assert result.inputs["content"] == "3"


def test_check_keeps_unknowns_and_judges_nothing_it_cannot(ctx: ProviderContext) -> None:
    provider = FileProvider(ctx)
    result = provider.check({}, {"path": "a.txt", "content": UNKNOWN})
    assert result.failures == []
    assert result.inputs == {"path": "a.txt", "content": UNKNOWN}
    assert provider.check({}, {"path": UNKNOWN, "content": "x"}).failures == []
    # Known parts are still judged.
    failures = provider.check({}, {"path": "a.txt", "content": UNKNOWN, "mode": "9"}).failures
    assert [f.property for f in failures] == ["mode"]


def test_check_writes_nothing(ctx: ProviderContext, project: Path) -> None:
    FileProvider(ctx).check({}, {"path": "new/a.txt", "content": "x"})
    assert sorted(project.iterdir()) == []


# -- create / update ----------------------------------------------------------------------


def test_create_writes_the_file_and_its_folders(ctx: ProviderContext, project: Path) -> None:
    id_, outs = _created(FileProvider(ctx), {"path": "a/b/c.txt", "content": "héllo\n"})
    target = project / "a" / "b" / "c.txt"
    assert id_ == "a/b/c.txt"
    assert target.read_text(encoding="utf-8") == "héllo\n"
    assert outs == {"path": "a/b/c.txt", "content": "héllo\n", "sha256": _sha("héllo\n")}
    assert sorted(p.name for p in target.parent.iterdir()) == ["c.txt"]  # no temp file left


def test_create_applies_the_mode_or_the_umask(ctx: ProviderContext, project: Path) -> None:
    provider = FileProvider(ctx)
    _created(provider, {"path": "script.sh", "content": "#!/bin/sh\n", "mode": "0750"})
    assert stat.S_IMODE((project / "script.sh").stat().st_mode) == 0o750
    _created(provider, {"path": "plain.txt", "content": ""})
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE((project / "plain.txt").stat().st_mode) == 0o666 & ~umask


def test_create_overwrites_an_existing_file(ctx: ProviderContext, project: Path) -> None:
    (project / "a.txt").write_text("old")
    _created(FileProvider(ctx), {"path": "a.txt", "content": "new"})
    assert (project / "a.txt").read_text() == "new"


def test_failed_create_leaves_nothing_behind(
    ctx: ProviderContext, project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_replace(src: Any, dst: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    provider = FileProvider(ctx)
    inputs = provider.check({}, {"path": "new/deep/a.txt", "content": "x"}).inputs
    with pytest.raises(OSError, match="disk full"):
        provider.create(inputs)
    assert sorted(project.iterdir()) == []


def test_create_rechecks_symlinks_made_after_the_plan(ctx: ProviderContext, project: Path) -> None:
    provider = FileProvider(ctx)
    inputs = provider.check({}, {"path": "data/out.txt", "content": "x"}).inputs
    outside = project.parent / "outside"
    outside.mkdir()
    (project / "data").symlink_to(outside)
    with pytest.raises(PathEscapeError):
        provider.create(inputs)
    assert list(outside.iterdir()) == []


def test_update_rewrites_content_and_mode(ctx: ProviderContext, project: Path) -> None:
    provider = FileProvider(ctx)
    id_, outs = _created(provider, {"path": "a.txt", "content": "one", "mode": "0600"})
    news = provider.check(outs, {"path": "a.txt", "content": "two", "mode": "0644"}).inputs
    diff = provider.diff(id_, outs, news)
    assert (diff.changes, diff.replaces) == (True, [])
    updated = provider.update(id_, outs, news)
    assert (project / "a.txt").read_text() == "two"
    assert stat.S_IMODE((project / "a.txt").stat().st_mode) == 0o644
    assert updated.outs == {
        "path": "a.txt",
        "content": "two",
        "mode": "0644",
        "sha256": _sha("two"),
    }


def test_diff_replaces_on_a_new_path(ctx: ProviderContext) -> None:
    provider = FileProvider(ctx)
    id_, outs = _created(provider, {"path": "a.txt", "content": "x"})
    news = provider.check(outs, {"path": "b.txt", "content": "x"}).inputs
    diff = provider.diff(id_, outs, news)
    assert (diff.changes, diff.replaces) == (True, ["path"])
    assert provider.diff(id_, outs, provider.check(outs, outs).inputs).changes is False


# -- read ---------------------------------------------------------------------------------


def test_read_of_an_untouched_file_shows_no_drift(ctx: ProviderContext) -> None:
    provider = FileProvider(ctx)
    id_, outs = _created(provider, {"path": "a.txt", "content": "x", "mode": "0640"})
    read = provider.read(id_, outs)
    assert (read.id, read.outs) == (id_, outs)


def test_read_detects_an_edit_outside_opspec(ctx: ProviderContext, project: Path) -> None:
    provider = FileProvider(ctx)
    spec = {"path": "a.txt", "content": "planned"}
    id_, outs = _created(provider, spec)
    (project / "a.txt").write_text("edited by hand")
    read = provider.read(id_, outs)
    assert read.id == id_
    assert read.outs == {**outs, "content": "edited by hand", "sha256": _sha("edited by hand")}
    diff = provider.diff(id_, dict(read.outs or {}), provider.check({}, spec).inputs)
    assert (diff.changes, diff.replaces) == (True, [])


def test_read_detects_a_mode_change(ctx: ProviderContext, project: Path) -> None:
    provider = FileProvider(ctx)
    id_, outs = _created(provider, {"path": "a.txt", "content": "x", "mode": "0600"})
    (project / "a.txt").chmod(0o644)
    assert (provider.read(id_, outs).outs or {})["mode"] == "0644"


def test_read_reports_a_deleted_file_as_gone(ctx: ProviderContext, project: Path) -> None:
    provider = FileProvider(ctx)
    id_, outs = _created(provider, {"path": "sub/a.txt", "content": "x"})
    (project / "sub" / "a.txt").unlink()
    gone = provider.read(id_, outs)
    assert (gone.id, gone.outs) == ("", {})


def test_read_of_a_path_replaced_by_a_folder_is_gone(ctx: ProviderContext, project: Path) -> None:
    provider = FileProvider(ctx)
    id_, outs = _created(provider, {"path": "a.txt", "content": "x"})
    (project / "a.txt").unlink()
    (project / "a.txt").mkdir()
    assert provider.read(id_, outs).id == ""


def test_read_of_bytes_that_are_not_utf8_still_shows_drift(
    ctx: ProviderContext, project: Path
) -> None:
    provider = FileProvider(ctx)
    id_, outs = _created(provider, {"path": "a.txt", "content": "x"})
    (project / "a.txt").write_bytes(b"\xff\xfe")
    read = provider.read(id_, outs)
    assert (read.outs or {})["sha256"] == hashlib.sha256(b"\xff\xfe").hexdigest()


# -- delete -------------------------------------------------------------------------------


def test_delete_removes_the_file_and_is_idempotent(ctx: ProviderContext, project: Path) -> None:
    provider = FileProvider(ctx)
    id_, outs = _created(provider, {"path": "sub/a.txt", "content": "x"})
    provider.delete(id_, outs)
    assert not (project / "sub" / "a.txt").exists()
    assert (project / "sub").is_dir()  # folders are left alone
    provider.delete(id_, outs)
    (project / "sub").rmdir()
    provider.delete(id_, outs)


def test_delete_refuses_to_follow_a_symlink_outside(ctx: ProviderContext, project: Path) -> None:
    provider = FileProvider(ctx)
    id_, outs = _created(provider, {"path": "data/a.txt", "content": "x"})
    (project / "data" / "a.txt").unlink()
    (project / "data").rmdir()
    outside = project.parent / "outside"
    outside.mkdir()
    (outside / "a.txt").write_text("not ours")
    (project / "data").symlink_to(outside)
    with pytest.raises(PathEscapeError):
        provider.delete(id_, outs)
    assert (outside / "a.txt").read_text() == "not ours"
