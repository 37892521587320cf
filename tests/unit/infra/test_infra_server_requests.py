"""Validation of completion requests by the local server (no model needed)."""

from __future__ import annotations

import json

import pytest

from providers.infra.errors import RequestError
from providers.infra.jobs.server import parse_request


def test_parses_an_openai_style_request() -> None:
    body = json.dumps({"prompt": ["hello"], "max_tokens": 5, "temperature": 0}).encode()
    assert parse_request(body) == ("hello", 5, 0.0)
    assert parse_request(b"") == ("", 16, 1.0)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "not JSON"),
        (b"[]", "JSON object"),
        (b'{"prompt": 3}', "prompt must be a string"),
        (b'{"max_tokens": "5"}', "max_tokens must be an integer"),
        (b'{"max_tokens": 0}', "between 1 and"),
        (b'{"temperature": 5}', "between 0 and 2"),
        (b'{"temperature": true}', "temperature must be a number"),
        (b'{"n": 2}', "n=1"),
    ],
)
def test_refuses_bad_requests(body: bytes, message: str) -> None:
    with pytest.raises(RequestError, match=message):
        parse_request(body)
