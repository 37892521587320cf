"""A policy's message cannot inject Markdown or HTML into the PR comment (issue #11, item 12).

In a pull request the project's ``policies/`` belong to the change under review, so a policy's
``message`` is attacker text; a built-in policy's message quotes the change's keys and aliases.
In the comment neither may close the ``<details>`` blocks, add HTML or images, link anywhere or
@-mention anyone: prose is escaped, quoted spec text is a code span nothing in it can close.
"""

from __future__ import annotations

from typing import Any

import pytest
from cli_harness import CliProject
from markdown_it import MarkdownIt

from engine.policy import evaluate
from engine.policy.builtin import builtin_policies
from engine.views.markdown import render_markdown
from engine.views.markup import code_span, inert

CANARY_MESSAGE = (
    "</details></details><img src=https://canary.example/x.png> @octocat @org/team "
    "![pixel](https://canary.example/p.gif) [click](https://canary.example) www.canary.example"
    "\n::error::CANARY-NEWLINE"
)


def _result(pack: str, message: str) -> dict[str, Any]:
    return {
        "policy": "p", "pack": pack, "enforcement": "mandatory", "passed": False,
        "violations": [{"address": "null.a", "field": "triggers", "message": message}],
        "overridden": False, "override_reason": None, "evaluated": True, "error": None,
    }  # fmt: skip


def _plan(*results: dict[str, Any]) -> dict[str, Any]:
    change = {
        "address": "null.a", "type": "null", "name": "a", "dependencies": [],
        "action_reason": "create", "reason": "",
        "change": {"actions": ["create"], "before": None, "after": {"triggers": {}},
                   "after_unknown": {}},
    }  # fmt: skip
    return {"workspace": "default", "resource_changes": [change], "policy_results": list(results)}


def _assert_inert(comment: str) -> None:
    assert comment.count("<details>") == comment.count("</details>")
    for raw in ("<img", "](https://", "@octocat", "@org/team", "https://", "www.canary"):
        assert raw not in comment, raw
    assert "\n::error" not in comment


def test_a_project_policy_message_is_inert_in_the_comment() -> None:
    comment = render_markdown(_plan(_result("org", CANARY_MESSAGE)))
    assert "canary.example" in comment  # shown, as text
    _assert_inert(comment)


def test_code_spans_of_a_message_stay_code() -> None:
    comment = render_markdown(_plan(_result("org", "`null.a` breaks <b>it</b>")))
    assert "`null.a` breaks &lt;b&gt;it&lt;/b&gt;" in comment


def test_a_policy_message_through_the_cli_is_inert(cli: CliProject) -> None:
    cli.write('resources:\n  null.a: {triggers: {k: "v"}}\n')
    (cli.root / "policies").mkdir()
    message = CANARY_MESSAGE.replace("\n", " ").replace('"', "")
    (cli.root / "policies" / "org.yaml").write_text(
        "policies:\n"
        "  - name: never\n"
        "    enforcement: advisory\n"
        "    expression: 'false'\n"
        f'    message: "{message}"\n'
    )
    comment = cli.run("plan", "--untrusted", "--format", "markdown").stdout
    assert "never" in comment and "canary.example" in comment
    _assert_inert(comment)


# Spec text a built-in message quotes: backticks of every length try to close its code span.
HOSTILE = (
    "x` </details><img src=https://canary.example/x.png> ``@octocat`` [a](https://canary.example) `"
)


def _markdown_tokens(comment: str) -> list[Any]:
    tokens: list[Any] = []
    for token in MarkdownIt("commonmark").parse(comment):
        tokens += [token, *(token.children or [])]
    return tokens


def _assert_quoted_as_code(comment: str, quoted: str) -> None:
    """What CommonMark makes of the comment: no link, image or HTML but the comment's own
    ``<details>`` blocks, and ``quoted`` whole inside one code span."""
    tokens = _markdown_tokens(comment)
    assert not [t for t in tokens if t.type in ("image", "link_open", "html_inline")]
    html = "".join(t.content for t in tokens if t.type == "html_block")
    assert "canary" not in html and "<img" not in html, html
    assert html.count("<details>") == html.count("</details>") > 0
    assert quoted in [t.content for t in tokens if t.type == "code_inline"]
    prose = " ".join(t.content for t in tokens if t.type == "text")
    assert "@octocat" not in prose and "https://" not in prose


def test_builtin_messages_quote_keys_and_aliases_as_code() -> None:
    model = {
        "address": "model.m", "type": "model", "name": "m", "dependencies": [],
        "action_reason": "create", "reason": "",
        "change": {"actions": ["create"], "before": None, "after_unknown": {},
                   "after": {"name": "m", "artifact": "art://x", "aliases": [HOSTILE]}},
    }  # fmt: skip
    command = {
        "address": "command.c", "type": "command", "name": "c", "dependencies": [],
        "action_reason": "create", "reason": "",
        "change": {"actions": ["create"], "before": None, "after_unknown": {},
                   "after": {"environment": {HOSTILE + " API_TOKEN": "tok-plain"}}},
    }  # fmt: skip
    doc = {"workspace": "default", "resource_changes": [model, command], "variables": {}}
    results = [r.to_json() for r in evaluate(doc, builtin_policies())]
    failed = {r["policy"]: r["violations"][0]["message"] for r in results if not r["passed"]}
    assert code_span(HOSTILE) in failed["prevent-destroy-aliased-models"]
    assert code_span(HOSTILE + " API_TOKEN") in failed["no-plaintext-secrets"]
    comment = render_markdown({**doc, "policy_results": results})
    _assert_quoted_as_code(comment, HOSTILE)
    _assert_quoted_as_code(comment, HOSTILE + " API_TOKEN")


@pytest.mark.parametrize("text", ["plain", "a`b", "a ``` b", "`lead", "trail`", "``"])
def test_a_code_span_outlasts_every_run_of_backticks_in_it(text: str) -> None:
    rendered = inert(f"says {code_span(text)} <b>here</b>")
    spans = [t.content for t in _markdown_tokens(rendered) if t.type == "code_inline"]
    assert spans == [text]  # CommonMark drops the padding of one that starts or ends with "`"
    assert "&lt;b&gt;here" in rendered
