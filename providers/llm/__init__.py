"""Providers of the LLM deployment family: base models, fine-tunes, compressed variants, benchmarks.

Every step writes a model *artifact* (a folder in the content-addressed store) and passes its
URI on. Artifacts come in three formats, all loaded by one function::

    from providers.llm.loading import load_causal_lm

    lm = load_causal_lm(path, device="cpu", threads=2)
    logits = lm.logits(input_ids, attention_mask)
    text_ids = lm.generate(input_ids, max_new_tokens=32)

Planning (``check``/``diff``/``read``) reads only small files (``config.json``, GGUF headers,
distribution records); torch, transformers and optimum are imported by the jobs that run in
child processes (``_build``, ``_train``, ``_quantize``, ``_measure``).
"""
