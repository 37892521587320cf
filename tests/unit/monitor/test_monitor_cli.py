"""`opspec monitor detect` and `opspec monitor run` through the CLI's argument parsing."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pytest
from monitor_data import cyclic

from engine.cli.main import main
from providers.monitor.cli import register
from providers.monitor.errors import SeriesFileError
from providers.monitor.jobs.adhoc import read_series_csv


def _series_csv(path: Path, stamp_format: str = "2024/05/01 {h:02d}:{m:02d}") -> list[str]:
    values = cyclic(600)
    values[500:506] += np.array([1.5, -1.5] * 3)
    stamps = [stamp_format.format(h=i // 60, m=i % 60) for i in range(600)]
    path.write_text(
        "timestamp,value\n" + "".join(f"{s},{v:.5f}\n" for s, v in zip(stamps, values, strict=True))
    )
    return stamps


def test_detect_prints_flagged_timestamps_as_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stamps = _series_csv(tmp_path / "s.csv")
    assert main(["-C", str(tmp_path), "monitor", "detect", "s.csv", "--fit-rows", "400"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines and set(lines) <= set(stamps[500:506])
    assert lines[0].startswith("2024/05/01 08:2")


def test_detect_json_lists_timestamps_and_scores(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _series_csv(tmp_path / "s.csv", "{h}h{m}")
    code = main(
        [
            "monitor",
            "detect",
            str(tmp_path / "s.csv"),
            "--fit-rows",
            "400",
            "--detector",
            "discord",
            "--format",
            "json",
        ]
    )
    assert code == 0
    flagged = json.loads(capsys.readouterr().out)
    assert flagged and all(set(f) == {"timestamp", "score"} and f["score"] > 1 for f in flagged)
    assert flagged[0]["timestamp"].startswith("8h")


def test_detect_other_detectors_and_unsupervised(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _series_csv(tmp_path / "s.csv")
    assert main(["monitor", "detect", str(tmp_path / "s.csv"), "--detector", "mad"]) == 0
    assert main(["monitor", "detect", str(tmp_path / "s.csv")]) == 0
    assert capsys.readouterr().out.strip()


def test_detect_errors_exit_1_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.csv").write_text("timestamp,value\nt1,1\nt2,oops\n")
    assert main(["monitor", "detect", str(tmp_path / "bad.csv")]) == 1
    assert "bad.csv:3: not a number" in capsys.readouterr().err
    _series_csv(tmp_path / "s.csv")
    assert main(["monitor", "detect", str(tmp_path / "s.csv"), "--fit-rows", "5"]) == 1
    assert "needs at least 24 samples" in capsys.readouterr().err
    assert main(["monitor", "detect", str(tmp_path / "missing.csv")]) == 1


def test_run_without_state_or_with_a_bad_duration_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["-C", str(tmp_path), "monitor", "run", "--once"]) == 1
    assert "run `opspec apply` first" in capsys.readouterr().err
    assert main(["-C", str(tmp_path), "monitor", "run", "--once", "--since", "an hour"]) == 1
    assert "invalid duration" in capsys.readouterr().err


def test_register_defines_both_subcommands() -> None:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["monitor", "run", "--once", "--since", "2h", "--format", "json"])
    assert (args.once, args.since, args.format) == (True, "2h", "json") and callable(args.func)
    args = parser.parse_args(
        ["monitor", "detect", "x.csv", "--fit-rows", "10", "--detector", "mad"]
    )
    assert (args.csv, args.fit_rows, args.detector, args.format) == ("x.csv", 10, "mad", "text")


def test_series_csv_reader_uses_named_columns(tmp_path: Path) -> None:
    (tmp_path / "s.csv").write_text("value,timestamp,extra\n1.5,a,x\n2.5,b,y\n")
    stamps, values = read_series_csv(tmp_path / "s.csv")
    assert stamps == ["a", "b"] and values.tolist() == [1.5, 2.5]
    (tmp_path / "e.csv").write_text("")
    with pytest.raises(SeriesFileError):
        read_series_csv(tmp_path / "e.csv")
