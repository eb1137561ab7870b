"""Tracing for one process, configured only by OpenTelemetry's standard variables.

`OTEL_SDK_DISABLED=true` turns everything off (no provider, no instrumentation: the API's no-op
paths). Otherwise spans are always made, so logs and problem responses carry trace ids, but they
are exported only when an OTLP endpoint is configured (`OTEL_EXPORTER_OTLP_ENDPOINT` or
`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, protocol `http/protobuf`); with none, nothing is exported
and nothing is said about it. Export runs in the batch processor's thread with a bounded queue:
a slow or unreachable collector costs dropped spans (counted), never a slower request.

The sampler (`OTEL_TRACES_SAMPLER`/`_ARG`, default `parentbased_always_on`), resource
(`OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`), exporter headers, timeout and compression
and the `OTEL_BSP_*` queue settings are read by the SDK itself."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

from entrypoints.config import ConfigurationError

log = logging.getLogger(__name__)

# (number of spans, reason): what the process's metrics count as dropped spans.
DropCounter = Callable[[int, str], None]
SHUTDOWN_SECONDS = 3.0  # at exit, how long a collector gets for the last spans


def _enabled(env: Mapping[str, str], name: str) -> bool:
    return env.get(name, "").strip().lower() == "true"


def _protocol(env: Mapping[str, str]) -> str:
    return (
        env.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") or env.get("OTEL_EXPORTER_OTLP_PROTOCOL") or "http/protobuf"
    ).strip()


def _exports(env: Mapping[str, str]) -> bool:
    """Whether spans leave the process: an OTLP endpoint is set and export is not turned off."""
    exporter = (env.get("OTEL_TRACES_EXPORTER") or "otlp").strip().lower()
    if exporter not in ("otlp", "none"):
        raise ConfigurationError(f"OTEL_TRACES_EXPORTER={exporter!r} is not supported; use 'otlp' or 'none'")
    endpoint = env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or env.get("OTEL_EXPORTER_OTLP_ENDPOINT")
    if exporter == "none" or not endpoint:
        return False
    if _protocol(env) != "http/protobuf":
        raise ConfigurationError(
            f"OTEL_EXPORTER_OTLP_PROTOCOL={_protocol(env)!r} is not supported; use 'http/protobuf' "
            "(OTLP over HTTP, port 4318 on a collector or Jaeger)"
        )
    return True


def service_resource(default_name: str) -> Resource:
    """The SDK's resource from the environment, named `default_name` unless the environment names it."""
    try:
        release = version("media-gateway")
    except PackageNotFoundError:  # pragma: no cover - running from a tree that was never installed
        release = "unknown"
    ours = Resource({"service.version": release, "service.instance.id": f"{socket.gethostname()}-{os.getpid()}"})
    resource = ours.merge(Resource.create())
    if str(resource.attributes.get(SERVICE_NAME, "")).startswith("unknown_service"):
        resource = resource.merge(Resource({SERVICE_NAME: default_name}))
    return resource


class CountingExporter(SpanExporter):
    """The OTLP exporter, with the spans of a failed export counted as dropped."""

    def __init__(self, exporter: SpanExporter, count_dropped: DropCounter) -> None:
        self._exporter = exporter
        self._count_dropped = count_dropped

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        try:
            result = self._exporter.export(spans)
        except Exception:
            result = SpanExportResult.FAILURE
        if result is not SpanExportResult.SUCCESS:
            self._count_dropped(len(spans), "export_failed")
        return result

    def shutdown(self) -> None:
        self._exporter.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self._exporter.force_flush(timeout_millis)


class _QueueDrops:
    """The batch processor's own accounting of what it drops (a full queue, after shutdown),
    turned into our counter. Plugged in where the SDK keeps its internal processor metrics."""

    def __init__(self, count_dropped: DropCounter) -> None:
        self._count_dropped = count_dropped

    def register_queue_size(self, get_queue_size: Callable[[], int]) -> None:
        pass

    def drop_items(self, count: int, error_type: str = "queue_full") -> None:
        self._count_dropped(count, error_type)

    def finish_items(self, count: int) -> None:
        pass


def counted_batches(exporter: SpanExporter, count_dropped: DropCounter) -> BatchSpanProcessor:
    """The SDK's batch processor (bounded queue, `OTEL_BSP_*`), counting every span it drops."""
    processor = BatchSpanProcessor(CountingExporter(exporter, count_dropped))
    # The SDK reports what its queue drops only to OpenTelemetry metrics, through this object
    # (private; the version is pinned and tests/unit/test_tracing_setup.py fails if it moves).
    processor._batch_processor._metrics = _QueueDrops(count_dropped)
    return processor


class OncePerMinute(logging.Filter):
    """Lets a logger's record through once a minute: the SDK warns for every span it drops and
    every batch that fails, which under load with a collector down would flood the log."""

    def __init__(self, interval_seconds: float = 60.0) -> None:
        super().__init__()
        self._interval = interval_seconds
        self._last = -interval_seconds

    def filter(self, record: logging.LogRecord) -> bool:
        now = time.monotonic()
        if now - self._last < self._interval:
            return False
        self._last = now
        return True


_NOISY_LOGGERS = (
    "opentelemetry.sdk._shared_internal",
    "opentelemetry.exporter.otlp.proto.http.trace_exporter",
    "opentelemetry.exporter.otlp.proto.http",
)


class Tracing:
    """What `configure_tracing` set up, to flush and stop at exit."""

    def __init__(self, provider: TracerProvider | None) -> None:
        self.provider = provider

    @property
    def enabled(self) -> bool:
        return self.provider is not None

    def shutdown(self, timeout_seconds: float = SHUTDOWN_SECONDS) -> None:
        """Export what is queued, waiting at most `timeout_seconds` for the collector: the SDK's
        own shutdown waits up to 30 s for one that does not answer, so it runs in a daemon thread
        the process does not wait for beyond the bound."""
        if self.provider is None:
            return
        stopping = threading.Thread(target=self.provider.shutdown, name="tracing-shutdown", daemon=True)
        stopping.start()
        stopping.join(timeout_seconds)


def configure_tracing(
    default_service_name: str,
    *,
    count_dropped: DropCounter = lambda count, reason: None,
    env: Mapping[str, str] | None = None,
) -> Tracing:
    """Set this process's tracer provider from the environment and instrument the clients
    (PostgreSQL through SQLAlchemy, Redis, outbound HTTP through httpx). Call once, at start-up,
    before any engine or client is made."""
    env = os.environ if env is None else env
    if _enabled(env, "OTEL_SDK_DISABLED"):
        return Tracing(None)
    exports = _exports(env)
    # Shut down by us, with a bound: the SDK's own exit hook waits up to 30 s for a dead collector.
    provider = TracerProvider(resource=service_resource(default_service_name), shutdown_on_exit=False)
    if exports:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(counted_batches(OTLPSpanExporter(), count_dropped))
        for name in _NOISY_LOGGERS:
            logging.getLogger(name).addFilter(OncePerMinute())
    trace.set_tracer_provider(provider)
    instrument_clients(provider)
    return Tracing(provider)


def instrument_clients(provider: Any) -> None:
    """One instrumentation per client library. PostgreSQL is traced through SQLAlchemy only (not
    asyncpg as well, or every query would appear twice); the SQLAlchemy instrumentation records
    nothing on SQLAlchemy 2.1, which is why pyproject pins 2.0."""
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    SQLAlchemyInstrumentor().instrument(tracer_provider=provider, enable_commenter=False)
    RedisInstrumentor().instrument(tracer_provider=provider)
    HTTPXClientInstrumentor().instrument(tracer_provider=provider)
