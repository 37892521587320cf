"""Job functions of the LLM family: what runs in a child process (``ctx.run_job``).

Each module is imported by ``python -m engine.jobs.child`` during apply, never by planning:
this is the one place where torch, transformers, optimum, ONNX Runtime, peft and matplotlib are
imported (inside the functions, so that importing a module stays cheap). Functions take and
return JSON values; artifacts pass as URIs of the store, read through its folders.

- :mod:`.build`     turn a model source (folder, GGUF file, small config) into an artifact
- :mod:`.train`     fine-tune an artifact on text (full or LoRA)
- :mod:`.quantize`  compress an artifact (ONNX fp32/int8, torch dynamic int8, fp16/bf16)
- :mod:`.smooth`    SmoothQuant, applied before int8 quantization
- :mod:`.measure`   measure benchmark variants, one process each
- :mod:`.report`    write a benchmark's report folder with its chart
- :mod:`.loading`   load any artifact for inference (also used by infra's local server)
- :mod:`.text`      read documents from text, JSON lines and CSV sources
- :mod:`.runtime`   the device a job runs on, and typed-``Any`` imports of heavy libraries
"""
