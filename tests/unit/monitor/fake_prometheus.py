"""A fake Prometheus HTTP API on loopback, serving a synthetic metric and canned alerts.

Enough of the API for opspec's client: ``query_range`` synthesises samples from a function of
time, ``query`` returns one sample, ``alerts`` returns what the test put there, ``-/reload``
counts calls. Used where a real server would make a unit test slow; the integration tests
use the real one.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class FakePrometheus:
    value_at: Callable[[float], float]
    alerts: list[dict[str, Any]] = field(default_factory=list)
    reloads: int = 0
    url: str = ""


def _handler(fake: FakePrometheus) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            return

        def _send(self, body: dict[str, Any], status: int = 200) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            q = {k: v[0] for k, v in parse_qs(parts.query).items()}
            if parts.path == "/api/v1/query_range":
                start, end, step = float(q["start"]), float(q["end"]), float(q["step"])
                count = int((end - start) // step) + 1
                times = [start + i * step for i in range(count)]
                values = [[t, str(fake.value_at(t))] for t in times]
                result = [{"metric": {"service": "api"}, "values": values}]
                self._send(
                    {"status": "success", "data": {"resultType": "matrix", "result": result}}
                )
            elif parts.path == "/api/v1/query":
                result = [{"metric": {"service": "api"}, "value": [0, "1"]}]
                self._send(
                    {"status": "success", "data": {"resultType": "vector", "result": result}}
                )
            elif parts.path == "/api/v1/alerts":
                self._send({"status": "success", "data": {"alerts": fake.alerts}})
            else:
                self._send({"status": "error", "error": "not found"}, 404)

        def do_POST(self) -> None:
            fake.reloads += 1
            self._send({})

    return Handler


@contextmanager
def fake_prometheus(value_at: Callable[[float], float]) -> Iterator[FakePrometheus]:
    fake = FakePrometheus(value_at)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
