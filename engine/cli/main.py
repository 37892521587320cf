"""Argument parsing and dispatch; command modules are imported only when run."""

from __future__ import annotations

import argparse
import atexit
import gc
import importlib
import os
import sys
from collections.abc import Sequence
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, TypeAlias

from engine.redaction import RedactingStream

if TYPE_CHECKING:
    _Subparsers: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]


def _lock_timeout_option(p: argparse.ArgumentParser, *, explained: bool = False) -> None:
    p.add_argument(
        "--lock-timeout",
        type=float,
        default=0.0,
        metavar="S",
        help="wait this many seconds for the state lock (default 0)" if explained else None,
    )


def _variable_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--var",
        action="append",
        default=[],
        metavar="K=V",
        dest="vars",
        help="set a variable (repeatable)",
    )
    p.add_argument("--var-file", action="append", default=[], metavar="FILE", dest="var_files")


def _scope_options(p: argparse.ArgumentParser) -> None:
    """What the plan covers: some resources, a replacement, a refresh, or everything's end."""
    p.add_argument(
        "--target",
        action="append",
        default=[],
        metavar="ADDR",
        dest="targets",
        help="plan only this resource and its dependencies (repeatable)",
    )
    p.add_argument(
        "--replace",
        action="append",
        default=[],
        metavar="ADDR",
        help="plan a replacement of this resource (repeatable)",
    )
    p.add_argument(
        "--refresh-only", action="store_true", help="only update state to match the real resources"
    )
    p.add_argument(
        "--refresh",
        default="true",
        choices=["true", "false"],
        help="refresh state before planning (default true)",
    )
    p.add_argument("--destroy", action="store_true", help="plan destroying everything")


def _policy_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--policy",
        action="append",
        default=[],
        metavar="DIR",
        dest="policy_dirs",
        help="an extra policy pack directory (repeatable)",
    )
    p.add_argument(
        "--override",
        action="append",
        default=[],
        metavar="POLICY",
        dest="overrides",
        help="override a failing mandatory policy (needs --reason)",
    )
    p.add_argument("--reason", default=None, help="why the override is justified")


