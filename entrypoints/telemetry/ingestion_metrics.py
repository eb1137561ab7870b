"""Webhook ingestion's processing metrics: what the worker's ProcessIngestedChanges tells them
(``application.ingestion.processing_ports.ProcessingOutcomes``), and the stream's backlog, read
from Redis at each scrape (``exposition``) like the archive lag, so no process holds a copy.

``platform`` is a registered platform's name (a small set the administrators make). Counted in
the worker: served only in multiprocess mode, like the mail deliveries."""

from __future__ import annotations

from datetime import datetime

from prometheus_client import Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric

from application.catalog.apply_catalog_change import ChangeOutcome
from application.ingestion.ingested_change import IngestedChange
from application.ingestion.stream_ports import IngestionBacklog

INGESTION_PROCESSED = Counter(
    "mg_ingestion_processed_total",
    "Stream entries the worker settled by applying them, by platform and outcome: applied, stale (the title "
    "already had a newer change) or already_applied (a redelivery).",
    ["platform", "outcome"],
)
INGESTION_FAILED = Counter(
    "mg_ingestion_failed_total",
    "Attempts at applying a stream entry that failed, by platform and class: transient (retried, or set "
    "aside once attempts ran out) or permanent (set aside at once).",
    ["platform", "class"],
)
INGESTION_RETRIED = Counter(
    "mg_ingestion_retried_total", "Stream entries scheduled for another attempt, by platform.", ["platform"]
)
INGESTION_DEAD_LETTERED = Counter(
    "mg_ingestion_dead_lettered_total", "Stream entries set aside as dead letters, by platform.", ["platform"]
)
INGESTION_LATENCY = Histogram(
    "mg_ingestion_receipt_to_applied_seconds",
    "From a delivery's acceptance to its change being applied (or found stale or applied before).",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600),
)
INGESTION_WAITING = "mg_ingestion_waiting_entries"
INGESTION_RETRYING = "mg_ingestion_retrying_entries"
INGESTION_OLDEST_AGE = "mg_ingestion_oldest_waiting_age_seconds"
INGESTION_DEAD_LETTERS = "mg_ingestion_dead_letters"


class PrometheusIngestionOutcomes:
    def applied(self, entry: IngestedChange, outcome: ChangeOutcome, at: datetime) -> None:
        INGESTION_PROCESSED.labels(platform=entry.platform, outcome=outcome.value).inc()
        INGESTION_LATENCY.observe(max((at - entry.received_at).total_seconds(), 0.0))

    def failed(self, entry: IngestedChange, failure_class: str) -> None:
        INGESTION_FAILED.labels(platform=entry.platform, **{"class": failure_class}).inc()

    def retried(self, entry: IngestedChange) -> None:
        INGESTION_RETRIED.labels(platform=entry.platform).inc()

    def dead_lettered(self, entry: IngestedChange, error: str) -> None:
        INGESTION_DEAD_LETTERED.labels(platform=entry.platform).inc()


def ingestion_backlog_metrics(backlog: IngestionBacklog | None) -> list[Metric]:
    """Nothing when Redis did not answer: an absent series, not a zero that looks healthy."""
    if backlog is None:
        return []
    values = (
        (INGESTION_WAITING, "Webhook deliveries accepted and not applied or set aside yet.", backlog.waiting),
        (INGESTION_RETRYING, "Webhook deliveries waiting for another attempt.", backlog.retrying),
        (
            INGESTION_OLDEST_AGE,
            "How long the oldest delivery waiting in the stream has waited (0 when none).",
            backlog.oldest_age_seconds,
        ),
        (
            INGESTION_DEAD_LETTERS,
            "Webhook deliveries set aside as dead letters (the dead-letter depth).",
            backlog.dead_letters,
        ),
    )
    metrics: list[Metric] = []
    for name, documentation, value in values:
        gauge = GaugeMetricFamily(name, documentation)
        gauge.add_metric([], value)
        metrics.append(gauge)
    return metrics
