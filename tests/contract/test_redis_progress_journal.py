"""What only the Redis journal can meet: its stream and consumer group being lost."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from redis.asyncio import Redis

from adapters.catalog.in_memory_catalog import InMemoryCatalog
from adapters.playback.in_memory_playback import InMemoryPlayback
from adapters.playback.redis_progress_store import STREAM, RedisProgressStore
from domain.playback.progress import ProgressUpdate


async def test_the_journal_makes_its_stream_and_group_again_if_redis_lost_them(redis: Redis) -> None:
    store = RedisProgressStore(redis, InMemoryPlayback(InMemoryCatalog()))
    assert (await store.changes("worker-1", 10, 0)).ids == ()
    await redis.delete(STREAM)  # a flushed or restarted Redis without persistence
    update = ProgressUpdate.create(
        user_id=uuid.uuid4(),
        content_id=uuid.uuid4(),
        position_seconds=600,
        duration_seconds=7200,
        device_id="tv",
        session_id="tv-1",
        sequence=1,
    )
    await store.record(update, completed=False, now=datetime(2026, 6, 1, tzinfo=UTC))
    batch = await store.changes("worker-1", 10, 0)  # the group is made again and hands it out
    assert [s.progress.position_seconds for s in batch.snapshots if s.progress] == [600]
