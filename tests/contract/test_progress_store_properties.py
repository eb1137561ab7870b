"""The property the domain's merge has, held by the Redis store that applies it in Lua: however
updates from two devices interleave and however often they are redelivered, no playback session
moves backwards, and the live store and the archive end on the last accepted write."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import attrs
from hypothesis import HealthCheck, given, settings
from redis.asyncio import Redis

from adapters.catalog.in_memory_catalog import InMemoryCatalog
from adapters.playback.in_memory_playback import InMemoryPlayback
from adapters.playback.redis_progress_store import RedisProgressStore
from domain.playback.progress import ProgressUpdate, Verdict
from tests.unit.test_progress_merge_properties import START, deliveries


async def replay(redis_url: str, order: list[ProgressUpdate]) -> None:
    user_id, content_id = uuid.uuid4(), uuid.uuid4()  # a fresh viewer and title per example
    redis = Redis.from_url(redis_url)
    archive = InMemoryPlayback(InMemoryCatalog())
    store = RedisProgressStore(redis, archive)
    high_water: dict[str, int] = {}
    accepted: dict[str, list[int]] = {}
    last = None
    try:
        for tick, sent in enumerate(order, start=1):
            update = attrs.evolve(sent, user_id=user_id, content_id=content_id)
            before = await store.current(user_id, content_id)
            recorded = await store.record(update, completed=False, now=START + timedelta(seconds=tick))
            if recorded.verdict is Verdict.STALE:
                assert recorded.state == before and update.sequence < high_water[update.session_id]
                continue
            if recorded.verdict is Verdict.DUPLICATE:
                assert recorded.state == before and update.sequence == high_water[update.session_id]
                continue
            high_water[update.session_id] = max(high_water.get(update.session_id, -1), update.sequence)
            accepted.setdefault(update.session_id, []).append(update.sequence)
            last = recorded.state
        for sequences in accepted.values():
            assert sequences == sorted(sequences) and len(set(sequences)) == len(sequences)
        assert last is not None
        assert await store.current(user_id, content_id) == last
        pending = await store.pending(user_id)
        await archive.write(pending, [])
        await store.settle(pending)
        assert (await archive.load(user_id, content_id)).progress == last
        assert await store.pending(user_id) == []
    finally:
        await redis.aclose()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=deliveries())
def test_the_redis_store_never_regresses_a_session_and_every_reader_converges(
    redis_url: str, order: list[ProgressUpdate]
) -> None:
    asyncio.run(replay(redis_url, order))
