"""The job runner: heavy provider work (training, compression, benchmarks) in a child process.

A job is a Python callable named ``module:function`` called with JSON keyword arguments in a
fresh interpreter. Its stdout and stderr go to ``.opspec/runs/<address>/<run>/log.txt``, its
JSON return value comes back to the provider. A crash, an out-of-memory kill or a timeout in the
child fails the job (:class:`engine.errors.JobError`, with the log's tail) without taking the
engine down.
"""

from engine.jobs.runner import JobResult, cancel_all_jobs, run_job

__all__ = ["JobResult", "cancel_all_jobs", "run_job"]
