"""The ``null`` provider: a resource that does nothing, replaced when its triggers change.

Like Terraform's ``null_resource``: it orders other work through references and
``depends_on``, and a change of ``triggers`` gives it a new random id, which replaces whatever
refers to that id.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from engine.providers import CreateResult, Provider
from specs.core import NullOutputs, NullSpec

__all__ = ["NullProvider"]


class NullProvider(Provider):
    """Creates nothing; its id is a fresh uuid4 and its outputs are its inputs."""

    type_name: ClassVar[str] = "null"
    spec: ClassVar[type[NullSpec]] = NullSpec
    outputs: ClassVar[type[NullOutputs]] = NullOutputs

    def create(self, props: dict[str, Any]) -> CreateResult:
        spec = self.model(props)
        return CreateResult(str(uuid.uuid4()), spec.model_dump(mode="json", exclude_unset=True))
