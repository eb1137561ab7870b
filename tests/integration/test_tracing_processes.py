"""Traces from the real processes (`serve --with-worker`) to a real OTLP/HTTP receiver: one trace
from a progress update's HTTP span to the worker's PostgreSQL write, and a collector that is
down or never answers costing the requests nothing."""

from __future__ import annotations

import signal
import time
import urllib.request
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.integration.test_playback_processes import dune_id, progress, sign_in
from tests.integration.test_service_process import call
from tests.support.otlp_receiver import ReceivedSpan, blackholed_collector, down_collector, otlp_receiver

pytestmark = pytest.mark.integration
PROGRESS_ROUTE = "POST /api/v1/playback/progress"


@pytest.fixture
def traced(start: Any) -> Any:
    """`traced(endpoint, **env)`: `serve --with-worker` exporting its spans to `endpoint`."""

    def launch(endpoint: str, **env: str) -> Any:
        return start("--with-worker", OTEL_EXPORTER_OTLP_ENDPOINT=endpoint, OTEL_BSP_SCHEDULE_DELAY="200", **env)

    return launch


def dropped_spans(base: str) -> float:
    with urllib.request.urlopen(f"{base}/metrics", timeout=10) as response:
        families = text_string_to_metric_families(response.read().decode())
        return sum(
            sample.value
            for family in families
            for sample in family.samples
            if sample.name == "mg_trace_spans_dropped_total"
        )


def descendants(spans: list[ReceivedSpan], root: ReceivedSpan) -> list[ReceivedSpan]:
    found, frontier = [], [root.span_id]
    while frontier:
        children = [s for s in spans if s.parent_span_id in frontier and s.trace_id == root.trace_id]
        found += children
        frontier = [s.span_id for s in children]
    return found


def is_database(span: ReceivedSpan) -> bool:
    return "postgresql" in (span.attributes.get("db.system"), span.attributes.get("db.system.name"))


def is_redis(span: ReceivedSpan) -> bool:
    return "redis" in (span.attributes.get("db.system"), span.attributes.get("db.system.name"))


def test_a_progress_update_is_one_trace_from_its_http_span_to_the_workers_database_write(traced: Any) -> None:
    with otlp_receiver() as receiver:
        base, _ = traced(receiver.endpoint)
        token = sign_in(base)
        content_id = dune_id(base)
        status, _ = progress(base, token, content_id, 1200, "tv", 1)
        assert status == 200

        def archived_in_one_trace(spans: list[ReceivedSpan]) -> bool:
            return any(
                s.service == "media-gateway-worker"
                and s.kind == "consumer"
                and any(map(is_database, descendants(spans, s)))
                for s in spans
                if any(r.name == PROGRESS_ROUTE and r.trace_id == s.trace_id for r in spans)
            )

        spans = receiver.wait_for(archived_in_one_trace)

    (request,) = [s for s in spans if s.name == PROGRESS_ROUTE]
    assert request.service == "media-gateway" and request.kind == "server"
    assert request.attributes["http.route"] == "/api/v1/playback/progress"
    assert request.attributes["http.response.status_code"] == 200
    under_request = descendants(spans, request)
    assert any(is_redis(s) for s in under_request), [s.name for s in under_request]

    worker = [s for s in spans if s.service == "media-gateway-worker" and s.trace_id == request.trace_id]
    (archive,) = [s for s in worker if s.kind == "consumer"]  # the rest are its database and Redis calls
    assert archive in under_request  # continued as a child, not only linked: one trace in Jaeger
    writes = [s for s in descendants(spans, archive) if is_database(s)]
    statements = [str(s.attributes.get("db.statement", s.attributes.get("db.query.text", ""))) for s in writes]
    assert any("progress" in statement for statement in statements), statements


@pytest.mark.parametrize("collector", ["down", "blackholed"])
def test_a_collector_that_fails_costs_requests_nothing_and_the_service_still_stops_promptly(
    traced: Any, collector: str
) -> None:
    with blackholed_collector() as blackhole:
        endpoint = down_collector() if collector == "down" else blackhole
        # A tiny queue, so the spans of these few requests overflow it and are dropped (and counted).
        base, process = traced(endpoint, OTEL_BSP_MAX_QUEUE_SIZE="8", OTEL_BSP_MAX_EXPORT_BATCH_SIZE="4")
        slowest = 0.0
        for _ in range(40):
            started = time.monotonic()
            status, page = call(base, "GET", "/api/v1/search?q=dune")
            slowest = max(slowest, time.monotonic() - started)
            assert status == 200 and page["items"]
        # An export on the request path would wait out the exporter's 10 s timeout.
        assert slowest < 2.0, f"slowest request took {slowest:.1f} s"
        assert dropped_spans(base) > 0  # what did not fit in the queue is counted, not hidden

        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        assert time.monotonic() - started < 15
