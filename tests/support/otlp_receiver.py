"""A real OTLP/HTTP trace receiver on loopback, as a collector or Jaeger would be: it decodes each
`POST /v1/traces` (protobuf, `opentelemetry-proto`) and keeps the spans. Also the two ways a
collector fails: nothing listening (down) and a listener that never answers (blackholed)."""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from attrs import frozen
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue

KIND_NAMES = {0: "unspecified", 1: "internal", 2: "server", 3: "client", 4: "producer", 5: "consumer"}


def _value(value: AnyValue) -> Any:
    kind = value.WhichOneof("value")
    return getattr(value, kind) if kind else None


@frozen
class ReceivedSpan:
    service: str
    name: str
    kind: str
    trace_id: str
    span_id: str
    parent_span_id: str  # "" for a root span
    attributes: dict[str, Any]
    links: tuple[tuple[str, str], ...]  # (trace id, span id) of each link


class OtlpReceiver:
    def __init__(self, *, keep: bool = True) -> None:
        """`keep=False` only counts what arrives (a benchmark's sink), decoding it all the same."""
        self.spans: list[ReceivedSpan] = []
        self.requests = 0
        self.received = 0
        self._keep = keep
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                if self.path != "/v1/traces":
                    self.send_error(404)
                    return
                receiver._take(ExportTraceServiceRequest.FromString(body))
                reply = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def _take(self, request: ExportTraceServiceRequest) -> None:
        if not self._keep:  # a sink: parsing the export is the work a collector does; no more
            count = sum(len(scope.spans) for resource in request.resource_spans for scope in resource.scope_spans)
            with self._lock:
                self.requests += 1
                self.received += count
            return
        received = []
        for resource_spans in request.resource_spans:
            resource = {a.key: _value(a.value) for a in resource_spans.resource.attributes}
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    received.append(
                        ReceivedSpan(
                            service=str(resource.get("service.name", "")),
                            name=span.name,
                            kind=KIND_NAMES.get(span.kind, str(span.kind)),
                            trace_id=span.trace_id.hex(),
                            span_id=span.span_id.hex(),
                            parent_span_id=span.parent_span_id.hex(),
                            attributes={a.key: _value(a.value) for a in span.attributes},
                            links=tuple((link.trace_id.hex(), link.span_id.hex()) for link in span.links),
                        )
                    )
        with self._lock:
            self.requests += 1
            self.received += len(received)
            self.spans.extend(received)

    def wait_for(self, found: Callable[[list[ReceivedSpan]], bool], timeout: float = 20.0) -> list[ReceivedSpan]:
        """The spans received once `found` holds for them; fails with what came if it never does."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                spans = list(self.spans)
            if found(spans):
                return spans
            if time.monotonic() > deadline:
                names = sorted({f"{s.service}: {s.name}" for s in spans})
                raise AssertionError(f"the spans expected did not arrive within {timeout} s; got {names}")
            time.sleep(0.1)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def otlp_receiver(*, keep: bool = True) -> Iterator[OtlpReceiver]:
    receiver = OtlpReceiver(keep=keep)
    receiver.start()
    try:
        yield receiver
    finally:
        receiver.stop()


@contextmanager
def blackholed_collector() -> Iterator[str]:
    """An endpoint that accepts connections and never answers: exports hang until they time out."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(64)  # connections queue in the backlog; nobody ever accepts or reads them
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


def down_collector() -> str:
    """An endpoint with nothing listening: every export is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


if __name__ == "__main__":  # a sink in its own process: `python -m tests.support.otlp_receiver`
    import signal
    import sys

    with otlp_receiver(keep=False) as sink:
        print(sink.endpoint, flush=True)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            signal.pause()
        finally:
            print(f"{sink.received} spans in {sink.requests} exports", flush=True)
