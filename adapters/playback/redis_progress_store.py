"""The live progress store on Redis.

Each viewer and title is one hash: the state plus ``h:<session>`` high-water marks. A write is
one Lua call (``progress_write.lua``) that judges, stores, journals and announces it, so
acknowledging an update costs one round trip. Its merge rule re-implements
``domain.playback.progress.judge``; the contract and property suites hold the two equal. A hash
with unarchived changes is kept (PERSIST) and listed in the viewer's dirty set; once archived it
expires after ``keep``. A title Redis does not hold is loaded from the archive and sent with the
write, so the merge always sees the whole state. The change's journal entry carries the
trace context of the request that made it (``tp``, ``ts``), for the worker's span. Key names,
hash fields and the script's arguments and replies are in ``redis-wire-format.md``.

The store is also the journal of its own writes (``RedisProgressJournal``, which it extends),
so one object serves both ports.

Redis must keep what it acknowledged: run it append-only (the embedded one does) and with
``maxmemory-policy noeviction``, the default.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import attrs
from redis.asyncio import Redis

from adapters.playback.redis_progress_codec import (
    STREAM,
    archived_fields,
    decoded,
    dirty_key,
    flat_mapping,
    stored_progress,
    text,
    title_key,
    write_args,
)
from adapters.playback.redis_progress_journal import CLAIM_AFTER, KEEP, RedisProgressJournal
from adapters.playback.sync_brokers import channel
from adapters.shared.redis_batched_script import BatchedScript
from adapters.shared.trace_carrier import current_trace_context
from application.playback.progress_archive_ports import ProgressArchive
from application.playback.progress_store_ports import Recorded
from domain.playback.progress import ProgressUpdate, Verdict, WatchProgress, accepted_state

_WRITE = (Path(__file__).parent / "progress_write.lua").read_text()


class RedisProgressStore(RedisProgressJournal):
    def __init__(
        self,
        redis: Redis,
        archive: ProgressArchive,
        *,
        keep: timedelta = KEEP,
        claim_after: timedelta = CLAIM_AFTER,
    ) -> None:
        super().__init__(redis, keep=keep, claim_after=claim_after)
        self._archive = archive
        self._write = BatchedScript(redis, _WRITE, "progress_write")

    async def _call(self, user_id: UUID, content_id: UUID, args: list[str]) -> list[Any]:
        keys = [title_key(user_id, content_id), dirty_key(user_id), STREAM, channel(user_id)]
        args = [*args, *current_trace_context()]  # journalled with the change, for the worker's span
        reply: list[Any] = await self._write(keys, args)
        if text(reply[0]) == "miss":
            # Not in Redis (never written, or archived and expired): send what the archive
            # holds along with the write, which applies it first unless another writer did.
            archived = archived_fields(await self._archive.load(user_id, content_id))
            reply = await self._write(keys, [*args, str(self._keep), *archived])
        return reply

    async def record(self, update: ProgressUpdate, *, completed: bool, now: datetime) -> Recorded:
        candidate = accepted_state(update, now=now, completed=completed)
        reply = await self._call(update.user_id, update.content_id, write_args("record", candidate))
        outcome = text(reply[0])
        if outcome == "ok":
            stored = attrs.evolve(candidate, server_order=int(reply[1]))
            return Recorded(Verdict.ACCEPT, stored, was_completed=text(reply[2]) == "1")
        standing = stored_progress(flat_mapping(reply[1]))
        assert standing is not None
        return Recorded(Verdict.STALE if outcome == "stale" else Verdict.DUPLICATE, standing)

    async def queue_next_episode(self, entry: WatchProgress) -> WatchProgress | None:
        reply = await self._call(entry.user_id, entry.content_id, write_args("queue", entry))
        return attrs.evolve(entry, server_order=int(reply[1])) if text(reply[0]) == "ok" else None

    async def dismiss(self, user_id: UUID, content_id: UUID, now: datetime) -> WatchProgress | None:
        args = ["dismiss", str(content_id), "", "0", now.isoformat(), "", "", ""]
        reply = await self._call(user_id, content_id, args)
        outcome = text(reply[0])
        if outcome == "none":
            return None
        return stored_progress(flat_mapping(reply[3] if outcome == "ok" else reply[1]))

    async def current(self, user_id: UUID, content_id: UUID) -> WatchProgress | None:
        fields = await self._redis.hgetall(title_key(user_id, content_id))  # type: ignore[misc]
        if fields:
            return stored_progress(decoded(fields))
        return (await self._archive.load(user_id, content_id)).progress
