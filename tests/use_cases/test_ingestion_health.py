"""The ``ingestion:backlog`` health check: quiet while the worker keeps up, a warning when the
oldest waiting delivery is older than the bound or dead letters wait for an operator."""

from __future__ import annotations

from datetime import timedelta

from adapters.ingestion.in_memory_ingestion_stream import InMemoryIngestionStream
from adapters.shared.manual_clock import ManualClock
from application.ingestion.ingested_change import Attempt
from application.operations.health_checks import IngestionBacklogCheck
from entrypoints.containers.operations import INGESTION_BACKLOG
from tests.support.ingested_changes import ingested

BOUND = timedelta(seconds=60)


async def test_the_check_warns_when_deliveries_wait_too_long_or_dead_letters_exist() -> None:
    clock = ManualClock()
    stream = InMemoryIngestionStream(clock)
    check = IngestionBacklogCheck(INGESTION_BACKLOG, stream, BOUND)
    (quiet,) = await check.observe()
    assert (quiet.healthy, quiet.details) == (True, {"waiting": 0, "retrying": 0, "deadLetters": 0})

    for name in ("dune", "matrix"):
        await stream.accept(ingested(name), backlog_limit=10, horizon=timedelta(hours=1))
    clock.advance(timedelta(seconds=30))
    (behind,) = await check.observe()
    assert behind.healthy and behind.observed_value == 30.0
    clock.advance(timedelta(seconds=31))
    (late,) = await check.observe()
    assert not late.healthy
    assert late.output == "2 webhook deliveries wait to be applied, the oldest for 61 s (bound 60 s)"

    first, second = await stream.read("w", 10, 0)
    await stream.acknowledge([first])
    await stream.dead_letter(second, Attempt("unknown-title", "permanent", clock.now(), "w"))
    (aside,) = await check.observe()
    assert not aside.healthy
    assert aside.output == "1 webhook deliveries set aside as dead letters"
    assert aside.details == {"waiting": 0, "retrying": 0, "deadLetters": 1}
