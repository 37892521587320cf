"""How other families load this family's model artifacts, in one import.

The GPU infra family serves artifacts (``llm_service``) and checks them at plan time, so it
needs both halves of this family's artifact format: :func:`load_causal_lm` (heavy, from
:mod:`providers.llm.jobs.loading`, called only in the serving process) and the manifest facts
(light, from :mod:`providers.llm.manifest`). Importing this module imports no heavy library.
"""

from __future__ import annotations

from providers.llm.jobs.loading import load_causal_lm
from providers.llm.manifest import TORCH_INT8_WEIGHTS, read_manifest

__all__ = ["TORCH_INT8_WEIGHTS", "load_causal_lm", "read_manifest"]
