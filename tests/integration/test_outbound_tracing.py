"""Outbound HTTP from a process set up like `serve` and the worker (`configure_tracing`): each call
gets a CLIENT span and carries the W3C `traceparent` of the span it was made in, so a third
party's logs (an identity provider's, later) join our trace."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.support.otlp_receiver import otlp_receiver

pytestmark = pytest.mark.integration

CALLER = """
import sys, httpx
from opentelemetry import trace
from entrypoints.telemetry.tracing import configure_tracing

tracing = configure_tracing("media-gateway")
with trace.get_tracer("test").start_as_current_span("signing in with a provider") as span:
    httpx.get(sys.argv[1] + "/login/oauth/access_token", timeout=5).raise_for_status()
    print(format(span.get_span_context().trace_id, "032x"))
tracing.shutdown()
"""


@pytest.fixture
def third_party() -> Iterator[tuple[str, list[dict[str, str]]]]:
    seen: list[dict[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append({k.lower(): v for k, v in self.headers.items()})
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


def test_an_outbound_call_is_a_client_span_and_carries_the_trace(third_party: tuple[str, list[dict[str, str]]]) -> None:
    url, seen = third_party
    with otlp_receiver() as receiver:
        env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
        env.update(OTEL_EXPORTER_OTLP_ENDPOINT=receiver.endpoint, OTEL_BSP_SCHEDULE_DELAY="100")
        ran = subprocess.run([sys.executable, "-c", CALLER, url], env=env, capture_output=True, text=True, timeout=60)
        assert ran.returncode == 0, ran.stderr
        trace_id = ran.stdout.strip()
        spans = receiver.wait_for(lambda spans: any(s.kind == "client" for s in spans))

    (call,) = [s for s in spans if s.kind == "client"]
    (parent,) = [s for s in spans if s.name == "signing in with a provider"]
    assert call.trace_id == parent.trace_id == trace_id
    assert call.parent_span_id == parent.span_id
    assert call.name == "GET"
    (request,) = seen
    version, sent_trace, sent_span, _ = request["traceparent"].split("-")
    assert (version, sent_trace, sent_span) == ("00", trace_id, call.span_id)
