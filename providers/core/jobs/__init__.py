"""Job functions of the core family: what runs in a child process (``run_job`` targets).

Each module is imported only by ``python -m engine.jobs.child`` during apply, never by planning,
and imports only the standard library, so the child starts fast.

- :mod:`.shell`  run a ``command`` resource's shell command and collect its output
"""
