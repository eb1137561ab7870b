"""What only the Redis store meets: keys that must not outlive their use, and a journal whose
stream and consumer group were lost."""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime

from redis.asyncio import Redis

from adapters.playback.in_memory_progress_archive import InMemoryProgressArchive
from adapters.playback.redis_progress_codec import DEAD_LETTERS, GROUP, STREAM, title_key
from adapters.playback.redis_progress_store import RedisProgressStore
from adapters.shared.in_memory_work_tracing import InMemoryWorkTracing
from application.playback.archive_progress import ArchiveProgressChanges, ArchiveProgressChangesCommand
from application.playback.progress_archive_ports import ProgressSnapshot
from domain.playback.progress import ProgressUpdate, Verdict, WatchProgress


async def test_the_journal_makes_its_stream_and_group_again_if_redis_lost_them(redis: Redis) -> None:
    store = RedisProgressStore(redis, InMemoryProgressArchive())
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


def update(user_id: uuid.UUID, content_id: uuid.UUID, sequence: int) -> ProgressUpdate:
    return ProgressUpdate.create(
        user_id=user_id,
        content_id=content_id,
        position_seconds=100 * sequence,
        duration_seconds=7200,
        device_id="tv",
        session_id="tv-1",
        sequence=sequence,
    )


async def test_unarchived_titles_are_kept_and_archived_ones_expire(redis: Redis) -> None:
    archive = InMemoryProgressArchive()
    store = RedisProgressStore(redis, archive)
    user_id, watched, refused = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    standing = WatchProgress(
        user_id=user_id,
        content_id=refused,
        position_seconds=900,
        duration_seconds=7200,
        device_id="tv",
        session_id="tv-1",
        sequence=9,
        server_order=4,
        updated_at=datetime(2026, 6, 1, tzinfo=UTC),
    )
    await archive.write([ProgressSnapshot(user_id, refused, standing, {"tv-1": 9})], [])
    now = datetime(2026, 6, 2, tzinfo=UTC)

    await store.record(update(user_id, refused, 8), completed=False, now=now)  # stale: nothing to archive
    assert 0 < await redis.ttl(title_key(user_id, refused)) <= 2 * 24 * 3600
    await store.record(update(user_id, watched, 1), completed=False, now=now)
    assert await redis.ttl(title_key(user_id, watched)) == -1  # not archived yet: kept
    pending = await store.pending(user_id)
    await archive.write(pending, [])
    await store.settle(pending)
    assert 0 < await redis.ttl(title_key(user_id, watched)) <= 2 * 24 * 3600


async def test_a_state_poisoned_before_non_finite_numbers_were_refused_counts_as_absent(redis: Redis) -> None:
    archive = InMemoryProgressArchive()
    store = RedisProgressStore(redis, archive)
    user_id, title = uuid.uuid4(), uuid.uuid4()
    now = datetime(2026, 6, 1, tzinfo=UTC)
    # What `"position_seconds": "NaN"` stored before the edge and the domain refused it: `null`.
    poison = ProgressUpdate(user_id, title, math.nan, math.inf, "tv", "tv-1", 5)
    await store.record(poison, completed=True, now=now)
    assert b'"pos":null' in await redis.hget(title_key(user_id, title), "s")  # type: ignore[misc]

    assert await store.current(user_id, title) is None  # the resume point: start from the beginning
    assert await store.pending(user_id) == []  # the list archives nothing from it...
    assert await redis.scard(f"mg:pb:{{{user_id}}}:dirty") == 0  # type: ignore[misc]
    assert await redis.ttl(title_key(user_id, title)) > 0  # ...and it expires like an archived title
    assert await store.dismiss(user_id, title, now) is None  # nothing to hide
    late = await store.record(update(user_id, title, 3), completed=False, now=now)  # lower sequence
    assert late.verdict is Verdict.ACCEPT and not late.was_completed  # no 409 with a poisoned winner
    assert await store.current(user_id, title) == late.state

    await ArchiveProgressChanges(store, archive, InMemoryWorkTracing())(ArchiveProgressChangesCommand("worker-1", 0))
    (letter,) = await store.dead_letters(10)
    assert "'pos' is None" in letter.error and '"pos":null' in letter.fields["s"]
    assert (await archive.load(user_id, title)).progress == late.state
    assert await redis.xlen(STREAM) == 0 and await redis.xlen(DEAD_LETTERS) == 1
    assert (await redis.xpending(STREAM, GROUP))["pending"] == 0
