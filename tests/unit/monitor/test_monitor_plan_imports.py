"""Planning the monitors family imports none of numpy, pandas, scipy or scikit-learn.

Run in a fresh interpreter: a plan-time call (check, diff, read, cache_parts) of each provider
and monitor type, on a project whose data exist, as a first plan and a re-plan see it. The
detectors, series readers and fitting jobs that need those libraries live in
``providers.monitor.jobs``, which only jobs and ``opspec monitor`` import.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

HEAVY = ("numpy", "pandas", "scipy", "sklearn", "pyarrow", "threadpoolctl")

SCRIPT = textwrap.dedent(
    """
    import json, sys
    from engine.providers import ProviderContext
    from providers.monitor.alert_route import AlertRouteProvider
    from providers.monitor.metric_source import MetricSourceProvider
    from providers.monitor.monitor import MonitorProvider
    from providers.monitor.service_topology import ServiceTopologyProvider

    project, heavy_names = sys.argv[1:3]
    settings = {"prometheus": {"url": "http://127.0.0.1:9"}}
    ctx = ProviderContext(project, project + "/.opspec", "x.y", settings=settings)
    file_source = {"kind": "file", "path": "data/latency.csv", "label_columns": ["service"]}
    source_uri = MetricSourceProvider(ctx).check({}, file_source).inputs["uri"]
    calls = [
        (MetricSourceProvider, file_source),
        (MetricSourceProvider, {"kind": "prometheus", "query": "rate(errors_total[5m])"}),
        (MonitorProvider, {"type": "threshold", "metric": "up", "comparison": "<", "value": 1}),
        (MonitorProvider, {"type": "anomaly", "source": source_uri}),
        (MonitorProvider, {"type": "forecast", "source": source_uri, "limit": 100}),
        (MonitorProvider, {"type": "drift", "reference": "data/ref.csv",
                           "current": "data/cur.csv", "features": ["a"]}),
        (AlertRouteProvider, {"matchers": ['service="api"'], "receiver": "oncall"}),
        (ServiceTopologyProvider, {"services": {"api": {"owner": "t", "depends_on": ["db"]},
                                                "db": {"owner": "t"}}}),
    ]
    failures = []
    for cls, news in calls:
        provider = cls(ctx)
        result = provider.check({}, news)
        failures += [f.reason for f in result.failures]
        again = provider.check(result.inputs, news)
        provider.diff("id", result.inputs, again.inputs)
        provider.read("id", result.inputs)
        if hasattr(provider, "cache_parts"):
            provider.cached_outputs(provider.cache_key(result.inputs))
    heavy = sorted({m.split(".")[0] for m in sys.modules} & set(heavy_names.split(",")))
    print(json.dumps({"failures": failures, "heavy": heavy}))
    """
)


def test_planning_every_monitor_type_imports_no_heavy_library(project: Path) -> None:
    data = project / "data"
    data.mkdir()
    (data / "latency.csv").write_text(
        "timestamp,service,value\n2024-05-01T00:00:00Z,api,1.0\n2024-05-01T00:01:00Z,api,2.0\n"
    )
    for name in ("ref.csv", "cur.csv"):
        (data / name).write_text("a,b\n1,2\n3,4\n")
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(project), ",".join(HEAVY)],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[3],
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result == {"failures": [], "heavy": []}
