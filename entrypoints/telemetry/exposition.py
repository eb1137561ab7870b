"""What one scrape of ``GET /metrics`` answers: this process's metrics (or, in multiprocess mode,
every process's, added up from ``PROMETHEUS_MULTIPROC_DIR``) and the archive lag, read from Redis
for this scrape only, so no process holds a copy that could be stale or counted twice."""

from __future__ import annotations

import os
from collections.abc import Iterator

from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from application.playback.progress_journal_ports import JournalBacklog
from entrypoints.telemetry.metrics import ARCHIVE_OLDEST_PENDING_AGE, ARCHIVE_PENDING_CHANGES


def multiprocess_directory() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def recorded_metrics() -> Collector:
    """The default registry in one process; with a multiprocess directory, a registry made for
    the scrape that reads every process's files (prometheus-client's documented way)."""
    if multiprocess_directory() is None:
        return REGISTRY
    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    return registry


def archive_lag_metrics(backlog: JournalBacklog | None) -> list[Metric]:
    """Nothing when Redis did not answer: an absent series, not a zero that looks healthy."""
    if backlog is None:
        return []
    pending = GaugeMetricFamily(ARCHIVE_PENDING_CHANGES, "Progress changes journalled and not archived yet.")
    pending.add_metric([], backlog.pending)
    age = GaugeMetricFamily(
        ARCHIVE_OLDEST_PENDING_AGE, "How long the oldest change not archived yet has waited (0 when none)."
    )
    age.add_metric([], backlog.oldest_age_seconds)
    return [pending, age]


class _Scrape:
    def __init__(self, recorded: Collector, read_now: list[Metric]) -> None:
        self._recorded, self._read_now = recorded, read_now

    def collect(self) -> Iterator[Metric]:
        yield from self._recorded.collect()
        yield from self._read_now


def exposition(backlog: JournalBacklog | None, accept: str) -> tuple[bytes, str]:
    """The scrape's body and content type: Prometheus text, or OpenMetrics when ``accept`` asks."""
    encoder, content_type = choose_encoder(accept)
    return encoder(_Scrape(recorded_metrics(), archive_lag_metrics(backlog))), content_type
