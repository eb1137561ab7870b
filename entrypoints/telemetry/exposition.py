"""What one scrape of ``GET /metrics`` answers: this process's metrics (or, in multiprocess mode,
every process's, added up from ``PROMETHEUS_MULTIPROC_DIR``), and the archive lag and the circuit
breakers' states, read from Redis for this scrape only, so no process holds a copy that could be
stale or counted twice (the mail queue's backlog likewise, from PostgreSQL)."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence

from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import choose_encoder
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from application.identity.mail_backlog_ports import MailBacklog
from application.ingestion.stream_ports import IngestionBacklog
from application.playback.progress_journal_ports import JournalBacklog
from domain.operations.breakers import BreakerState, BreakerView
from entrypoints.telemetry.ingestion_metrics import ingestion_backlog_metrics
from entrypoints.telemetry.metrics import (
    ARCHIVE_OLDEST_PENDING_AGE,
    ARCHIVE_PENDING_CHANGES,
    BREAKER_FAILURE_RATE,
    BREAKER_SLOW_CALL_RATE,
    BREAKER_STATE,
    MAIL_QUEUE_OLDEST_WAITING_AGE,
    MAIL_QUEUE_WAITING,
)


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


def mail_queue_metrics(backlog: MailBacklog | None) -> list[Metric]:
    """Nothing when PostgreSQL did not answer, as for the archive lag."""
    if backlog is None:
        return []
    waiting = GaugeMetricFamily(
        MAIL_QUEUE_WAITING, "Mail queued and neither sent nor given up yet (due now or waiting for a retry)."
    )
    waiting.add_metric([], backlog.waiting)
    age = GaugeMetricFamily(
        MAIL_QUEUE_OLDEST_WAITING_AGE,
        "How long the oldest mail not sent yet has waited since it was queued (0 when none).",
    )
    age.add_metric([], backlog.oldest_age_seconds)
    return [waiting, age]


def breaker_metrics(views: Sequence[BreakerView]) -> list[Metric]:
    """One series per breaker and state, 1 for the state it is in (the usual shape of an enum in
    Prometheus: ``mg_breaker_state{state="open"} == 1``), and the rates of its window."""
    if not views:
        return []
    state = GaugeMetricFamily(
        BREAKER_STATE,
        "Circuit breaker state: 1 for the state each breaker is in (closed, open, half_open, forced_open, "
        "forced_closed), 0 for the others.",
        labels=["breaker", "state"],
    )
    failure_rate = GaugeMetricFamily(
        BREAKER_FAILURE_RATE, "Failed share of the calls in a breaker's window (0 when none).", labels=["breaker"]
    )
    slow_rate = GaugeMetricFamily(
        BREAKER_SLOW_CALL_RATE, "Slow share of the calls in a breaker's window (0 when none).", labels=["breaker"]
    )
    for view in views:
        for each in BreakerState:
            state.add_metric([view.name, each.value], 1.0 if view.state is each else 0.0)
        failure_rate.add_metric([view.name], view.failure_rate)
        slow_rate.add_metric([view.name], view.slow_call_rate)
    return [state, failure_rate, slow_rate]


class _Scrape:
    def __init__(self, recorded: Collector, read_now: list[Metric]) -> None:
        self._recorded, self._read_now = recorded, read_now

    def collect(self) -> Iterator[Metric]:
        yield from self._recorded.collect()
        yield from self._read_now


def exposition(
    backlog: JournalBacklog | None,
    accept: str,
    breakers: Sequence[BreakerView] = (),
    mail: MailBacklog | None = None,
    ingestion: IngestionBacklog | None = None,
) -> tuple[bytes, str]:
    """The scrape's body and content type: Prometheus text, or OpenMetrics when ``accept`` asks."""
    encoder, content_type = choose_encoder(accept)
    read_now = archive_lag_metrics(backlog) + breaker_metrics(breakers) + mail_queue_metrics(mail)
    read_now += ingestion_backlog_metrics(ingestion)
    return encoder(_Scrape(recorded_metrics(), read_now)), content_type
