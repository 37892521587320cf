"""The monitors (AIOps) family: metric sources, monitors, service topology and alert routes.

It exists so that what is watched, how, and who is told are declared and reviewed like the rest
of a project: threshold monitors become Prometheus rule groups (checked by promtool at plan
time, loaded into a configured server at apply), anomaly and drift monitors are fitted at apply
in a child process and cached, and ``opspec monitor run`` evaluates them all, groups their alerts
into incidents along the service topology and names each incident's receiver by the routes.

One module per resource type (entry points in pyproject), and what they share::

    metric_source.py     the ``metric_source`` provider (a file of samples, or a PromQL query)
    monitor.py           the ``monitor`` provider (threshold, anomaly, forecast, drift)
    alert_route.py       the ``alert_route`` provider (matchers -> receiver)
    service_topology.py  the ``service_topology`` provider (services and their dependencies)
    checks.py            plan-time checks of monitor specs beyond their schema
    source_uri.py        the ``uri`` a metric source exports, parsed and printed
    paths.py             the data files monitors read (the engine's one path rule)
    rules.py             threshold monitors rendered as Prometheus rule groups (Jinja2)
    rendering.py         the Jinja2 environment of the templates/ folder
    loading.py           rule files into Prometheus (rule_files + /-/reload)
    alertmanager.py      routes rendered as one Alertmanager configuration
    matchers.py          Alertmanager's matcher syntax and routing
    servicegraph.py      cycles, order and upstream closure of a dependency graph
    promapi.py           the Prometheus and Alertmanager HTTP APIs
    tools.py             promtool and amtool, where installed
    settings.py          the ``providers.prometheus`` and ``providers.alertmanager`` blocks
    cli.py               ``opspec monitor run|detect`` (registered as a family subcommand)
    run.py               one round of ``monitor run``; inventory.py what it reads from state
    incidents.py         alerts -> incidents with a probable root cause
    jobs/                fitting, detectors, series, drift, forecast, evaluation: the only
                         place numpy, pandas, scipy and scikit-learn are imported
    errors.py            the family's exceptions

Usage without the CLI::

    from providers.monitor.run import run_once
    from providers.monitor.jobs.evaluate import EvalContext
    report = run_once(snapshot.resources, EvalContext(project_dir, artifacts_dir))
    print(report.to_json())
"""
