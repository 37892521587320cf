"""Spec models: one pydantic module per family of resource kinds.

Every resource type has an input model (a :class:`specs.base.ResourceSpec`, strict:
``extra="forbid"`` so a typo is an error) and an output model (a :class:`specs.base.Outputs`)
naming the attributes known only after apply. Field documentation lives in
``Annotated[..., Field(description=...)]`` so docs and JSON Schema come from the models.

Markers in a field's metadata tell the engine how to plan it:

>>> from typing import Annotated
>>> from specs.base import ResourceSpec, ForceNew
>>> class Example(ResourceSpec):
...     triggers: Annotated[dict[str, str], ForceNew] = {}
"""
