"""The OpenTelemetry work tracing's spans, as the SDK records them: the child of a producer when a
batch continues one trace, linked to each producer when it mixes several, and traced inside even
where the caller suppressed instrumentation."""

from __future__ import annotations

import pytest
from opentelemetry import trace
from opentelemetry.instrumentation.utils import is_instrumentation_enabled, suppress_instrumentation
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind, StatusCode
from redis.asyncio import Redis

from adapters.shared.opentelemetry_work_tracing import OpenTelemetryWorkTracing
from adapters.shared.trace_carrier import LINK_LIMIT
from tests.support.instrumented import redis_instrumented  # noqa: F401  (a fixture)
from tests.support.producer_spans import request_span, traceparent
from tests.support.recorded_spans import named

STREAM = "mg:test:stream"
NAME = f"archive {STREAM}"


@pytest.fixture
def tracing() -> OpenTelemetryWorkTracing:
    return OpenTelemetryWorkTracing(system="redis", destination=STREAM, consumer_group="archivers")


def carrier(span: trace.SpanContext) -> dict[str, str]:
    return {"traceparent": traceparent(span)}


def test_a_batch_from_one_trace_is_a_child_of_its_producer(
    tracing: OpenTelemetryWorkTracing, recorded_spans: list[ReadableSpan]
) -> None:
    producer = request_span()
    sibling = request_span(producer.trace_id)
    with tracing.continuing("archive", [carrier(producer), {}, carrier(sibling), carrier(producer)]):
        pass

    (span,) = named(recorded_spans, NAME)
    assert span.kind is SpanKind.CONSUMER
    assert span.context.trace_id == producer.trace_id
    assert span.parent is not None and span.parent.span_id == producer.span_id and span.parent.is_remote
    assert [link.context.span_id for link in span.links] == [sibling.span_id]
    assert dict(span.attributes or {}) == {
        "messaging.system": "redis",
        "messaging.destination.name": STREAM,
        "messaging.consumer.group.name": "archivers",
        "messaging.operation.type": "process",
        "messaging.operation.name": "archive",
        "messaging.batch.message_count": 4,
        "media_gateway.producer_span_count": 2,
    }


def test_a_batch_mixing_traces_starts_a_trace_linked_to_each_producer(
    tracing: OpenTelemetryWorkTracing, recorded_spans: list[ReadableSpan]
) -> None:
    producers = [request_span() for _ in range(LINK_LIMIT + 3)]
    with tracing.continuing("archive", [carrier(p) for p in producers]):
        pass

    (span,) = named(recorded_spans, NAME)
    assert span.parent is None
    assert span.context.trace_id not in {p.trace_id for p in producers}
    assert [(link.context.trace_id, link.context.span_id) for link in span.links] == [
        (p.trace_id, p.span_id) for p in producers[:LINK_LIMIT]
    ]
    assert span.attributes is not None and span.attributes["media_gateway.producer_span_count"] == LINK_LIMIT + 3


def test_an_untraced_message_is_processed_in_a_root_span(
    tracing: OpenTelemetryWorkTracing, recorded_spans: list[ReadableSpan]
) -> None:
    outer = trace.get_tracer(__name__).start_as_current_span("the worker's loop")
    with outer, tracing.continuing("archive", [{"traceparent": "00-garbage-01"}]):
        pass

    (span,) = named(recorded_spans, NAME)
    assert span.parent is None and span.links == ()  # not the loop's child: the work is its own trace
    assert span.attributes is not None
    assert "messaging.batch.message_count" not in span.attributes  # one message is not a batch
    assert "media_gateway.producer_span_count" not in span.attributes


def test_a_failure_inside_marks_the_span_and_the_callers_context_comes_back(
    tracing: OpenTelemetryWorkTracing, recorded_spans: list[ReadableSpan]
) -> None:
    with suppress_instrumentation():
        with pytest.raises(ConnectionError), tracing.continuing("archive", [carrier(request_span())]):
            assert is_instrumentation_enabled()
            raise ConnectionError("connection refused")
        assert not is_instrumentation_enabled()

    (span,) = named(recorded_spans, NAME)
    assert span.status.status_code is StatusCode.ERROR
    assert [event.name for event in span.events] == ["exception"]


@pytest.mark.usefixtures("redis_instrumented")
async def test_calls_inside_are_traced_under_it_where_the_caller_suppressed_instrumentation(
    tracing: OpenTelemetryWorkTracing, recorded_spans: list[ReadableSpan], redis: Redis
) -> None:
    producer = request_span()
    with suppress_instrumentation():
        await redis.get("mg:test:polled")  # what the worker's poll is: not traced
        with tracing.continuing("archive", [carrier(producer)]):
            await redis.get("mg:test:inside")
        await redis.get("mg:test:after")

    (span,) = named(recorded_spans, NAME)
    (inside,) = named(recorded_spans, "GET")
    assert inside.parent is not None and inside.parent.span_id == span.context.span_id
    assert inside.context.trace_id == producer.trace_id
