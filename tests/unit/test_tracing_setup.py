"""Tracing's configuration from the standard OTEL_* variables, and the accounting of dropped spans."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Sequence

import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from entrypoints.config import ConfigurationError
from entrypoints.telemetry.tracing import configure_tracing, counted_batches, service_resource


class StuckCollector(SpanExporter):
    """An exporter that hangs until released, then answers `result`."""

    def __init__(self, result: SpanExportResult = SpanExportResult.SUCCESS) -> None:
        self.release = threading.Event()
        self.result = result

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        self.release.wait(10)
        return self.result


def test_a_service_is_named_by_its_default_unless_the_environment_names_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OTEL_SERVICE_NAME", raising=False)
    monkeypatch.delenv("OTEL_RESOURCE_ATTRIBUTES", raising=False)
    assert service_resource("media-gateway-worker").attributes["service.name"] == "media-gateway-worker"
    monkeypatch.setenv("OTEL_RESOURCE_ATTRIBUTES", "deployment.environment.name=staging,service.name=edge")
    resource = service_resource("media-gateway")
    assert resource.attributes["service.name"] == "edge"
    assert resource.attributes["deployment.environment.name"] == "staging"
    monkeypatch.setenv("OTEL_SERVICE_NAME", "gateway-eu")
    assert service_resource("media-gateway").attributes["service.name"] == "gateway-eu"


@pytest.mark.parametrize(
    "env",
    [
        {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4317", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"},
        {
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://c:4318/v1/traces",
            "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "http/json",
        },
        {"OTEL_TRACES_EXPORTER": "zipkin"},
    ],
)
def test_an_exporter_set_up_we_cannot_honour_is_refused_by_name(env: dict[str, str]) -> None:
    with pytest.raises(ConfigurationError, match="OTEL_"):
        configure_tracing("media-gateway", env=env)


def test_turned_off_by_the_sdk_switch_nothing_is_set_up() -> None:
    assert not configure_tracing("media-gateway", env={"OTEL_SDK_DISABLED": "true"}).enabled


def test_spans_the_queue_cannot_hold_are_dropped_and_counted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_BSP_MAX_QUEUE_SIZE", "2")
    monkeypatch.setenv("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "1")
    dropped: Counter[str] = Counter()
    collector = StuckCollector()
    provider = TracerProvider(shutdown_on_exit=False)
    provider.add_span_processor(counted_batches(collector, lambda count, reason: dropped.update({reason: count})))
    tracer = provider.get_tracer("test")
    for _ in range(20):
        with tracer.start_as_current_span("request"):
            pass
    collector.release.set()
    provider.shutdown()
    # One span may be with the stuck exporter and two in the queue; the rest were dropped.
    assert dropped["queue_full"] >= 17


def test_spans_of_a_failed_export_are_counted_as_dropped() -> None:
    dropped: Counter[str] = Counter()
    collector = StuckCollector(SpanExportResult.FAILURE)
    collector.release.set()
    provider = TracerProvider(shutdown_on_exit=False)
    provider.add_span_processor(counted_batches(collector, lambda count, reason: dropped.update({reason: count})))
    for _ in range(3):
        with provider.get_tracer("test").start_as_current_span("request"):
            pass
    provider.shutdown()
    assert dropped == Counter({"export_failed": 3})
