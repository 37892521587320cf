"""Providers of the LLM deployment family: base models, fine-tunes, compressed variants, benchmarks.

The family exists so that a model's way to production is declared and reviewed like any other
infrastructure: which base model (``llm_model``), trained further on which text
(``fine_tune``), compressed how (``compression``), and measured against which gates
(``benchmark``) before a service may serve it. Each step before the benchmark writes a model
*artifact* (a folder in the content-addressed store) and passes its URI on, so an unchanged step
never runs again and a changed one makes everything built from it run again.

The file set, the same in every family:

- ``llm_model.py``, ``fine_tune.py``, ``compression.py``, ``benchmark.py``: one provider per
  resource type, named after it. Planning (``check``/``diff``/``read``) reads only small files
  (``config.json``, GGUF headers, distribution records, artifact manifests).
- ``base.py``: what the four share (checks that tolerate unknown upstream URIs, the cached
  artifact job); ``sources.py`` (where models and text come from, what they say about
  themselves), ``device.py`` (the device a job will get), ``manifest.py`` (an artifact's
  format), ``gates.py`` and ``report.py`` (benchmark metrics, gates and their table),
  ``common.py`` (staging, storing, library versions).
- ``jobs/``: everything that runs in a child process, the only place torch, transformers,
  optimum, ONNX Runtime, peft and matplotlib are imported.
- ``errors.py``: the family's exceptions, under :class:`engine.errors.OpspecError`.
- ``loading.py``: what other families (GPU infra's serving) use to load an artifact::

    from providers.llm.loading import load_causal_lm

    lm = load_causal_lm(path, device="cpu", threads=2)  # in a child process
    logits = lm.logits(input_ids, attention_mask)
    text_ids = lm.generate(input_ids, max_new_tokens=32)
"""
