"""``for_each`` over a list and a map through the CLI: one instance per key, ``each.key`` and
``each.value`` in the inputs, and a removed key deleting only its own instance."""

from __future__ import annotations

from cli_harness import CliProject, changed_only, completed_ids

SPEC = """\
resources:
  file.greeting:
    for_each: {en: hello, fr: bonjour, de: hallo}
    path: "out/${each.key}.txt"
    content: "${each.key}=${each.value}"
  null.shard:
    for_each: [alpha, beta, 7]
    triggers: {key: "${each.key}", value: "${each.value}"}
outputs:
  en_sha: {value: "${file.greeting['en'].sha256}"}
  shard7: {value: "${null.shard['7'].triggers}"}
"""

ALL = [
    'file.greeting["de"]',
    'file.greeting["en"]',
    'file.greeting["fr"]',
    'null.shard["7"]',
    'null.shard["alpha"]',
    'null.shard["beta"]',
]


def test_for_each_instances_and_removing_one_key(cli: CliProject) -> None:
    cli.write(SPEC)
    before = completed_ids(cli.run("apply", "--auto-approve").stdout)
    assert sorted(before) == ALL
    out = cli.root / "out"
    assert sorted(p.name for p in out.iterdir()) == ["de.txt", "en.txt", "fr.txt"]
    assert (out / "fr.txt").read_text() == "fr=bonjour"
    # A list item keeps its type as each.value; its key is its string form.
    assert cli.run("output", "shard7", "--json").json() == {"key": "7", "value": 7}

    cli.edit(" fr: bonjour,", "")
    cli.edit("[alpha, beta, 7]", "[alpha, 7]")
    plan = cli.run("plan", "--format", "json").json()
    assert changed_only(plan) == {
        'file.greeting["fr"]': ["delete"],
        'null.shard["beta"]': ["delete"],
    }
    reasons = {rc["address"]: rc["action_reason"] for rc in plan["resource_changes"]}
    assert reasons['file.greeting["fr"]'] == "delete_because_no_resource_config"

    cli.run("apply", "--auto-approve")
    after = cli.ids()
    assert sorted(after) == [
        a for a in ALL if a not in ('file.greeting["fr"]', 'null.shard["beta"]')
    ]
    assert all(after[a] == before[a] for a in after)
    assert sorted(p.name for p in out.iterdir()) == ["de.txt", "en.txt"]
