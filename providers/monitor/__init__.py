"""The monitors (AIOps) family: metric sources, monitors, service topology and alert routes.

Providers (entry points in pyproject): ``metric_source`` (source.py), ``monitor``
(monitor.py), ``service_topology`` (topology.py) and ``alert_route`` (route.py). The rest is
what they and ``opspec monitor run|detect`` (cli.py) share::

    series.py       source URIs; reading CSV/Parquet files and Prometheus range queries
    detectors/      anomaly detectors (discord by default), event-wise scoring
    training.py     jobs fitting detectors and drift profiles (artifacts, cached)
    rules.py        threshold monitors rendered as Prometheus rule groups (Jinja2)
    loading.py      rule files into Prometheus (rule_files + /-/reload)
    alertmanager.py routes rendered as one Alertmanager configuration
    evaluate.py     applied monitors -> alerts; incidents.py alerts -> incidents
    run.py          one round of `monitor run`; inventory.py what it reads from state

Usage without the CLI::

    from providers.monitor.run import run_once
    from providers.monitor.evaluate import EvalContext
    report = run_once(snapshot.resources, EvalContext(project_dir, artifacts_dir))
    print(report.to_json())
"""