def _plan_options(p: argparse.ArgumentParser) -> None:
    """The options every command that plans takes (plan, apply, destroy)."""
    _variable_options(p)
    _scope_options(p)
    p.add_argument(
        "--untrusted",
        action="store_true",
        help="plan a spec from an untrusted source: run no user code, read nothing "
        "outside the project",
    )
    _lock_timeout_option(p, explained=True)
    _policy_options(p)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="opspec",
        description="Declarative specs for AI operations: plan and apply monitors, ML "
        "pipelines and LLM deployments.",
    )
    parser.add_argument(
        "-C",
        dest="chdir",
        default=".",
        metavar="DIR",
        help="the project directory (default: the current one)",
    )
    parser.add_argument("--workspace", default=None, help="the workspace (default: selected)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("validate", help="check the specs without touching state")
    _run_parsers(sub)
    _inspect_parsers(sub)
    _state_parser(sub)
    _workspace_parser(sub)
    p = sub.add_parser("force-unlock", help="clear the state lock")
    p.add_argument("lock_id", nargs="?", default=None)
    p.add_argument("--force", action="store_true", help="do not ask for confirmation")
    _optional_commands(sub)
    return parser


def _apply_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--auto-approve", action="store_true", help="do not ask for confirmation")
    p.add_argument("--parallelism", type=int, default=4, metavar="N")
    p.add_argument("--executor", default=None, choices=["local", "pulumi", "ray"])


def _run_parsers(sub: _Subparsers) -> None:
    """The commands that plan, change, or refresh the real resources."""
    p = sub.add_parser("plan", help="show what apply would change")
    _plan_options(p)
    p.add_argument("--out", default=None, metavar="FILE", help="save the plan to FILE")
    p.add_argument("--format", default="text", choices=["text", "json", "markdown"])
    p.add_argument("--detailed-exitcode", action="store_true", help="exit 2 when there are changes")

    p = sub.add_parser("apply", help="make the changes (or apply a saved plan)")
    p.add_argument("planfile", nargs="?", default=None, metavar="PLANFILE")
    _plan_options(p)
    _apply_options(p)

    p = sub.add_parser("destroy", help="destroy everything in the state")
    _plan_options(p)
    _apply_options(p)

    p = sub.add_parser("refresh", help="update state to match the real resources")
    _lock_timeout_option(p)
    _variable_options(p)


def _inspect_parsers(sub: _Subparsers) -> None:
    """The commands that read state or configuration (and `import`, which adopts into it)."""
    p = sub.add_parser("output", help="show root outputs")
    p.add_argument("name", nargs="?", default=None)
    p.add_argument("--json", action="store_true")
    p.add_argument(
        "--show-sensitive",
        action="store_true",
        help="print sensitive outputs' values instead of (sensitive), in every format "
        "(what Terraform's `output -json` does by default)",
    )

    p = sub.add_parser("show", help="show a saved plan, a resource, or the whole state")
    p.add_argument("target", nargs="?", default=None, metavar="PLANFILE|ADDR")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("graph", help="print the dependency graph")
    p.add_argument("--format", default="dot", choices=["dot", "mermaid", "json"])

    p = sub.add_parser("import", help="adopt an existing resource into state")
    p.add_argument("address")
    p.add_argument("id")
    _lock_timeout_option(p)


def _state_parser(sub: _Subparsers) -> None:
    state = sub.add_parser("state", help="inspect and edit state")
    ssub = state.add_subparsers(dest="state_command", metavar="SUBCOMMAND", required=True)
    ssub.add_parser("list", help="list resource addresses")
    p = ssub.add_parser("show", help="show one resource")
    p.add_argument("address")
    p = ssub.add_parser("rm", help="forget resources (does not destroy them)")
    p.add_argument("addresses", nargs="+")
    p = ssub.add_parser("mv", help="rename a resource address")
    p.add_argument("source")
    p.add_argument("destination")
    ssub.add_parser("pull", help="print the state as JSON")
    p = ssub.add_parser("push", help="replace the state with a JSON file")
    p.add_argument("file")
    p.add_argument("--force", action="store_true")
    for p in ssub.choices.values():
        _lock_timeout_option(p)


def _workspace_parser(sub: _Subparsers) -> None:
    ws = sub.add_parser("workspace", help="manage workspaces")
    wsub = ws.add_subparsers(dest="workspace_command", metavar="SUBCOMMAND", required=True)
    wsub.add_parser("list")
    wsub.add_parser("show")
    for name in ("new", "select", "delete"):
        p = wsub.add_parser(name)
        p.add_argument("name")


# Family subcommands (`opspec monitor ...`) register through this entry-point group: each entry
# is a function that adds its parser to the top-level subparsers, so the engine names no family.
COMMANDS_GROUP = "opspec.commands"


def _optional_commands(sub: _Subparsers) -> None:
    """Commands whose extras may not be installed (imported only to register)."""
    registers = []
    for module in ("engine.cli.policy_cmd", "engine.cli.artifacts_cmd"):
        try:
            registers.append(importlib.import_module(module).register)
        except ImportError:
            continue
    for entry in sorted(entry_points(group=COMMANDS_GROUP), key=lambda e: e.name):
        try:
            registers.append(entry.load())
        except ImportError:
            continue
    for register in registers:
        register(sub)


_COMMANDS = {
    "validate": "engine.cli.run:cmd_validate",
    "plan": "engine.cli.run:cmd_plan",
    "apply": "engine.cli.run:cmd_apply",
    "destroy": "engine.cli.run:cmd_destroy",
    "refresh": "engine.cli.run:cmd_refresh",
    "output": "engine.cli.inspect:cmd_output",
    "show": "engine.cli.inspect:cmd_show",
    "graph": "engine.cli.inspect:cmd_graph",
    "import": "engine.cli.state_cmd:cmd_import",
    "state": "engine.cli.state_cmd:cmd_state",
    "workspace": "engine.cli.state_cmd:cmd_workspace",
    "force-unlock": "engine.cli.state_cmd:cmd_force_unlock",
}


def run() -> None:
    """The console script."""
    # A run is short-lived and allocates hundreds of thousands of small containers for large
    # projects; the cyclic collector would rescan them over and over (measured: -40% plan
    # time for 10k resources). Job work runs in child processes with the collector on.
    gc.disable()
    # Whatever the engine prints (diagnostics, progress, a provider's message, a traceback)
    # passes through the redaction of known secret values on its way out.
    sys.stdout = RedactingStream(sys.stdout)
    sys.stderr = RedactingStream(sys.stderr)
    try:
        code = main()
    except SystemExit as exc:  # argparse's usage errors and --help
        if exc.code is None or isinstance(exc.code, int):
            code = exc.code or 0
        else:
            print(exc.code, file=sys.stderr)
            code = 1
    # Leave without the interpreter's teardown, which frees every object one by one (a third
    # of a second after planning 10k resources): flush the output, run the atexit handlers
    # (logging, temporary files, ...), and exit. Every command has released its lock and
    # committed or closed its state by the time main() returns.
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a closed pipe (`opspec plan | head`)
        code = code or 1
    atexit._run_exitfuncs()
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    handler = getattr(args, "func", None)
    if handler is None:
        module, _, name = _COMMANDS[args.command].partition(":")
        handler = getattr(importlib.import_module(module), name)
    from engine.errors import DiagnosticsError, OpspecError

    try:
        code: int = handler(args)
    except DiagnosticsError as exc:
        from engine.cli.output import print_diagnostics

        print_diagnostics(exc.diagnostics)
        return 1
    except OpspecError as exc:
        from engine.cli.output import fail

        return fail(str(exc))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # Whoever read stdout has gone (`opspec state pull | head`): stop quietly, as Unix
        # tools do, with stdout pointed at /dev/null so the final flush cannot fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return code


if __name__ == "__main__":
    run()
