"""The journal of the live progress store on Redis: a stream the worker archives from, the
viewers' dirty sets (titles with unarchived changes), and the dead letters set aside.

The write script (``progress_write.lua``, sent by ``RedisProgressStore``) appends every accepted
change to the stream. Key names and fields are in ``redis-wire-format.md``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from datetime import timedelta
from typing import Any
from uuid import UUID

import msgspec
from redis.asyncio import Redis
from redis.exceptions import ResponseError

from adapters.playback.redis_progress_codec import (
    DEAD_LETTERS,
    GROUP,
    STREAM,
    change_batch,
    decoded,
    dirty_key,
    stored_snapshot,
    text,
    title_key,
)
from adapters.shared.redis_batched_script import BatchedScript
from application.playback.progress_archive_ports import ProgressSnapshot
from application.playback.progress_journal_ports import ChangeBatch, DeadLetter, JournalBacklog

log = logging.getLogger(__name__)

KEEP = timedelta(days=2)  # how long Redis keeps a title once it is archived
CLAIM_AFTER = timedelta(seconds=30)
REPLAY_BATCH = 500

# Archived: take the title off the viewer's dirty set and let its hash expire, unless a newer
# change arrived meanwhile. KEYS: 1 the title's hash, 2 the dirty set. ARGV: the content id, the
# archived order, seconds to keep.
_SETTLE = """
local order = redis.call('HGET', KEYS[1], 'ord')
if order and order ~= ARGV[2] then return 0 end
redis.call('SREM', KEYS[2], ARGV[1])
if order then redis.call('EXPIRE', KEYS[1], ARGV[3]) end
return 1
"""
# Set entries aside and acknowledge them in one step; an entry another consumer already settled
# is not set aside twice. KEYS: 1 the stream, 2 the dead letters. ARGV: the group, then per
# entry its id, its error and its fields as a JSON object.
_DEAD_LETTER = """
for i = 2, #ARGV, 3 do
  if redis.call('XACK', KEYS[1], ARGV[1], ARGV[i]) == 1 then
    redis.call('XADD', KEYS[2], '*', 'change_id', ARGV[i], 'error', ARGV[i + 1], 'fields', ARGV[i + 2])
  end
  redis.call('XDEL', KEYS[1], ARGV[i])
