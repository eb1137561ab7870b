"""The worker's loop body for webhook ingestion: apply the stream's next batch to the catalog."""

from __future__ import annotations

from datetime import timedelta

from attrs import field, frozen

from application.catalog.apply_catalog_change import ApplyCatalogChangeCommand
from application.ingestion.change_applier_ports import CatalogChangeApplier
from application.ingestion.ingested_change import Attempt, IngestedChange
from application.ingestion.processing_ports import (
    PERMANENT,
    TRANSIENT,
    FailureClassifier,
    ProcessingOutcomes,
    UncountedProcessingOutcomes,
)
from application.ingestion.stream_ports import IngestionStream
from application.shared.ports import Clock
from application.shared.work_tracing_ports import WorkTracing
from domain.catalog.errors import UnappliableChange

UNREADABLE = "unreadable-entry"


@frozen
class RetryPolicy:
    max_attempts: int = 8  # failed attempts, the last included, before an entry becomes a dead letter
    base_seconds: float = 2.0
    max_seconds: float = 600.0

    def delay(self, attempt: int) -> timedelta:
        """How long to wait after the ``attempt``-th failure (1 for the first)."""
        return timedelta(seconds=min(self.base_seconds * 2 ** (attempt - 1), self.max_seconds))


@frozen
class ProcessIngestedChangesCommand:
    consumer: str  # this worker's name in the consumer group (host-pid)
    wait_seconds: float = 1.0  # how long to wait for an entry when there is none


@frozen
class ProcessIngestedChanges:
    """Promote due retries, read a batch, and settle each entry: applied (or stale, or applied
    before: a redelivery) → acknowledged; a change the catalog can never apply, or an entry that
    cannot be read → a dead letter at once; any other error is classified: transient → tried
    again later with exponential backoff, a dead letter once ``max_attempts`` ran out; permanent
    → a dead letter. One entry never holds back the others.

    An entry is settled only after its change is applied, so a worker that dies mid-batch leaves
    it to be claimed by another; applying is idempotent per event id, so that is harmless.
    Processing a batch is traced as work continuing the traces of the deliveries in it."""

    stream: IngestionStream
    apply_change: CatalogChangeApplier
    classifier: FailureClassifier
    tracing: WorkTracing
    clock: Clock
    retry: RetryPolicy = RetryPolicy()
    batch_size: int = 100
    outcomes: ProcessingOutcomes = field(factory=UncountedProcessingOutcomes)

    async def __call__(self, command: ProcessIngestedChangesCommand) -> int:
        await self.stream.promote_due(self.clock.now(), self.batch_size)
        batch = await self.stream.read(command.consumer, self.batch_size, command.wait_seconds)
        if not batch:
            return 0
        with self.tracing.continuing("ingest catalog changes", [entry.trace_context for entry in batch]):
            done = [entry for entry in batch if await self._settled(entry, command.consumer)]
            await self.stream.acknowledge(done)
        return len(batch)

    async def _settled(self, entry: IngestedChange, consumer: str) -> bool:
        """True when applied (to acknowledge); False when set aside or scheduled again."""
        if entry.change is None:
            await self._dead_letter(entry, self._attempt(UNREADABLE, PERMANENT, consumer, entry.unreadable))
            return False
        try:
            applied = await self.apply_change(ApplyCatalogChangeCommand(change_id=entry.event_id, change=entry.change))
        except UnappliableChange as error:
            await self._dead_letter(entry, self._attempt(error.code, PERMANENT, consumer, error.detail))
            return False
        except Exception as error:
            failure = self.classifier.classify(error)
            attempt = self._attempt(failure.code, failure.failure_class, consumer, failure.detail)
            if failure.failure_class == TRANSIENT and len(entry.attempts) + 1 < self.retry.max_attempts:
                self.outcomes.failed(entry, TRANSIENT)
                self.outcomes.retried(entry)
                await self.stream.retry_later(entry, attempt, attempt.at + self.retry.delay(len(entry.attempts) + 1))
            else:
                await self._dead_letter(entry, attempt)
            return False
        self.outcomes.applied(entry, applied.outcome, self.clock.now())
        return True

    def _attempt(self, error: str, failure_class: str, consumer: str, detail: str) -> Attempt:
        return Attempt(error=error, failure_class=failure_class, at=self.clock.now(), consumer=consumer, detail=detail)

    async def _dead_letter(self, entry: IngestedChange, attempt: Attempt) -> None:
        self.outcomes.failed(entry, attempt.failure_class)
        self.outcomes.dead_lettered(entry, attempt.error)
        await self.stream.dead_letter(entry, attempt)
