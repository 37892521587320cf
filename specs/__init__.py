"""Spec models: one pydantic module (for monitors, a package) per family of resource kinds.

They are what a spec file may say, kept apart from the code that acts on it so that the
engine, every provider and the docs read one definition of each field.

Every resource type has an input model (a :class:`specs.base.ResourceSpec`, strict:
``extra="forbid"`` so a typo is an error) and an output model (a :class:`specs.base.Outputs`)
naming the attributes known only after apply. Field documentation lives in
``Annotated[..., Field(description=...)]`` so docs and JSON Schema come from the models.
A type whose fields depend on a tag (a monitor's ``type``, a pool's ``kind``) is a pydantic
discriminated union of one model per kind (:class:`specs.base.KindSpec`);
:mod:`specs.validation` locates its validation errors in the inputs the user wrote.

Rules several families share are written once here: the gate grammar (:mod:`specs.gates`),
the accelerator syntax (:mod:`specs.accelerator`) and the outputs every cached job records
(:class:`specs.base.CachedJobOutputs`). This package is pure data: it imports
neither the engine nor any provider.

Markers in a field's metadata tell the engine how to plan it:

>>> from typing import Annotated
>>> from specs.base import ResourceSpec, ForceNew
>>> class Example(ResourceSpec):
...     triggers: Annotated[dict[str, str], ForceNew] = {}
"""
