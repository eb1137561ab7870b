"""The ingestion worker's use case on the in-memory stream and a dict-backed catalog: what gets
applied, retried, set aside, and how the traces continue."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs
import pytest

from adapters.ingestion.in_memory_ingestion_stream import InMemoryIngestionStream
from adapters.shared.in_memory_work_tracing import InMemoryWorkTracing
from adapters.shared.manual_clock import ManualClock
from application.catalog.apply_catalog_change import AppliedChange, ApplyCatalogChangeCommand, ChangeOutcome
from application.ingestion.ingested_change import IngestedChange
from application.ingestion.process_ingested_changes import (
    ProcessIngestedChanges,
    ProcessIngestedChangesCommand,
    RetryPolicy,
)
from application.ingestion.processing_ports import PERMANENT, TRANSIENT, Failure
from application.ingestion.stream_ports import DeadLetterFilter
from domain.catalog.catalog_change import CatalogChange
from domain.catalog.errors import UnknownSeries, UnknownTitle
from tests.support.ingested_changes import ingested
from tests.support.producer_spans import request_span, traceparent

START = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
COMMAND = ProcessIngestedChangesCommand(consumer="host-1", wait_seconds=0)


class DatabaseDown(Exception):
    pass


class DictCatalog:
    """The CatalogChangeApplier port over a dict: the latest change per title, each event once."""

    def __init__(self) -> None:
        self.titles: dict[tuple[str, str], CatalogChange] = {}
        self.applied: list[str] = []
        self.failing: list[Exception] = []  # raised by the next calls, in order
        self.failing_for: dict[str, Exception] = {}  # raised for this title's changes, always

    async def __call__(self, command: ApplyCatalogChangeCommand) -> AppliedChange:
        if self.failing:
            raise self.failing.pop(0)
        change = command.change
        if error := self.failing_for.get(change.platform_content_id):
            raise error
        if command.change_id in self.applied:
            return AppliedChange(ChangeOutcome.ALREADY_APPLIED)
        key = (change.platform, change.platform_content_id)
        self.applied.append(command.change_id)
        if (latest := self.titles.get(key)) and latest.occurred_at > change.occurred_at:
            return AppliedChange(ChangeOutcome.STALE)
        self.titles[key] = change
        return AppliedChange(ChangeOutcome.APPLIED)


class ByType:
    """DatabaseDown is transient; anything else permanent."""

    def classify(self, error: Exception) -> Failure:
        kind = TRANSIENT if isinstance(error, DatabaseDown) else PERMANENT
        return Failure(type(error).__name__, kind, f"{type(error).__name__}: {error}")


@attrs.define
class Worker:
    clock: ManualClock
    stream: InMemoryIngestionStream
    catalog: DictCatalog
    tracing: InMemoryWorkTracing
    process: ProcessIngestedChanges

    async def accept(self, *entries: IngestedChange) -> None:
        for entry in entries:
            await self.stream.accept(entry, backlog_limit=1000, horizon=timedelta(hours=72))

    async def drain(self) -> None:
        while await self.process(COMMAND):
            pass


@pytest.fixture
def worker() -> Worker:
    clock = ManualClock(START)
    stream = InMemoryIngestionStream(clock)
    catalog, tracing = DictCatalog(), InMemoryWorkTracing()
    retry = RetryPolicy(max_attempts=3, base_seconds=2, max_seconds=3)
    process = ProcessIngestedChanges(stream, catalog, ByType(), tracing, clock, retry=retry, batch_size=2)
    return Worker(clock, stream, catalog, tracing, process)


async def letters(worker: Worker) -> list[tuple[str, str, str]]:
    return [
        (d.entry.event_id, d.error, d.failure_class) for d in await worker.stream.dead_letters(DeadLetterFilter(), 100)
    ]


async def test_accepted_changes_are_applied_in_batches_and_leave_the_stream(worker: Worker) -> None:
    entries = [ingested(name) for name in ("dune", "matrix", "alien")]
    await worker.accept(*entries)
    assert await worker.process(COMMAND) == 2  # one batch
    await worker.drain()
    assert worker.catalog.applied == [e.event_id for e in entries]
    backlog = await worker.stream.backlog()
    assert (backlog.waiting, backlog.retrying, backlog.dead_letters) == (0, 0, 0)
    assert await worker.process(COMMAND) == 0


async def test_stale_and_already_applied_changes_are_settled_too(worker: Worker) -> None:
    newer = ingested("dune", regions=("GB",), occurred_at=START)
    older = ingested("dune", regions=("US",), occurred_at=START - timedelta(days=1))
    await worker.accept(newer, older)
    assert newer.change is not None
    worker.catalog.applied.append(newer.event_id)  # a redelivery: applied before the worker died
    worker.catalog.titles[("netflix", "dune")] = newer.change
    await worker.drain()
    assert worker.catalog.titles == {("netflix", "dune"): newer.change}  # the older change wrote nothing
    assert (await worker.stream.backlog()).waiting == 0


async def test_a_change_the_catalog_cannot_apply_is_a_dead_letter_at_once(worker: Worker) -> None:
    episode, removal, fine = ingested("s1e1"), ingested("gone"), ingested("dune")
    worker.catalog.failing_for = {
        "s1e1": UnknownSeries("Series 'show-1' is unknown on netflix."),
        "gone": UnknownTitle("Title 'gone' is unknown on netflix."),
    }
    await worker.accept(episode, removal, fine)
    await worker.drain()
    assert await letters(worker) == [
        (episode.event_id, "unknown-series", PERMANENT),
        (removal.event_id, "unknown-title", PERMANENT),
    ]
    (letter, _) = await worker.stream.dead_letters(DeadLetterFilter(), 10)
    assert [(a.error, a.consumer, a.detail) for a in letter.entry.attempts] == [
        ("unknown-series", "host-1", "Series 'show-1' is unknown on netflix.")
    ]
    assert worker.catalog.applied == [fine.event_id]


async def test_an_entry_that_cannot_be_read_is_a_dead_letter(worker: Worker) -> None:
    await worker.accept(ingested("dune"))
    (entry,) = await worker.stream.read("host-1", 10, 0)
    unreadable = attrs.evolve(entry, change=None, unreadable="unreadable change: 'type' is missing")
    worker.stream._entries[entry.id] = unreadable  # what only a raw stream can hold
    worker.clock.advance(timedelta(minutes=1))  # claimed again as if the first read died
    await worker.process(ProcessIngestedChangesCommand(consumer="host-2", wait_seconds=0))
    (letter,) = await worker.stream.dead_letters(DeadLetterFilter(), 10)
    assert (letter.error, letter.failure_class, letter.detail) == (
        "unreadable-entry",
        PERMANENT,
        "unreadable change: 'type' is missing",
    )
    assert worker.catalog.applied == []


async def test_a_transient_failure_is_retried_with_backoff_and_then_applied(worker: Worker) -> None:
    entry = ingested("dune")
    await worker.accept(entry)
    worker.catalog.failing = [DatabaseDown("connection refused"), DatabaseDown("connection refused")]
    await worker.drain()
    backlog = await worker.stream.backlog()
    assert (backlog.waiting, backlog.retrying) == (0, 1)
    worker.clock.advance(timedelta(seconds=1))
    await worker.drain()
    assert worker.catalog.applied == []  # not due for 2 s
    worker.clock.advance(timedelta(seconds=1))
    await worker.drain()  # due: fails again, next due in 4 s capped at 3 s
    assert (await worker.stream.backlog()).retrying == 1
    worker.clock.advance(timedelta(seconds=2))
    await worker.drain()
    assert worker.catalog.applied == []
    worker.clock.advance(timedelta(seconds=1))
    await worker.drain()
    assert worker.catalog.applied == [entry.event_id]
    backlog = await worker.stream.backlog()
    assert (backlog.waiting, backlog.retrying, backlog.dead_letters) == (0, 0, 0)


async def test_a_transient_failure_becomes_a_dead_letter_with_its_history_when_attempts_run_out(
    worker: Worker,
) -> None:
    entry = ingested("dune")
    await worker.accept(entry)
    worker.catalog.failing_for = {"dune": DatabaseDown("lock timeout")}
    for _ in range(3):
        await worker.drain()
        worker.clock.advance(timedelta(seconds=10))
    assert await letters(worker) == [(entry.event_id, "DatabaseDown", TRANSIENT)]
    (letter,) = await worker.stream.dead_letters(DeadLetterFilter(), 10)
    assert [(a.error, a.failure_class, a.at) for a in letter.entry.attempts] == [
        ("DatabaseDown", TRANSIENT, START),
        ("DatabaseDown", TRANSIENT, START + timedelta(seconds=10)),
        ("DatabaseDown", TRANSIENT, START + timedelta(seconds=20)),
    ]
    assert letter.detail == "DatabaseDown: lock timeout"
    assert (await worker.stream.backlog()).retrying == 0


async def test_a_permanent_failure_the_classifier_finds_is_not_retried(worker: Worker) -> None:
    entry = ingested("dune")
    await worker.accept(entry)
    worker.catalog.failing = [ValueError("value too long for type character varying(300)")]
    await worker.drain()
    assert await letters(worker) == [(entry.event_id, "ValueError", PERMANENT)]


async def test_one_failing_entry_does_not_hold_back_the_rest_of_its_batch(worker: Worker) -> None:
    first, second = ingested("dune"), ingested("matrix")
    await worker.accept(first, second)
    worker.catalog.failing = [DatabaseDown("connection reset")]
    await worker.process(COMMAND)
    assert worker.catalog.applied == [second.event_id]
    assert (await worker.stream.backlog()).retrying == 1


async def test_processing_a_batch_continues_the_deliveries_traces(worker: Worker) -> None:
    parent = traceparent(request_span())
    await worker.accept(ingested("dune", trace_context={"traceparent": parent}), ingested("matrix"))
    await worker.process(COMMAND)
    (work,) = worker.tracing.work
    assert work.name == "ingest catalog changes"
    assert [dict(c) for c in work.carriers] == [{"traceparent": parent}, {}]
    assert await worker.process(COMMAND) == 0
    assert len(worker.tracing.work) == 1  # an empty poll is not traced
