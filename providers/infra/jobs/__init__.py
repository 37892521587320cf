"""What the GPU infrastructure family runs in a child process: the local model server.

:mod:`.server` is started detached by :mod:`providers.infra.server_process` (``python -m
providers.infra.jobs.server``) when an ``llm_service`` on a local pool is created, and outlives
the run. It is the one place of the family that imports torch and transformers (through the LLM
family's loader) and ``prometheus_client``; planning and the providers import none of them.
"""
