"""The worker's and operators' side of the ingestion stream on Redis (``redis-ingestion-format.md``):
the consumer group, retries, dead letters and their replay.

Every move between the stream, the retries and the dead letters is one Lua script, so an entry
is never in two places nor lost between them; the scripts read the entry's fields from Redis
itself, so what moves is what the receiver wrote (an unreadable entry included)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from adapters.ingestion.redis_ingestion_codec import (
    DEAD_LETTERS,
    GROUP,
    RETRIES,
    STREAM,
    attempts_field,
    delivery_key,
    ms,
    read_dead_letter,
    read_entry,
    text,
    title_key,
)
from adapters.shared.redis_batched_script import BatchedScript
from application.ingestion.ingested_change import Attempt, IngestedChange
from application.ingestion.stream_ports import DeadLetter, DeadLetterFilter, IngestionBacklog, ReplayOutcome

CLAIM_AFTER = timedelta(seconds=30)
SCAN_PAGE = 500
_ENTRY_ID = re.compile(r"^\d{1,20}-\d{1,20}$")

# Set an entry aside: acknowledge it, delete it, add it to the dead letters with its whole history.
# An entry already acknowledged (another consumer settled it) is not added twice.
# KEYS: 1 the stream, 2 the dead letters. ARGV: 1 the group, 2 the entry id, 3 its attempts (JSON),
# 4 error, 5 class, 6 detail, 7 when (ms).
_DEAD_LETTER = """
local found = redis.call('XRANGE', KEYS[1], ARGV[2], ARGV[2])
local acked = redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
if acked == 0 or #found == 0 then return 0 end
local flat, args = found[1][2], {}
for i = 1, #flat, 2 do
  if flat[i] ~= 'att' then
    args[#args + 1] = flat[i]
    args[#args + 1] = flat[i + 1]
  end
end
redis.call('XADD', KEYS[2], '*', 'att', ARGV[3], 'error', ARGV[4], 'class', ARGV[5], 'detail', ARGV[6],
  'failed', ARGV[7], 'from', ARGV[2], unpack(args))
return 1
"""
# Schedule an entry again: acknowledge it, delete it, add its fields (attempts grown) to the retries.
# KEYS: 1 the stream, 2 the retries. ARGV: 1 the group, 2 the entry id, 3 its attempts (JSON), 4 due (ms).
_RETRY_LATER = """
local found = redis.call('XRANGE', KEYS[1], ARGV[2], ARGV[2])
local acked = redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
redis.call('XDEL', KEYS[1], ARGV[2])
if acked == 0 or #found == 0 then return 0 end
local flat, fields = found[1][2], {}
for i = 1, #flat, 2 do fields[flat[i]] = flat[i + 1] end
fields['att'] = ARGV[3]
redis.call('ZADD', KEYS[2], ARGV[4], cjson.encode(fields))
return 1
"""
# Put the retries due by ARGV[1] (ms), at most ARGV[2] of them, back into the stream as new entries.
# KEYS: 1 the stream, 2 the retries.
_PROMOTE_DUE = """
local due = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
for _, member in ipairs(due) do
  local ok, fields = pcall(cjson.decode, member)
  if ok and type(fields) == 'table' then
    local args = {}
    for name, value in pairs(fields) do
      args[#args + 1] = name
      args[#args + 1] = tostring(value)
    end
    if #args > 0 then redis.call('XADD', KEYS[1], '*', unpack(args)) end
  end
  redis.call('ZREM', KEYS[2], member)
end
return #due
"""
# Put one dead letter back through deduplication (the format document's rules) and into the stream.
# KEYS: 1 the stream, 2 the dead letters, 3 the delivery key, 4 the title key (unused if ARGV[5] ~= '1').
# ARGV: 1 the dead letter's id, 2 its event id, 3 its fingerprint, 4 the horizon (ms), 5 '1' if it has a title.
_REPLAY = """
local found = redis.call('XRANGE', KEYS[2], ARGV[1], ARGV[1])
if #found == 0 then return 'gone' end
local seen = redis.call('GET', KEYS[3])
local duplicate = seen and seen ~= ARGV[2]
local latest, latest_event = false, false
if ARGV[5] == '1' then latest = redis.call('GET', KEYS[4]) end
if latest then
  local space = string.find(latest, ' ', 1, true)
  if space then
    latest_event = string.sub(latest, space + 1)
    if string.sub(latest, 1, space - 1) == ARGV[3] and latest_event ~= ARGV[2] then duplicate = true end
  end
end
redis.call('XDEL', KEYS[2], ARGV[1])
if duplicate then return 'duplicate' end
redis.call('SET', KEYS[3], ARGV[2], 'PX', ARGV[4])
if ARGV[5] == '1' and (not latest or latest_event == ARGV[2]) then
  redis.call('SET', KEYS[4], ARGV[3] .. ' ' .. ARGV[2], 'PX', ARGV[4])
end
local skip = {att = true, error = true, class = true, detail = true, failed = true, from = true}
local flat, args = found[1][2], {}
for i = 1, #flat, 2 do
  if not skip[flat[i]] then
    args[#args + 1] = flat[i]
    args[#args + 1] = flat[i + 1]
  end
end
redis.call('XADD', KEYS[1], '*', 'att', '[]', unpack(args))
return 'requeued'
"""
# Remove one dead letter and return it. KEYS: 1 the dead letters. ARGV: 1 its id.
_DISCARD = """
local found = redis.call('XRANGE', KEYS[1], ARGV[1], ARGV[1])
if #found == 0 then return false end
redis.call('XDEL', KEYS[1], ARGV[1])
return found[1][2]
"""


class RedisIngestionStream:
    def __init__(self, redis: Redis, *, claim_after: timedelta = CLAIM_AFTER) -> None:
        self._redis = redis
        self._claim_after_ms = int(claim_after.total_seconds() * 1000)
        self._dead_letter = BatchedScript(redis, _DEAD_LETTER, "ingestion_dead_letter")
        self._retry_later = BatchedScript(redis, _RETRY_LATER, "ingestion_retry_later")
        self._promote_due = BatchedScript(redis, _PROMOTE_DUE, "ingestion_promote_due")
        self._replay = BatchedScript(redis, _REPLAY, "ingestion_replay")
        self._discard = BatchedScript(redis, _DISCARD, "ingestion_discard")
        self._group_ready = False

    async def read(self, consumer: str, limit: int, wait_seconds: float) -> list[IngestedChange]:
        try:
            return await self._read(consumer, limit, wait_seconds)
        except ResponseError as error:
            if "NOGROUP" not in str(error):
                raise
            self._group_ready = False  # the stream was deleted: make it and the group again
            return await self._read(consumer, limit, wait_seconds)

    async def _read(self, consumer: str, limit: int, wait_seconds: float) -> list[IngestedChange]:
        await self._ensure_group()
        # Entries a consumer took and never settled (it died): take them over first.
        claimed = await self._redis.xautoclaim(STREAM, GROUP, consumer, self._claim_after_ms, count=limit)
        entries: list[Any] = [entry for entry in claimed[1] if entry and entry[1] is not None]
        if not entries:
            block = int(wait_seconds * 1000) or None
            replies = await self._redis.xreadgroup(GROUP, consumer, {STREAM: ">"}, count=limit, block=block)
            entries = list(replies[0][1]) if replies else []
        return [read_entry(text(entry_id), fields or {}) for entry_id, fields in entries]

    async def acknowledge(self, entries: Sequence[IngestedChange]) -> None:
        ids = [entry.id for entry in entries]
        if ids:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.xack(STREAM, GROUP, *ids)
                pipe.xdel(STREAM, *ids)
                await pipe.execute()

    async def retry_later(self, entry: IngestedChange, attempt: Attempt, due: datetime) -> None:
        await self._retry_later(
            [STREAM, RETRIES], [GROUP, entry.id, attempts_field((*entry.attempts, attempt)), ms(due)]
        )

    async def promote_due(self, now: datetime, limit: int) -> int:
        return int(await self._promote_due([STREAM, RETRIES], [ms(now), str(limit)]))

    async def dead_letter(self, entry: IngestedChange, attempt: Attempt) -> None:
        await self._dead_letter(
            [STREAM, DEAD_LETTERS],
            [
                GROUP,
                entry.id,
                attempts_field((*entry.attempts, attempt)),
                attempt.error,
                attempt.failure_class,
                attempt.detail,
                ms(attempt.at),
            ],
        )

    async def dead_letters(self, selection: DeadLetterFilter, limit: int) -> list[DeadLetter]:
        found: list[DeadLetter] = []
        start = "-"
        while len(found) < limit:
            page = await self._redis.xrange(DEAD_LETTERS, min=start, count=SCAN_PAGE)
            for letter_id, raw in page:
                letter = read_dead_letter(text(letter_id), raw)
                if _selected(letter, selection):
                    found.append(letter)
            if len(page) < SCAN_PAGE:
                break
            start = "(" + text(page[-1][0])
        return found[:limit]

    async def find_dead_letter(self, dead_letter_id: str) -> DeadLetter | None:
        if not _ENTRY_ID.match(dead_letter_id):
            return None
        found = await self._redis.xrange(DEAD_LETTERS, min=dead_letter_id, max=dead_letter_id)
        return read_dead_letter(text(found[0][0]), found[0][1]) if found else None

    async def replay(self, dead_letter_ids: Sequence[str], horizon: timedelta) -> ReplayOutcome:
        requeued, duplicates = [], []
        for letter_id in dead_letter_ids:
            letter = await self.find_dead_letter(letter_id)
            if letter is None:
                continue
            entry = letter.entry
            title = title_key(entry.platform, entry.change.platform_content_id) if entry.change else DEAD_LETTERS
            done = text(
                await self._replay(
                    [STREAM, DEAD_LETTERS, delivery_key(entry.platform, entry.delivery_id), title],
                    [
                        letter_id,
                        entry.event_id,
                        entry.fingerprint,
                        str(int(horizon.total_seconds() * 1000)),
                        "1" if entry.change else "0",
                    ],
                )
            )
            if done == "requeued":
                requeued.append(letter_id)
            elif done == "duplicate":
                duplicates.append(letter_id)
        return ReplayOutcome(tuple(requeued), tuple(duplicates))

    async def discard(self, dead_letter_id: str) -> DeadLetter | None:
        if not _ENTRY_ID.match(dead_letter_id):
            return None
        flat = await self._discard([DEAD_LETTERS], [dead_letter_id])
        if not flat:
            return None
        return read_dead_letter(dead_letter_id, dict(zip(flat[::2], flat[1::2], strict=True)))

    async def backlog(self) -> IngestionBacklog:
        """Settling an entry deletes it, so the stream's length is what waits, handed out or not.
        An entry id starts with the millisecond Redis added it; Redis's own clock gives its age."""
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.xlen(STREAM)
            pipe.xrange(STREAM, count=1)
            pipe.time()
            pipe.zcard(RETRIES)
            pipe.xlen(DEAD_LETTERS)
            length, oldest, (seconds, microseconds), retrying, dead = await pipe.execute()
        age = 0.0
        if length and oldest:
            added_ms = int(text(oldest[0][0]).partition("-")[0])
            age = max(seconds + microseconds / 1_000_000 - added_ms / 1000, 0.0)
        return IngestionBacklog(
            waiting=int(length), retrying=int(retrying), oldest_age_seconds=age, dead_letters=int(dead)
        )

    async def _ensure_group(self) -> None:
        if self._group_ready:
            return
        try:
            await self._redis.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
        except ResponseError as error:
            if "BUSYGROUP" not in str(error):
                raise
        self._group_ready = True


def _selected(letter: DeadLetter, selection: DeadLetterFilter) -> bool:
    return (
        (selection.platform is None or letter.entry.platform == selection.platform)
        and (selection.error is None or letter.error == selection.error)
        and (selection.since is None or letter.failed_at >= selection.since)
        and (selection.until is None or letter.failed_at < selection.until)
    )
