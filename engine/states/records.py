"""How records become stored text and back: one JSON document per resource, output and event.

Sensitive values are sealed on the way in and opened on the way out when a
:class:`~engine.states.secrets.SecretBox` is given, so plaintext secrets never reach storage.
Reading parses all of a state's resources with a single ``json.loads`` of one JSON array, which
keeps 100k resources well under a second.
"""

from __future__ import annotations

import gc
import json
from typing import Any

from engine.errors import StateError
from engine.states.secrets import SEALED_ID, SecretBox, is_sealed, seals_id
from engine.states.store import OutputState, ResourceState, ResourceStatus

_COMPACT = (",", ":")
_STATUSES = {status.value: status for status in ResourceStatus}


def encode_resource(resource: ResourceState, box: SecretBox | None) -> str:
    data = resource.to_json()
    if box is not None and resource.sensitive_paths:
        data["inputs"] = box.seal_paths(data["inputs"], resource.sensitive_paths)
        data["outputs"] = box.seal_paths(data["outputs"], resource.sensitive_paths)
        if seals_id(resource.sensitive_paths, data["outputs"]):
            data["id"] = SEALED_ID  # the id travels sealed in outputs["id"]
    return _dumps(data, resource.address)


def decode_resources(texts: list[str], box: SecretBox | None) -> dict[str, ResourceState]:
    """Resources by address, in the order of ``texts``.

    The cyclic garbage collector is paused meanwhile: parsing allocates millions of containers,
    none of them garbage, and its repeated passes over them would otherwise double the time.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        records: list[dict[str, Any]] = json.loads("[" + ",".join(texts) + "]")
        resources: dict[str, ResourceState] = {}
        for data in records:
            if box is not None and data.get("sensitive_paths"):
                data["inputs"] = box.unseal_all(data.get("inputs") or {})
                data["outputs"] = box.unseal_all(data.get("outputs") or {})
                if data.get("id") == SEALED_ID:
                    data["id"] = str(data["outputs"].get("id", ""))
            resource = _resource_from_record(data)
            resources[resource.address] = resource
        return resources
    finally:
        if paused:
            gc.enable()


def _resource_from_record(data: dict[str, Any]) -> ResourceState:
    """ResourceState.from_json for records this module wrote, without copying what json.loads
    just made; any other record (older or newer writers) takes the lenient general path."""
    try:
        paths = data["sensitive_paths"]
        return ResourceState(
            data["address"],
            data["type"],
            data["id"],
            data["inputs"],
            data["outputs"],
            data["dependencies"],
            data["provider_version"],
            data["created_at"],
            data["updated_at"],
            _STATUSES[data["status"]],
            [tuple(p) for p in paths] if paths else [],
        )
    except (KeyError, TypeError):
        return ResourceState.from_json(data)


def encode_output(output: OutputState, box: SecretBox | None) -> str:
    value = output.value
    if box is not None and output.sensitive and not is_sealed(value):
        value = box.seal(value)
    return _dumps({"value": value, "sensitive": output.sensitive}, "an output")


def decode_output(text: str, box: SecretBox | None) -> OutputState:
    data = json.loads(text)
    value = data.get("value")
    if box is not None and is_sealed(value):
        value = box.unseal(value)
    return OutputState(value, bool(data.get("sensitive", False)))


def encode_event(event: dict[str, Any]) -> str:
    return _dumps(event, "an event")


def _dumps(data: dict[str, Any], what: str) -> str:
    try:
        return json.dumps(data, separators=_COMPACT)
    except (TypeError, ValueError) as exc:
        raise StateError(f"cannot store {what} in state: {exc}") from exc


def decode_events(texts: list[str]) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = json.loads("[" + ",".join(texts) + "]")
    return events
