"""Under ``--untrusted`` the project's ``policies/config.yaml`` only tightens built-in policies
(issue #11, item 8): a pull request cannot disable or downgrade a mandatory built-in, raise a
cap or approve its own models."""

from __future__ import annotations

from pathlib import Path

from cli_harness import CliProject

from engine.diagnostics import Severity
from engine.policy import Enforcement, load_policies

# A plaintext token: what the mandatory `no-plaintext-secrets` exists to stop.
SPEC = """\
resources:
  command.deploy:
    create: "true"
    environment: {API_TOKEN: "tok-plaintext"}
"""


def _config(project: Path, text: str) -> None:
    (project / "policies").mkdir(parents=True, exist_ok=True)
    (project / "policies" / "config.yaml").write_text(text)


def _levels(project: Path, *, untrusted: bool) -> tuple[dict[str, Enforcement], list[str]]:
    policies, diags = load_policies(project, [], untrusted=untrusted)
    assert not [d for d in diags if d.severity is Severity.ERROR]
    return {p.name: p.enforcement for p in policies}, [d.summary for d in diags]


def test_a_pull_request_cannot_disable_a_mandatory_builtin(cli: CliProject) -> None:
    cli.write(SPEC)
    _config(cli.root, "builtin:\n  no-plaintext-secrets: {enforcement: disabled}\n")
    denied = cli.run("plan", "--untrusted", expect=1)
    assert "mandatory policy builtin/no-plaintext-secrets failed" in denied.stderr
    assert "ignored the settings of built-in policy `no-plaintext-secrets`" in denied.stderr
    assert "config.yaml:2:" in denied.stderr
    # A trusted run (the project's own main branch) keeps its configuration.
    assert "no-plaintext-secrets" not in cli.run("plan").stderr


def test_downgrades_raised_caps_and_approvals_are_ignored(tmp_path: Path) -> None:
    _config(
        tmp_path,
        "builtin:\n"
        "  gated-evaluation-upstream: {enforcement: advisory, approved_models: [evil/model]}\n"
        "  gpu-count-cap: {max_gpus: 512}\n"
        "  hourly-cost-cap: {max_hourly: 5, enforcement: advisory}\n",
    )
    levels, notes = _levels(tmp_path, untrusted=True)
    assert levels["gated-evaluation-upstream"] is Enforcement.MANDATORY
    assert levels["gpu-count-cap"] is Enforcement.ADVISORY  # default cap, default level
    assert levels["hourly-cost-cap"] is Enforcement.ADVISORY  # a lower cap is stricter: taken
    assert sorted(n.split("`")[1] for n in notes) == ["gated-evaluation-upstream", "gpu-count-cap"]
    trusted, _ = _levels(tmp_path, untrusted=False)
    assert trusted["gated-evaluation-upstream"] is Enforcement.ADVISORY
    assert trusted["gpu-count-cap"] is Enforcement.MANDATORY


def test_stricter_settings_are_taken(tmp_path: Path) -> None:
    _config(
        tmp_path,
        "builtin:\n"
        "  prevent-destroy-aliased-models: {enforcement: mandatory}\n"
        "  gpu-count-cap: {max_gpus: 2}\n",
    )
    levels, notes = _levels(tmp_path, untrusted=True)
    assert levels["prevent-destroy-aliased-models"] is Enforcement.MANDATORY
    assert levels["gpu-count-cap"] is Enforcement.MANDATORY
    assert notes == []


def test_a_policy_directory_outside_the_project_stays_trusted(tmp_path: Path) -> None:
    project, shared = tmp_path / "project", tmp_path / "shared"
    project.mkdir()
    _config(shared, "builtin:\n  no-plaintext-secrets: {enforcement: advisory}\n")
    policies, diags = load_policies(project, [shared / "policies"], untrusted=True)
    assert diags == []
    assert {p.name: p.enforcement for p in policies}["no-plaintext-secrets"] is Enforcement.ADVISORY
