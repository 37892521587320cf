"""A project policy's message cannot inject Markdown or HTML into the PR comment (issue #11,
item 12).

In a pull request the project's ``policies/`` belong to the change under review, so a policy's
``message`` is attacker text. In the comment it must not close the ``<details>`` blocks, add
HTML or images, link anywhere or @-mention anyone.
"""

from __future__ import annotations

from typing import Any

from cli_harness import CliProject

from engine.views.markdown import render_markdown

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
