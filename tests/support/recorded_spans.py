"""Spans finished in this test process, for tests that look at what was traced.

OpenTelemetry's global tracer provider can be set once per process: the first test that asks for
``recorded_spans`` sets one whose processor keeps finished spans only while a test is recording,
so the rest of the suite pays nothing and leaves nothing behind."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor, TracerProvider


class SpanRecorder(SpanProcessor):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._spans: list[ReadableSpan] | None = None

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        pass

    def on_end(self, span: ReadableSpan) -> None:
        with self._lock:
            if self._spans is not None:
                self._spans.append(span)

    def start(self) -> list[ReadableSpan]:
        with self._lock:
            self._spans = []
            return self._spans

    def stop(self) -> None:
        with self._lock:
            self._spans = None


_recorder = SpanRecorder()
_installed = False


def installed_recorder() -> SpanRecorder:
    global _installed
    if not _installed:
        provider = TracerProvider()
        provider.add_span_processor(_recorder)
        trace.set_tracer_provider(provider)
        if trace.get_tracer_provider() is not provider:
            raise RuntimeError("another tracer provider was set in this test process before the recorder")
        _installed = True
    return _recorder


@pytest.fixture
def recorded_spans() -> Iterator[list[ReadableSpan]]:
    """The spans that end during the test, in the order they ended (the global provider's)."""
    recorder = installed_recorder()
    spans = recorder.start()
    try:
        yield spans
    finally:
        recorder.stop()


def named(spans: list[ReadableSpan], name: str) -> list[ReadableSpan]:
    return [span for span in spans if span.name == name]
