"""The local model server: ``python -m providers.infra.jobs.server --model DIR --port N``.

A small OpenAI-style HTTP server on the standard library's ``ThreadingHTTPServer``:

- ``POST /v1/completions`` takes ``prompt``, ``max_tokens`` and ``temperature`` and answers
  ``choices[0].text`` with token ``usage``;
- ``GET /health`` answers 200 once the model is loaded (the server binds only then);
- ``GET /metrics`` is Prometheus text: request latency histogram, request counter, prompt and
  completion token counters.

The model is loaded by :func:`providers.llm.loading.load_causal_lm`, which reads every artifact
format the LLM family writes (Hugging Face, ONNX Runtime, torch int8). A model that does not load
ends the process with the error in its log, which the provider shows.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
import uuid
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)

from providers.infra.errors import RequestError

__all__ = ["CompletionServer", "main"]

MAX_TOKENS_LIMIT = 4096


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.latency = Histogram(
            "opspec_llm_request_latency_seconds",
            "Time to answer a request.",
            ["endpoint"],
            registry=self.registry,
        )
        self.requests = Counter(
            "opspec_llm_requests",
            "Requests answered.",
            ["endpoint", "code"],
            registry=self.registry,
        )
        self.prompt_tokens = Counter(
            "opspec_llm_prompt_tokens", "Prompt tokens processed.", registry=self.registry
        )
        self.completion_tokens = Counter(
            "opspec_llm_completion_tokens", "Completion tokens generated.", registry=self.registry
        )


class Generator:
    """Completions from a loaded model; one generation at a time."""

    def __init__(self, model_dir: str, device: str, threads: int | None) -> None:
        from providers.llm.loading import load_causal_lm

        self.lm = load_causal_lm(model_dir, device=device, threads=threads)
        self.lock = threading.Lock()

    def complete(self, prompt: str, max_tokens: int, temperature: float) -> dict[str, Any]:
        import torch

        tok = self.lm.tokenizer
        encoded = tok(prompt, return_tensors="pt")
        input_ids = encoded["input_ids"].to(self.lm.device)
        attention = encoded["attention_mask"].to(self.lm.device)
        pad = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id
        sampling: dict[str, Any] = {"do_sample": False}
        if temperature > 0:
            sampling = {"do_sample": True, "temperature": temperature, "top_k": 0}
        with self.lock, torch.inference_mode():
            out = self.lm.model.generate(
                input_ids=input_ids,
                attention_mask=attention,
                max_new_tokens=max_tokens,
                pad_token_id=pad,
                **sampling,
            )
        new = out[0, input_ids.shape[1] :].cpu()
        eos = self.lm.model.generation_config.eos_token_id
        eos_ids = set(eos if isinstance(eos, list) else [] if eos is None else [eos])
        stopped = bool(len(new)) and int(new[-1]) in eos_ids
        return {
            "text": tok.decode(new, skip_special_tokens=True),
            "prompt_tokens": int(input_ids.shape[1]),
            "completion_tokens": len(new),
            "finish_reason": "stop" if stopped or len(new) < max_tokens else "length",
        }


def parse_request(body: bytes) -> tuple[str, int, float]:
    try:
        data = json.loads(body or b"{}")
    except ValueError as exc:
        raise RequestError(f"body is not JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise RequestError("body must be a JSON object")
    prompt = data.get("prompt", "")
    if isinstance(prompt, list) and len(prompt) == 1:
        prompt = prompt[0]
    if not isinstance(prompt, str):
        raise RequestError("prompt must be a string")
    max_tokens = data.get("max_tokens", 16)
    if isinstance(max_tokens, bool) or not isinstance(max_tokens, int):
        raise RequestError("max_tokens must be an integer")
    if not 1 <= max_tokens <= MAX_TOKENS_LIMIT:
        raise RequestError(f"max_tokens must be between 1 and {MAX_TOKENS_LIMIT}")
    temperature = data.get("temperature", 1.0)
    if isinstance(temperature, bool) or not isinstance(temperature, int | float):
        raise RequestError("temperature must be a number")
    if not 0 <= temperature <= 2:
        raise RequestError("temperature must be between 0 and 2")
    if data.get("n", 1) != 1:
        raise RequestError("only n=1 is supported")
    return prompt, max_tokens, float(temperature)


class CompletionServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], generator: Generator, model_name: str) -> None:
        super().__init__(address, _Handler)
        self.generator = generator
        self.model_name = model_name
        self.metrics = Metrics()


class _Handler(BaseHTTPRequestHandler):
    server: CompletionServer
    protocol_version = "HTTP/1.1"

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, value: Any) -> None:
        self._send(status, json.dumps(value).encode(), "application/json")

    def do_GET(self) -> None:
        if self.path == "/health":
            self._json(200, {"status": "ok", "model": self.server.model_name})
        elif self.path == "/metrics":
            body = generate_latest(self.server.metrics.registry)
            self._send(200, body, CONTENT_TYPE_LATEST)
        else:
            self._json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})

    def do_POST(self) -> None:
        if self.path != "/v1/completions":
            self._json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
            return
        metrics = self.server.metrics
        started = time.perf_counter()
        status, answer = self._complete()
        metrics.latency.labels("/v1/completions").observe(time.perf_counter() - started)
        metrics.requests.labels("/v1/completions", str(status)).inc()
        self._json(status, answer)

    def _complete(self) -> tuple[int, dict[str, Any]]:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            prompt, max_tokens, temperature = parse_request(body)
        except RequestError as exc:
            return 400, {"error": {"message": str(exc), "type": "invalid_request_error"}}
        try:
            result = self.server.generator.complete(prompt, max_tokens, temperature)
        except Exception as exc:  # the server answers 500 and keeps serving
            self.log_error("generation failed: %r", exc)
            return 500, {"error": {"message": str(exc), "type": "server_error"}}
        metrics = self.server.metrics
        metrics.prompt_tokens.inc(result["prompt_tokens"])
        metrics.completion_tokens.inc(result["completion_tokens"])
        usage = {
            "prompt_tokens": result["prompt_tokens"],
            "completion_tokens": result["completion_tokens"],
            "total_tokens": result["prompt_tokens"] + result["completion_tokens"],
        }
        choice = {
            "text": result["text"],
            "index": 0,
            "logprobs": None,
            "finish_reason": result["finish_reason"],
        }
        return HTTPStatus.OK, {
            "id": f"cmpl-{uuid.uuid4().hex}",
            "object": "text_completion",
            "created": int(time.time()),
            "model": self.server.model_name,
            "choices": [choice],
            "usage": usage,
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="providers.infra.jobs.server")
    parser.add_argument("--model", required=True, help="model artifact folder")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    parser.add_argument("--name", default=None, help="model name reported in answers")
    args = parser.parse_args(argv)
    print(f"loading {args.model} on {args.device}", flush=True)
    generator = Generator(args.model, args.device, args.threads)
    server = CompletionServer((args.host, args.port), generator, args.name or args.model)
    print(f"serving on http://{args.host}:{args.port}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
