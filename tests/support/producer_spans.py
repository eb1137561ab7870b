"""Spans of made-up requests, for tests of what crosses the journal: a valid span context made
current without any tracer provider (what the SDK would hand a request's code)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager

from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags


def request_span(trace_id: int | None = None) -> SpanContext:
    """A sampled span's context: of a new trace, or of another span in ``trace_id``'s."""
    return SpanContext(
        trace_id=trace_id if trace_id is not None else random.getrandbits(128) | 1,
        span_id=random.getrandbits(64) | 1,
        is_remote=False,
        trace_flags=TraceFlags(TraceFlags.SAMPLED),
    )


@contextmanager
def inside(span: SpanContext) -> Iterator[None]:
    with trace.use_span(NonRecordingSpan(span)):
        yield


def traceparent(span: SpanContext) -> str:
    return f"00-{span.trace_id:032x}-{span.span_id:016x}-{int(span.trace_flags):02x}"
