"""What receiving platforms' deliveries tells the metrics (``application.ingestion.receiving_ports.ReceivingObserver``).
Labels come from small sets: registered platform names, the fixed reasons and levels."""

from __future__ import annotations

from prometheus_client import Counter

WEBHOOKS_RECEIVED = Counter(
    "mg_webhooks_received_total",
    "Platform deliveries with a valid signature, by platform (accepted, duplicate, or refused after).",
    ["platform"],
)
WEBHOOKS_REJECTED = Counter(
    "mg_webhooks_rejected_total",
    "Platform deliveries refused, by platform and reason: missing, malformed, mismatch, stale or future "
    "(the signature: 401), payload (400), too_large (413), busy (429, the stream's backlog).",
    ["platform", "reason"],
)
WEBHOOKS_DUPLICATES = Counter(
    "mg_webhooks_duplicates_total",
    "Platform deliveries answered as duplicates, by platform and level: delivery (same delivery id) "
    "or change (the same change as the title's latest, under a new id).",
    ["platform", "level"],
)


class PrometheusReceivingObserver:
    def received(self, platform: str) -> None:
        WEBHOOKS_RECEIVED.labels(platform=platform).inc()

    def rejected(self, platform: str, reason: str) -> None:
        WEBHOOKS_REJECTED.labels(platform=platform, reason=reason).inc()

    def duplicate(self, platform: str, level: str) -> None:
        WEBHOOKS_DUPLICATES.labels(platform=platform, level=level).inc()
