"""Control characters from a spec never reach a terminal or a CI log raw (issue #11, item 11).

A pull request controls spec keys and values. A newline followed by ``::error ...::`` would be a
GitHub workflow command in the CI log, ESC sequences rewrite what a reviewer sees. The canary
key below carries both, through the text plan, apply's progress and summary, diagnostics, and
the Markdown comment.
"""

from __future__ import annotations

from cli_harness import CliProject

from engine.diagnostics import SourcePos, error
from engine.views.display import terminal_safe, terminal_safe_lines

CANARY = "canary-\u001b[2K\n::error title=CANARY-INJECTED::pwned\u009b31m\u202e"

SPEC = """\
resources:
  null.keys:
    for_each: ["canary-\\e[2K\\n::error title=CANARY-INJECTED::pwned\\x9b31m\\u202e"]
    triggers: {"label\\n::warning::CANARY-KEY": "${each.key}"}
"""


def _assert_inert(text: str) -> None:
    for bad in ("\u001b", "\u009b", "\u202e", "\r"):
        assert bad not in text
    for line in text.splitlines():
        assert not line.lstrip().startswith("::"), line


def test_the_text_plan_escapes_keys_addresses_and_values(cli: CliProject) -> None:
    cli.write(SPEC)
    plan = cli.run("plan")
    assert "CANARY-INJECTED" in plan.stdout  # shown, escaped
    assert "\\n::error title=CANARY-INJECTED" in plan.stdout
    _assert_inert(plan.stdout)
    _assert_inert(plan.stderr)


def test_apply_progress_and_summary_escape_addresses(cli: CliProject) -> None:
    cli.write(SPEC)
    applied = cli.run("apply", "--auto-approve")
    assert "CANARY-INJECTED" in applied.stdout
    _assert_inert(applied.stdout)
    _assert_inert(applied.stderr)


def test_the_markdown_comment_escapes_keys_and_values(cli: CliProject) -> None:
    cli.write(SPEC)
    comment = cli.run("plan", "--format", "markdown")
    assert "CANARY-INJECTED" in comment.stdout and "CANARY-KEY" in comment.stdout
    _assert_inert(comment.stdout)


def test_diagnostics_about_a_spec_key_escape_it(cli: CliProject) -> None:
    cli.write('resources:\n  null.a: {"bad\\n::error title=CANARY-DIAG::x\\e[8m": 1}\n')
    failed = cli.run("validate", expect=1)
    assert "CANARY-DIAG" in failed.stderr
    _assert_inert(failed.stderr)


def test_a_diagnostic_detail_keeps_its_lines_but_no_line_is_a_command() -> None:
    diag = error(
        "unknown field `x\n::error::CANARY`",
        "Did you mean\n::error title=CANARY::detail\u001b[2K?",
        SourcePos("main.ops.yaml", 3, 5),
        'null.a["\n::notice::CANARY"]',
    )
    text = diag.format()
    _assert_inert(text)
    assert text.count("\n") == 2  # summary, then the detail's own two lines


def test_terminal_safe_escapes_every_control_character() -> None:
    assert terminal_safe(CANARY) == (
        "canary-\\x1b[2K\\n::error title=CANARY-INJECTED::pwned\\x9b31m\\u202e"
    )
    assert terminal_safe("plain ünïcode, tabs\tand all") == "plain ünïcode, tabs\\tand all"
    assert terminal_safe_lines("ok\n  ::error::x\n\u001b") == "ok\n  \\::error::x\n\\x1b"
