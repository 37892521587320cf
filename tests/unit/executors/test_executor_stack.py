"""The stack's location and secrets, and mapping what a stack holds back to opspec addresses."""

from __future__ import annotations

from pathlib import Path

from engine.executors.stack import (
    StackLocation,
    derived_passphrase,
    managed_resources,
    pulumi_name,
    urn_name,
    urn_type,
    without_resources,
)

STACK = "urn:pulumi:dev::proj::pulumi:pulumi:Stack::proj-dev"
DYN = "urn:pulumi:dev::proj::pulumi-python:dynamic:Resource::"
POOL = "urn:pulumi:dev::proj::opspec:index:gpu_pool::gpu_pool.a100"
NS = (
    "urn:pulumi:dev::proj::opspec:index:gpu_pool$kubernetes:core/v1:Namespace"
    "::gpu_pool.a100/Namespace"
)


def test_location_lives_inside_the_project(tmp_path: Path) -> None:
    loc = StackLocation(tmp_path / "My Project!", "feature/x")
    assert loc.backend_url == (tmp_path / "My Project!" / ".opspec" / "pulumi").resolve().as_uri()
    assert loc.work_dir == loc.root / "workspace"
    assert loc.project_name == "My-Project"
    assert loc.stack_name == "feature-x"
    assert pulumi_name("...", "fallback") == "fallback"


def test_explicit_pulumi_passphrase_wins() -> None:
    env = {"PULUMI_CONFIG_PASSPHRASE": "mine", "OPSPEC_SECRETS_KEY": "opspec"}
    assert derived_passphrase(env) == "mine"


def test_passphrase_is_derived_from_opspec_key_material(tmp_path: Path) -> None:
    from_key = derived_passphrase({"OPSPEC_SECRETS_KEY": "opspec-passphrase"})
    assert from_key == derived_passphrase({"OPSPEC_SECRETS_KEY": "opspec-passphrase"})
    assert from_key != derived_passphrase({"OPSPEC_SECRETS_KEY": "another"})
    assert "opspec-passphrase" not in from_key
    key_file = tmp_path / "key"
    from_file = derived_passphrase({"OPSPEC_SECRETS_KEY_FILE": str(key_file)})
    assert key_file.exists()  # created on first use, as for opspec's own secrets
    assert from_file == derived_passphrase({"OPSPEC_SECRETS_KEY_FILE": str(key_file)})
    assert key_file.read_text().strip() not in from_file


def test_env_vars_point_pulumi_at_the_project_backend(tmp_path: Path) -> None:
    loc = StackLocation(tmp_path, "default")
    env = loc.env_vars({"OPSPEC_SECRETS_KEY": "k"})
    assert env["PULUMI_BACKEND_URL"] == loc.backend_url
    assert env["PULUMI_CONFIG_PASSPHRASE"] == derived_passphrase({"OPSPEC_SECRETS_KEY": "k"})


def test_urn_parts() -> None:
    assert urn_name(NS) == "gpu_pool.a100/Namespace"
    assert urn_type(NS) == "kubernetes:core/v1:Namespace"
    assert urn_name(DYN + 'null.x["a"]') == 'null.x["a"]'


def test_managed_resources_groups_objects_by_address() -> None:
    deployment = {
        "resources": [
            {"urn": STACK, "type": "pulumi:pulumi:Stack", "custom": False},
            {
                "urn": "urn:pulumi:dev::proj::pulumi:providers:kubernetes::default",
                "type": "pulumi:providers:kubernetes",
                "custom": True,
            },
            {
                "urn": DYN + "null.a",
                "type": "pulumi-python:dynamic:Resource",
                "custom": True,
                "parent": STACK,
            },
            {"urn": POOL, "type": "opspec:index:gpu_pool", "custom": False, "parent": STACK},
            {"urn": NS, "type": "kubernetes:core/v1:Namespace", "custom": True, "parent": POOL},
        ]
    }
    managed = managed_resources(deployment)
    assert managed.urns == {"null.a": [DYN + "null.a"], "gpu_pool.a100": [POOL, NS]}
    assert managed.custom == {"null.a": [DYN + "null.a"], "gpu_pool.a100": [NS]}
    assert managed.address_of(NS) == "gpu_pool.a100"
    assert managed_resources(None).urns == {}


def test_forgetting_resources_drops_every_reference_to_them() -> None:
    deployment = {
        "manifest": {},
        "resources": [
            {"urn": POOL, "type": "opspec:index:gpu_pool"},
            {"urn": NS, "type": "kubernetes:core/v1:Namespace", "parent": POOL},
            {
                "urn": DYN + "null.a",
                "type": "pulumi-python:dynamic:Resource",
                "dependencies": [NS, DYN + "null.b"],
                "propertyDependencies": {"x": [NS]},
                "deletedWith": POOL,
            },
        ],
        "pendingOperations": [{"resource": {"urn": NS}, "type": "creating"}],
    }
    out = without_resources(deployment, {POOL, NS})
    assert out["manifest"] == {}
    assert out["resources"] == [
        {
            "urn": DYN + "null.a",
            "type": "pulumi-python:dynamic:Resource",
            "dependencies": [DYN + "null.b"],
            "propertyDependencies": {"x": []},
        }
    ]
    assert out["pendingOperations"] == []
    assert len(deployment["resources"]) == 3  # the input is not changed