end
return 1
"""
# Move the oldest ARGV[1] dead letters back into the stream as new entries, in one step.
# KEYS: 1 the stream, 2 the dead letters.
_REPLAY = """
local entries = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', ARGV[1])
for _, entry in ipairs(entries) do
  local flat, args = entry[2], {}
  for i = 1, #flat, 2 do
    if flat[i] == 'fields' then
      for name, value in pairs(cjson.decode(flat[i + 1])) do
        args[#args + 1] = name
        args[#args + 1] = value
      end
    end
  end
  if #args > 0 then
    redis.call('XADD', KEYS[1], '*', unpack(args))
  end
  redis.call('XDEL', KEYS[2], entry[1])
end
return #entries
"""


class RedisProgressJournal:
    def __init__(self, redis: Redis, *, keep: timedelta = KEEP, claim_after: timedelta = CLAIM_AFTER) -> None:
        self._redis = redis
        self._keep = int(keep.total_seconds())
        self._claim_after = claim_after.total_seconds()
        self._settle = BatchedScript(redis, _SETTLE, "settle")
        self._dead_letter = BatchedScript(redis, _DEAD_LETTER, "dead_letter")
        self._replay = BatchedScript(redis, _REPLAY, "replay_dead_letters")
        self._group_ready = False
        self._claimed_at = 0.0

    async def pending(self, user_id: UUID) -> list[ProgressSnapshot]:
        members = await self._redis.smembers(dirty_key(user_id))  # type: ignore[misc]
        if not members:
            return []
        content_ids = sorted(UUID(text(m)) for m in members)
        async with self._redis.pipeline(transaction=False) as pipe:
            for content_id in content_ids:
                pipe.hgetall(title_key(user_id, content_id))
            replies = await pipe.execute()
        snapshots, unusable = [], []
        for content_id, fields in zip(content_ids, replies, strict=True):
            stored = decoded(fields)
            snapshot = stored_snapshot(user_id, content_id, stored)
            if snapshot.progress is None and "s" in stored:
                unusable.append((content_id, stored.get("ord", "0")))
            else:
                snapshots.append(snapshot)
        if unusable:
            # Nothing in them to archive (their journal entries become dead letters): settle them
            # as they are, so they stop being pending and expire like archived titles.
            log.warning("unusable progress states left unarchived", extra={"titles": len(unusable)})
            await asyncio.gather(
                *(
                    self._settle([title_key(user_id, c), dirty_key(user_id)], [str(c), order, str(self._keep)])
                    for c, order in unusable
                )
            )
        return snapshots

    async def settle(self, snapshots: Sequence[ProgressSnapshot]) -> None:
        await asyncio.gather(
            *(
                self._settle(
                    [title_key(s.user_id, s.content_id), dirty_key(s.user_id)],
                    [str(s.content_id), str(s.progress.server_order if s.progress else 0), str(self._keep)],
                )
                for s in snapshots
            )
        )

    async def changes(self, consumer: str, limit: int, wait_seconds: float) -> ChangeBatch:
        try:
            return await self._changes(consumer, limit, wait_seconds)
        except ResponseError as error:
            if "NOGROUP" not in str(error):
                raise
            self._group_ready = False  # the stream was deleted: make it and the group again
            return await self._changes(consumer, limit, wait_seconds)

    async def _changes(self, consumer: str, limit: int, wait_seconds: float) -> ChangeBatch:
        await self._ensure_group()
        entries: list[Any] = []
        if time.monotonic() - self._claimed_at > self._claim_after:
            # Changes a consumer took and never acknowledged (it died): take them over.
            self._claimed_at = time.monotonic()
            claimed = await self._redis.xautoclaim(STREAM, GROUP, consumer, int(self._claim_after * 1000), count=limit)
            entries = list(claimed[1])
        if not entries:
            block = int(wait_seconds * 1000) or None
            replies = await self._redis.xreadgroup(GROUP, consumer, {STREAM: ">"}, count=limit, block=block)
            entries = list(replies[0][1]) if replies else []
        return change_batch(entries)

    async def acknowledge(self, change_ids: Sequence[str]) -> None:
        if change_ids:
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.xack(STREAM, GROUP, *change_ids)
                pipe.xdel(STREAM, *change_ids)
                await pipe.execute()

    async def dead_letter(self, letters: Sequence[DeadLetter]) -> None:
        if not letters:
            return
        args = [GROUP]
        for letter in letters:
            args += [letter.change_id, letter.error, msgspec.json.encode(dict(letter.fields)).decode()]
        await self._dead_letter([STREAM, DEAD_LETTERS], args)
        log.error(
            "progress changes set aside as dead letters",
            extra={"stream": DEAD_LETTERS, "change_ids": [letter.change_id for letter in letters]},
        )

    async def dead_letters(self, limit: int) -> list[DeadLetter]:
        entries = await self._redis.xrange(DEAD_LETTERS, count=limit)
        letters = []
        for _, raw in entries:
            fields = decoded(raw)
            letters.append(DeadLetter(fields["change_id"], msgspec.json.decode(fields["fields"]), fields["error"]))
        return letters

    async def replay_dead_letters(self) -> int:
        replayed = 0
        while moved := int(await self._replay([STREAM, DEAD_LETTERS], [str(REPLAY_BATCH)])):
            replayed += moved
        return replayed

    async def backlog(self) -> JournalBacklog:
        """Acknowledging an entry deletes it (and so does setting it aside), so the stream's length
        is what the archive has not taken, handed out or not. An entry id starts with the
        millisecond Redis added it; Redis's own clock gives its age, whatever the local clock says."""
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.xlen(STREAM)
            pipe.xrange(STREAM, count=1)
            pipe.time()
            length, oldest, (seconds, microseconds) = await pipe.execute()
        if not length or not oldest:
            return JournalBacklog(pending=0, oldest_age_seconds=0.0)
        added_ms = int(text(oldest[0][0]).partition("-")[0])
        age = seconds + microseconds / 1_000_000 - added_ms / 1000
        return JournalBacklog(pending=int(length), oldest_age_seconds=max(age, 0.0))

    async def _ensure_group(self) -> None:
        if self._group_ready:
            return
        try:
            await self._redis.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
        except ResponseError as error:
            if "BUSYGROUP" not in str(error):
                raise
        self._group_ready = True
