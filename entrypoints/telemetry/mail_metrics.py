"""What the worker's mail delivery tells the metrics (``application.identity.mail_delivery_ports.MailOutcomes``)."""

from __future__ import annotations

from application.identity.mail_delivery_ports import MailOutcome
from entrypoints.telemetry.metrics import MAIL_DELIVERIES


class PrometheusMailOutcomes:
    def counted(self, outcome: MailOutcome) -> None:
        MAIL_DELIVERIES.labels(outcome=outcome.value).inc()
