"""Small HTTP clients for the Prometheus and Alertmanager APIs (requests, no live sessions).

Every failure to connect becomes :class:`ServiceUnreachable` naming the URL, and every error
answer :class:`ServiceRejected` with the server's own message, so callers never see a raw
``requests`` exception. Providers create a client per call (they hold no live clients).
"""

from __future__ import annotations

from typing import Any

import requests

from providers.monitor.errors import ServiceRejected, ServiceUnreachable

__all__ = ["AlertmanagerClient", "PrometheusClient"]

DEFAULT_TIMEOUT_S = 5.0


class _Client:
    def __init__(self, url: str, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self.url = url.rstrip("/")
        self.timeout_s = timeout_s

    def _request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        target = self.url + path
        try:
            response = requests.request(method, target, timeout=self.timeout_s, **kwargs)
        except requests.RequestException as exc:
            raise ServiceUnreachable(self.url, _short_reason(exc)) from exc
        if response.status_code >= 400:
            raise ServiceRejected(self.url, _error_text(response))
        return response


def _short_reason(exc: requests.RequestException) -> str:
    if isinstance(exc, requests.ConnectionError):
        return "connection refused or host unreachable"
    if isinstance(exc, requests.Timeout):
        return "timed out"
    return type(exc).__name__


def _error_text(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}: {response.text.strip()[:300]}"
    if isinstance(body, dict) and body.get("error"):
        return f"HTTP {response.status_code}: {body['error']}"
    return f"HTTP {response.status_code}: {str(body)[:300]}"


class PrometheusClient(_Client):
    """The parts of Prometheus's HTTP API opspec uses."""

    def _data(self, path: str, params: dict[str, Any]) -> Any:
        body = self._request("GET", path, params=params).json()
        if body.get("status") != "success":
            raise ServiceRejected(self.url, str(body.get("error", body)))
        return body["data"]

    def query(self, expr: str, at: float | None = None) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"query": expr}
        if at is not None:
            params["time"] = at
        return list(self._data("/api/v1/query", params).get("result", []))

    def query_range(
        self, expr: str, start: float, end: float, step_s: float
    ) -> list[dict[str, Any]]:
        params = {"query": expr, "start": start, "end": end, "step": step_s}
        return list(self._data("/api/v1/query_range", params).get("result", []))

    def rule_groups(self) -> list[dict[str, Any]]:
        return list(self._data("/api/v1/rules", {}).get("groups", []))

    def alerts(self) -> list[dict[str, Any]]:
        return list(self._data("/api/v1/alerts", {}).get("alerts", []))

    def reload(self) -> None:
        """Ask the server to re-read its configuration (needs ``--web.enable-lifecycle``)."""
        self._request("POST", "/-/reload")


class AlertmanagerClient(_Client):
    """The parts of Alertmanager's v2 API opspec uses."""

    def push(self, alerts: list[dict[str, Any]]) -> None:
        self._request("POST", "/api/v2/alerts", json=alerts)

    def alerts(self) -> list[dict[str, Any]]:
        return list(self._request("GET", "/api/v2/alerts").json())

    def reload(self) -> None:
        self._request("POST", "/-/reload")
