"""The ``opspec monitor`` commands: ``run`` (evaluate applied monitors) and ``detect`` (ad hoc).

``register`` is called by the engine's CLI with its subparsers; it imports nothing heavy, so
``opspec --help`` stays fast. Handlers print results on stdout and diagnostics on stderr, and
return the exit code: 0 when the evaluation completed, incidents or not (sources that could not
be read are listed, not fatal), and 1 on error. With ``--format json`` stdout holds exactly one
JSON document (``run`` without ``--once`` prints one per round, one per line).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

__all__ = ["cmd_detect", "cmd_run", "register"]

DETECTOR_NAMES = ("discord", "mad", "seasonal", "iforest", "sigma")
_INTERVAL_S = 60.0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    monitor = subparsers.add_parser("monitor", help="evaluate monitors and detect anomalies")
    sub = monitor.add_subparsers(dest="monitor_command", metavar="SUBCOMMAND", required=True)

    run = sub.add_parser(
        "run",
        help="evaluate the applied monitors and print incidents",
        description="Evaluate anomaly, forecast and drift monitors against their sources, "
        "read firing threshold alerts from Prometheus, and consolidate alerts into incidents "
        "with a probable root cause. Repeats every minute unless --once is given.",
    )
    run.add_argument("--once", action="store_true", help="evaluate once and exit")
    run.add_argument(
        "--since",
        default=None,
        metavar="DURATION",
        help="only evaluate the last DURATION of data (e.g. 30m, 2h); default: files since "
        "their training cut-off, Prometheus the last hour",
    )
    run.add_argument("--format", default="text", choices=["text", "json"])
    run.set_defaults(func=cmd_run)

    detect = sub.add_parser(
        "detect",
        help="run a detector on one timestamp,value CSV",
        description="Fit a detector on the first N rows of a timestamp,value CSV and print "
        "the flagged timestamps of the remaining rows, one per line, as written in the file "
        "(without --fit-rows: fit on all rows and flag in-sample).",
    )
    detect.add_argument("csv", metavar="CSV", help="a CSV file with timestamp and value columns")
    detect.add_argument(
        "--fit-rows",
        type=int,
        default=None,
        metavar="N",
        help="fit on the first N rows, flag among the rest (default: fit and flag all rows)",
    )
    detect.add_argument(
        "--detector",
        default="discord",
        choices=DETECTOR_NAMES,
        metavar="NAME",
        help=f"one of {', '.join(DETECTOR_NAMES)} (default discord)",
    )
    detect.add_argument("--format", default="text", choices=["text", "json"])
    detect.set_defaults(func=cmd_detect)


def _error(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


def cmd_detect(args: argparse.Namespace) -> int:
    from providers.monitor.errors import NotEnoughData, SeriesFileError
    from providers.monitor.jobs.adhoc import detect_flags, read_series_csv, score_series

    path = Path(args.csv)
    if not path.is_absolute():
        path = Path(getattr(args, "chdir", ".") or ".") / path
    try:
        stamps, values = read_series_csv(path)
        scores = score_series(values, args.fit_rows, args.detector)
    except (SeriesFileError, NotEnoughData) as exc:
        return _error(str(exc))
    flags = detect_flags(stamps, scores)
    if args.format == "json":
        print(json.dumps([{"timestamp": f.timestamp, "score": round(f.score, 4)} for f in flags]))
    else:
        for flag in flags:
            print(flag.timestamp)
    return 0


def _resources(args: argparse.Namespace) -> dict[str, Any] | None:
    from engine.project import Project

    project = Project(Path(getattr(args, "chdir", ".") or "."), getattr(args, "workspace", None))
    if not (project.state_dir / "state.db").is_file():
        return None
    snapshot = project.store.read(project.workspace)
    return dict(snapshot.resources) if snapshot.exists else None


def _round(args: argparse.Namespace, since_s: float | None) -> int:
    from providers.monitor.jobs.evaluate import EvalContext
    from providers.monitor.run import format_text, push_alerts, run_once

    resources = _resources(args)
    if resources is None:
        return _error(f"no state in {args.chdir}: run `opspec apply` first")
    project_dir = str(Path(args.chdir).resolve())
    ctx = EvalContext(
        project_dir, str(Path(project_dir) / ".opspec" / "artifacts"), since_s=since_s
    )
    report = run_once(resources, ctx)
    for problem in push_alerts(report):
        print(f"warning: alerts not delivered: {problem}", file=sys.stderr)
    for item in report.unreadable:
        print(
            f"warning: {item['monitor']}: cannot read {item['source']}: {item['error']}",
            file=sys.stderr,
        )
    if args.format == "json":
        print(json.dumps(report.to_json(), indent=None if not args.once else 2), flush=True)
    else:
        print(format_text(report), flush=True)
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from specs.monitor import parse_duration

    try:
        since_s = parse_duration(args.since) if args.since else None
    except ValueError as exc:
        return _error(str(exc))
    if args.once:
        return _round(args, since_s)
    try:
        while True:
            code = _round(args, since_s)
            if code:
                return code
            time.sleep(_INTERVAL_S)
    except KeyboardInterrupt:
        return 0
