"""Archiving continues the traces of the requests whose changes it archives (on the fake world and
its recording tracing): a child of one request's span, linked to several, or a root of its own."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from opentelemetry.trace import SpanContext

from adapters.playback.progress_entries import journal_fields
from adapters.shared.in_memory_work_tracing import InMemoryWorkTracing, TracedWork
from adapters.shared.trace_carrier import LINK_LIMIT
from application.playback.archive_progress import ArchiveProgressChanges, ArchiveProgressChangesCommand
from application.playback.record_progress import RecordProgressCommand
from domain.catalog.content import Content
from domain.playback.progress import WatchProgress
from tests.support.apps import FakeWorld
from tests.support.catalog_fixtures import movie
from tests.support.producer_spans import inside, request_span, traceparent

DUNE = movie("Dune", year=2021)
ANA = uuid.uuid4()


@pytest.fixture
async def dune(world: FakeWorld) -> Content:
    await world.catalog.upsert_many([DUNE])
    return DUNE


def tracing(world: FakeWorld) -> InMemoryWorkTracing:
    traced: InMemoryWorkTracing = world.container.playback_adapters.journal_tracing()
    return traced


async def record(world: FakeWorld, sequence: int, device: str = "tv") -> WatchProgress:
    command = RecordProgressCommand(ANA, DUNE.id, 10.0 * sequence, device, f"{device}-1", sequence)
    return (await world.container.playback.record_progress()(command)).state


def ids(*spans: SpanContext | None) -> list[tuple[int, int]]:
    """Which spans these are (a context read back from a carrier is marked remote; the same span)."""
    return [(span.trace_id, span.span_id) for span in spans if span is not None]


async def archived_batch(world: FakeWorld) -> TracedWork:
    archive = world.container.playback.archive_progress_changes()
    assert await archive(ArchiveProgressChangesCommand("worker", wait_seconds=0))
    (work,) = tracing(world).work
    assert work.name == "archive"
    return work


async def test_archiving_one_requests_change_continues_that_requests_trace(world: FakeWorld, dune: Content) -> None:
    request = request_span()
    with inside(request):
        await record(world, 1)

    work = await archived_batch(world)

    assert work.carriers == ({"traceparent": traceparent(request)},)
    assert ids(work.continues.parent) == ids(request) and work.continues.links == ()


async def test_changes_of_one_trace_continue_it_and_link_its_other_spans(world: FakeWorld, dune: Content) -> None:
    first = request_span()
    second = request_span(first.trace_id)  # say, a client that traced two updates as one operation
    for sequence, request in enumerate([first, second, first], start=1):
        with inside(request):
            await record(world, sequence)
    await record(world, 4)  # untraced: it changes nothing

    work = await archived_batch(world)

    assert len(work.carriers) == 4 and work.carriers[3] == {}
    assert ids(work.continues.parent) == ids(first) and ids(*work.continues.links) == ids(second)
    assert work.continues.producers == 2


async def test_a_batch_of_several_requests_traces_is_linked_to_each_request(world: FakeWorld, dune: Content) -> None:
    requests = [request_span() for _ in range(3)]
    for sequence, request in enumerate(requests, start=1):
        with inside(request):
            await record(world, sequence)

    work = await archived_batch(world)

    assert work.continues.parent is None and ids(*work.continues.links) == ids(*requests)


async def test_links_stop_at_the_limit_and_the_count_keeps_how_many_requests_there_were(
    world: FakeWorld, dune: Content
) -> None:
    requests = [request_span() for _ in range(LINK_LIMIT + 2)]
    for sequence, request in enumerate(requests, start=1):
        with inside(request):
            await record(world, sequence)

    work = await archived_batch(world)

    assert ids(*work.continues.links) == ids(*requests[:LINK_LIMIT]) and work.continues.producers == LINK_LIMIT + 2


async def test_a_batch_without_a_traced_change_is_a_trace_of_its_own(world: FakeWorld, dune: Content) -> None:
    await record(world, 1)
    store = world.container.playback_adapters.progress_store()
    store.journal_entry({**journal_fields(await record(world, 2), history=True), "tp": "not a traceparent"})

    work = await archived_batch(world)

    assert work.carriers[0] == {} and work.continues.parent is None and work.continues.links == ()
    assert await store.dead_letters(10) == []  # a malformed trace context is no reason to refuse an entry
    assert len(await world.history(ANA)) == 3


async def test_waiting_for_changes_opens_no_span(world: FakeWorld, dune: Content) -> None:
    archive = world.container.playback.archive_progress_changes()
    assert await archive(ArchiveProgressChangesCommand("worker", wait_seconds=0.01)) == 0
    assert tracing(world).work == []


class Observed:
    """``target`` with each coroutine method noting, as it is called, whether traced work is open."""

    def __init__(self, target: Any, tracing: InMemoryWorkTracing, calls: list[tuple[str, bool]]) -> None:
        self._target, self._tracing, self._calls = target, tracing, calls

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._target, name)

        async def call(*args: Any) -> Any:
            self._calls.append((name, self._tracing.current is not None))
            return await method(*args)

        return call


async def test_everything_done_with_a_batch_is_done_inside_its_span(world: FakeWorld, dune: Content) -> None:
    store = world.container.playback_adapters.progress_store()
    archive = world.container.playback_adapters.progress_archive()
    await record(world, 1)
    await record(world, 2, device="tv\x00")  # the archive refuses it: a dead letter
    store.journal_entry({"e": "1", "s": "{not json"})  # unreadable: a dead letter
    traced, calls = InMemoryWorkTracing(), []
    archiving = ArchiveProgressChanges(Observed(store, traced, calls), Observed(archive, traced, calls), traced)

    assert await archiving(ArchiveProgressChangesCommand("worker", wait_seconds=0)) == 3

    assert calls[0] == ("changes", False)
    assert set(calls[1:]) == {("write", True), ("dead_letter", True), ("settle", True), ("acknowledge", True)}
    assert len(traced.work) == 1 and len(traced.work[0].carriers) == 3
    assert traced.current is None
