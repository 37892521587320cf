"""The monitors family's numerical work: what runs in a child process at apply, and the
detectors and readers that ``opspec monitor run|detect`` shares with it.

This is the one place of the family that imports numpy, pandas, scipy and scikit-learn.
Nothing a plan calls imports it: the providers reach it only through ``ctx.run_job`` targets
(``module:function`` with JSON keyword arguments, their logs under ``.opspec/runs/``), and the
``opspec monitor`` subcommand imports it when it runs.

- :mod:`.fit`        job targets fitting anomaly detectors and drift profiles into artifacts
- :mod:`.series`     samples of a source as numpy arrays (files through pandas, Prometheus
                     range queries); the job target counting a file source's series
- :mod:`.detectors`  anomaly detectors (discord by default) and event-wise scoring
- :mod:`.drift`      PSI and Kolmogorov-Smirnov drift of a feature against its profile
- :mod:`.forecast`   when a metric's trend crosses a limit
- :mod:`.evaluate`   applied monitors -> alerts (the heart of ``opspec monitor run``)
- :mod:`.adhoc`      one ``timestamp,value`` CSV scored by a detector (``opspec monitor detect``)
"""
