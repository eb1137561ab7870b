"""What the ingestion worker needs besides the stream and the catalog: a judge of failures (may
trying again help?) and a listener for what happened to each entry (the metrics)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from attrs import frozen

from application.catalog.apply_catalog_change import ChangeOutcome
from application.ingestion.ingested_change import IngestedChange

PERMANENT = "permanent"  # applying it again fails the same way: a dead letter at once
TRANSIENT = "transient"  # the infrastructure's doing: retried with backoff


@frozen
class Failure:
    code: str  # stable: the error's class name, or a data fault's code
    failure_class: str  # PERMANENT or TRANSIENT
    detail: str  # for operators; never a statement parameter


class FailureClassifier(Protocol):
    def classify(self, error: Exception) -> Failure: ...


class ProcessingOutcomes(Protocol):
    def applied(self, entry: IngestedChange, outcome: ChangeOutcome, at: datetime) -> None:
        """Applied, stale or already applied (``at``: when, for the receipt-to-applied latency)."""

    def failed(self, entry: IngestedChange, failure_class: str) -> None:
        """Did not apply this time (it is retried, or set aside)."""

    def retried(self, entry: IngestedChange) -> None: ...

    def dead_lettered(self, entry: IngestedChange, error: str) -> None: ...


class UncountedProcessingOutcomes:
    def applied(self, entry: IngestedChange, outcome: ChangeOutcome, at: datetime) -> None:
        pass

    def failed(self, entry: IngestedChange, failure_class: str) -> None:
        pass

    def retried(self, entry: IngestedChange) -> None:
        pass

    def dead_lettered(self, entry: IngestedChange, error: str) -> None:
        pass
