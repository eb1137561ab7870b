"""Work taken from a queue as an OpenTelemetry CONSUMER span that continues its producers' traces.

Parent or link: OpenTelemetry's messaging conventions make a span that processes a batch a new
trace with a link to each message's producer, because a span has one parent and a batch can hold
many traces. When every traced message of a batch comes from one trace (the common case here:
a worker that keeps up archives each request's change on its own), we make the processing span
that producer's child instead, so the request and the worker's database write are one trace in
Jaeger rather than two joined by a link most views only show as a reference. A batch that mixes
traces gets the links (capped at the SDK's limit, with the count as an attribute); an untraced
one a root span.

The span is opened in a fresh context that holds only its parent: the caller may have turned
instrumentation off (the worker does around its polls, so that an empty poll every second is
not a root span with a Redis call in it), and what runs inside the span is traced again."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from opentelemetry import context, trace
from opentelemetry.context import Context
from opentelemetry.trace import Link, NonRecordingSpan, SpanKind
from opentelemetry.util.types import AttributeValue

from adapters.shared.trace_carrier import continuation

_tracer = trace.get_tracer(__name__)


class OpenTelemetryWorkTracing:
    def __init__(self, *, system: str, destination: str, consumer_group: str | None = None) -> None:
        """``system`` and ``destination`` name the queue (``redis``, the stream's key) for the
        span's messaging attributes; the span is named ``<name> <destination>``."""
        self._destination = destination
        self._attributes: dict[str, AttributeValue] = {
            "messaging.system": system,
            "messaging.destination.name": destination,
            "messaging.operation.type": "process",
        }
        if consumer_group:
            self._attributes["messaging.consumer.group.name"] = consumer_group

    @contextmanager
    def continuing(self, name: str, carriers: Sequence[Mapping[str, str]]) -> Iterator[None]:
        plan = continuation(carriers)
        attributes = {**self._attributes, "messaging.operation.name": name}
        if len(carriers) > 1:  # the conventions leave it off a single message
            attributes["messaging.batch.message_count"] = len(carriers)
        if plan.producers:
            attributes["media_gateway.producer_span_count"] = plan.producers
        # Built from an empty context, not the current one: no suppression key comes along.
        parent = Context()
        if plan.parent is not None:
            parent = trace.set_span_in_context(NonRecordingSpan(plan.parent), parent)
        token = context.attach(parent)
        try:
            with _tracer.start_as_current_span(
                f"{name} {self._destination}",
                kind=SpanKind.CONSUMER,
                links=[Link(span) for span in plan.links],
                attributes=attributes,
            ):
                yield
        finally:
            context.detach(token)
