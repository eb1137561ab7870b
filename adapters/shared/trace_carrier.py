"""W3C Trace Context carried beside a queued message (the progress journal; webhook ingestion's
stream next): what a producer writes with its message, and what a consumer continues from it.

Only ``traceparent`` and ``tracestate`` travel, always in W3C form whatever propagators the
process configured: a message's fields are a stored wire format that outlives the process that
wrote them, not headers that follow a setting. Baggage does not travel (whatever a caller put
there would be kept in Redis for as long as the message is)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from attrs import frozen
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import SpanContext
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

TRACEPARENT, TRACESTATE = "traceparent", "tracestate"
# The SDK's default span link limit (OTEL_SPAN_LINK_COUNT_LIMIT): links past it would be dropped.
LINK_LIMIT = 128
_W3C = TraceContextTextMapPropagator()


def current_trace_context() -> tuple[str, str]:
    """The current span's ``traceparent`` and ``tracestate``; two empty strings when there is no
    valid span (tracing off, or outside any span). Unsampled spans are carried too, so the
    consumer's sampler can keep the producer's decision."""
    if not trace.get_current_span().get_span_context().is_valid:
        return "", ""
    carrier: dict[str, str] = {}
    _W3C.inject(carrier)
    return carrier.get(TRACEPARENT, ""), carrier.get(TRACESTATE, "")


def trace_carrier(traceparent: str | None, tracestate: str | None) -> dict[str, str]:
    """The carrier for what a message was written with: empty without a ``traceparent``."""
    if not traceparent:
        return {}
    return {TRACEPARENT: traceparent, TRACESTATE: tracestate} if tracestate else {TRACEPARENT: traceparent}


def producer_span(carrier: Mapping[str, str]) -> SpanContext | None:
    """The span that wrote the message, or None when the carrier holds none (or a malformed one:
    an untraced message, never an error)."""
    if TRACEPARENT not in carrier:
        return None
    found = trace.get_current_span(_W3C.extract(carrier, context=Context())).get_span_context()
    return found if found.is_valid else None


@frozen
class Continuation:
    """How processing a batch continues its producers' traces."""

    parent: SpanContext | None  # the producer span the work is a child of, if it continues one trace
    links: tuple[SpanContext, ...]  # the other producer spans, at most LINK_LIMIT
    producers: int  # how many distinct producer spans there were (links past the limit are left out)


def continuation(carriers: Iterable[Mapping[str, str]]) -> Continuation:
    """One trace among the traced messages: a child of the first message's producer (linked to
    the trace's other producer spans, if any). Several traces: no parent, a link to each producer.
    None: no parent, no links."""
    spans: dict[tuple[int, int], SpanContext] = {}
    for carrier in carriers:
        span = producer_span(carrier)
        if span is not None:
            spans.setdefault((span.trace_id, span.span_id), span)
    if not spans:
        return Continuation(None, (), 0)
    found = list(spans.values())
    if len({span.trace_id for span in found}) == 1:
        return Continuation(found[0], tuple(found[1 : LINK_LIMIT + 1]), len(found))
    return Continuation(None, tuple(found[:LINK_LIMIT]), len(found))
