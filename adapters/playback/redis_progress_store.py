"""The live progress store on Redis, and its journal (a stream) that the worker archives from.

Each viewer and title is one hash: the state plus ``h:<session>`` high-water marks. A write is
one Lua call (``progress_write.lua``) that judges, stores, journals and announces it, so
acknowledging an update costs one round trip. A hash with unarchived changes is kept (PERSIST)
and listed in the viewer's dirty set; once archived it expires after ``keep``. A title Redis
does not hold is loaded from the archive and sent with the write, so the merge always sees the
whole state.

Redis must keep what it acknowledged: run it append-only (the embedded one does) and with
``maxmemory-policy noeviction``, the default.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import attrs
import msgspec
from redis.asyncio import Redis
from redis.exceptions import ResponseError

from adapters.playback.progress_entries import UnreadableState, progress_from_fields, read_changes, state_json
from adapters.playback.sync_brokers import channel, message_tail
from adapters.shared.redis_batched_script import BatchedScript
from application.playback.ports import ChangeBatch, DeadLetter, ProgressArchive, ProgressSnapshot, Recorded
from domain.playback.progress import ProgressUpdate, Verdict, WatchProgress, accepted_state

log = logging.getLogger(__name__)

STREAM = "mg:pb:changes"
GROUP = "archivers"
# Entries the archive can never take: one per entry, with `change_id` (its id in STREAM), `error`
# and `fields` (its fields as a JSON object). Kept until an operator deletes them.
DEAD_LETTERS = "mg:pb:changes:dead"
CLAIM_AFTER = timedelta(seconds=30)

_WRITE = (Path(__file__).parent / "progress_write.lua").read_text()
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
REPLAY_BATCH = 500


def _key(user_id: UUID, content_id: UUID) -> str:
    return f"mg:pb:{{{user_id}}}:{content_id}"


def _dirty(user_id: UUID) -> str:
    return f"mg:pb:{{{user_id}}}:dirty"


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _mapping(flat: Sequence[Any]) -> dict[str, str]:
    return {_text(flat[i]): _text(flat[i + 1]) for i in range(0, len(flat), 2)}


def _write_args(mode: str, progress: WatchProgress) -> list[str]:
    return [
        mode,
        str(progress.content_id),
        progress.session_id,
        str(progress.sequence),
        progress.updated_at.isoformat(),
        "1" if progress.completed else "0",
        state_json(progress),
        message_tail(progress),
    ]


def _stored_fields(progress: WatchProgress) -> list[str]:
    return [
        "s", state_json(progress),
        "at", progress.updated_at.isoformat(),
        "done", "1" if progress.completed else "0",
        "dis", "1" if progress.dismissed else "0",
    ]  # fmt: skip


def _progress(fields: dict[str, str]) -> WatchProgress | None:
    """The stored state, or None if there is none, or none a viewer can be at (a ``null``
    position written before non-finite numbers were refused): that counts as absent, as the
    write script also treats it, so the next write replaces it."""
    if "s" not in fields:
        return None
    try:
        return progress_from_fields(fields)
    except UnreadableState:
        return None


def _snapshot(user_id: UUID, content_id: UUID, fields: dict[str, str]) -> ProgressSnapshot:
    high_water = {name[2:]: int(value) for name, value in fields.items() if name.startswith("h:")}
    return ProgressSnapshot(user_id, content_id, _progress(fields), high_water)


class RedisProgressStore:
    def __init__(
        self,
        redis: Redis,
        archive: ProgressArchive,
        *,
        keep: timedelta = timedelta(days=2),
        claim_after: timedelta = CLAIM_AFTER,
    ) -> None:
        self._redis = redis
        self._claim_after = claim_after.total_seconds()
        self._archive = archive
        self._keep = int(keep.total_seconds())
        self._write = BatchedScript(redis, _WRITE)
        self._settle = BatchedScript(redis, _SETTLE)
        self._dead_letter = BatchedScript(redis, _DEAD_LETTER)
        self._replay = BatchedScript(redis, _REPLAY)
        self._group_ready = False
        self._claimed_at = 0.0

    async def _call(self, user_id: UUID, content_id: UUID, args: list[str]) -> list[Any]:
        keys = [_key(user_id, content_id), _dirty(user_id), STREAM, channel(user_id)]
        reply: list[Any] = await self._write(keys, args)
        if _text(reply[0]) == "miss":
            # Not in Redis (never written, or archived and expired): send what the archive
            # holds along with the write, which applies it first unless another writer did.
            archived = await self._archived_fields(user_id, content_id)
            reply = await self._write(keys, [*args, str(self._keep), *archived])
        return reply

    async def _archived_fields(self, user_id: UUID, content_id: UUID) -> list[str]:
        snapshot = await self._archive.load(user_id, content_id)
        fields = ["ord", str(snapshot.progress.server_order if snapshot.progress else 0)]
        if snapshot.progress is not None:
            fields += _stored_fields(snapshot.progress)
        for session, sequence in snapshot.high_water.items():
            fields += [f"h:{session}", str(sequence)]
        return fields

    async def record(self, update: ProgressUpdate, *, completed: bool, now: datetime) -> Recorded:
        candidate = accepted_state(update, now=now, completed=completed)
        reply = await self._call(update.user_id, update.content_id, _write_args("record", candidate))
        outcome = _text(reply[0])
        if outcome == "ok":
            stored = attrs.evolve(candidate, server_order=int(reply[1]))
            return Recorded(Verdict.ACCEPT, stored, was_completed=_text(reply[2]) == "1")
        standing = _progress(_mapping(reply[1]))
        assert standing is not None
        return Recorded(Verdict.STALE if outcome == "stale" else Verdict.DUPLICATE, standing)

    async def queue_next_episode(self, entry: WatchProgress) -> WatchProgress | None:
        reply = await self._call(entry.user_id, entry.content_id, _write_args("queue", entry))
        return attrs.evolve(entry, server_order=int(reply[1])) if _text(reply[0]) == "ok" else None

    async def dismiss(self, user_id: UUID, content_id: UUID, now: datetime) -> WatchProgress | None:
        args = ["dismiss", str(content_id), "", "0", now.isoformat(), "", "", ""]
        reply = await self._call(user_id, content_id, args)
        outcome = _text(reply[0])
        if outcome == "none":
            return None
        return _progress(_mapping(reply[3] if outcome == "ok" else reply[1]))

    async def current(self, user_id: UUID, content_id: UUID) -> WatchProgress | None:
        fields = await self._redis.hgetall(_key(user_id, content_id))  # type: ignore[misc]
        if fields:
            return _progress({_text(k): _text(v) for k, v in fields.items()})
        return (await self._archive.load(user_id, content_id)).progress

    # The journal

    async def pending(self, user_id: UUID) -> list[ProgressSnapshot]:
        members = await self._redis.smembers(_dirty(user_id))  # type: ignore[misc]
        if not members:
            return []
        content_ids = sorted(UUID(_text(m)) for m in members)
        async with self._redis.pipeline(transaction=False) as pipe:
            for content_id in content_ids:
                pipe.hgetall(_key(user_id, content_id))
            replies = await pipe.execute()
        snapshots, unusable = [], []
        for content_id, fields in zip(content_ids, replies, strict=True):
            decoded = {_text(k): _text(v) for k, v in fields.items()}
            snapshot = _snapshot(user_id, content_id, decoded)
            if snapshot.progress is None and "s" in decoded:
                unusable.append((content_id, decoded.get("ord", "0")))
            else:
                snapshots.append(snapshot)
        if unusable:
            # Nothing in them to archive (their journal entries become dead letters): settle them
            # as they are, so they stop being pending and expire like archived titles.
            log.warning("unusable progress states left unarchived", extra={"titles": len(unusable)})
            await asyncio.gather(
                *(
                    self._settle([_key(user_id, c), _dirty(user_id)], [str(c), order, str(self._keep)])
                    for c, order in unusable
                )
            )
        return snapshots

    async def settle(self, snapshots: Sequence[ProgressSnapshot]) -> None:
        await asyncio.gather(
            *(
                self._settle(
                    [_key(s.user_id, s.content_id), _dirty(s.user_id)],
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
        return _batch(entries)

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
            fields = {_text(k): _text(v) for k, v in raw.items()}
            letters.append(DeadLetter(fields["change_id"], msgspec.json.decode(fields["fields"]), fields["error"]))
        return letters

    async def replay_dead_letters(self) -> int:
        replayed = 0
        while moved := int(await self._replay([STREAM, DEAD_LETTERS], [str(REPLAY_BATCH)])):
            replayed += moved
        return replayed

    async def _ensure_group(self) -> None:
        if self._group_ready:
            return
        try:
            await self._redis.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
        except ResponseError as error:
            if "BUSYGROUP" not in str(error):
                raise
        self._group_ready = True


def _batch(entries: list[Any]) -> ChangeBatch:
    """Stream entries as a batch. Bytes that are not UTF-8 (no current writer produces them) are
    read with replacement characters instead of failing the whole batch."""

    def text(value: bytes | str) -> str:
        return value.decode(errors="replace") if isinstance(value, bytes) else value

    return read_changes(
        (text(raw_id), {text(k): text(v) for k, v in raw_fields.items()} if raw_fields else None)
        for raw_id, raw_fields in entries
    )
