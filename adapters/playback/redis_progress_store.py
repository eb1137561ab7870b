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

from adapters.playback.sync_brokers import channel, message_tail
from adapters.shared.redis_batched_script import BatchedScript
from application.playback.ports import (
    ChangeBatch,
    ProgressArchive,
    ProgressSnapshot,
    Recorded,
    WatchEvent,
)
from domain.playback.progress import ProgressUpdate, Reason, Verdict, WatchProgress, accepted_state

STREAM = "mg:pb:changes"
GROUP = "archivers"
CLAIM_AFTER = timedelta(seconds=30)

_WRITE = (Path(__file__).parent / "progress_write.lua").read_text()
_SETTLE = """
local order = redis.call('HGET', KEYS[1], 'ord')
if order and order ~= ARGV[2] then return 0 end
redis.call('SREM', KEYS[2], ARGV[1])
if order then redis.call('EXPIRE', KEYS[1], ARGV[3]) end
return 1
"""


def _key(user_id: UUID, content_id: UUID) -> str:
    return f"mg:pb:{{{user_id}}}:{content_id}"


def _dirty(user_id: UUID) -> str:
    return f"mg:pb:{{{user_id}}}:dirty"


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _mapping(flat: Sequence[Any]) -> dict[str, str]:
    return {_text(flat[i]): _text(flat[i + 1]) for i in range(0, len(flat), 2)}


def _compact(value: dict[str, Any]) -> str:
    return msgspec.json.encode(value).decode()


def _state_json(progress: WatchProgress) -> str:
    """The fields a write replaces together; order, time and flags the script sets are apart."""
    return _compact(
        {
            "u": str(progress.user_id),
            "c": str(progress.content_id),
            "pos": progress.position_seconds,
            "dur": progress.duration_seconds,
            "pct": progress.progress_percent,
            "dev": progress.device_id,
            "ses": progress.session_id,
            "seq": progress.sequence,
            "why": progress.reason.value,
        }
    )


def _write_args(mode: str, progress: WatchProgress) -> list[str]:
    return [
        mode,
        str(progress.content_id),
        progress.session_id,
        str(progress.sequence),
        progress.updated_at.isoformat(),
        "1" if progress.completed else "0",
        _state_json(progress),
        message_tail(progress),
    ]


def _stored_fields(progress: WatchProgress) -> list[str]:
    return [
        "s", _state_json(progress),
        "at", progress.updated_at.isoformat(),
        "done", "1" if progress.completed else "0",
        "dis", "1" if progress.dismissed else "0",
    ]  # fmt: skip


def _progress(fields: dict[str, str]) -> WatchProgress | None:
    if "s" not in fields:
        return None
    state = msgspec.json.decode(fields["s"])
    return WatchProgress(
        user_id=UUID(state["u"]),
        content_id=UUID(state["c"]),
        position_seconds=state["pos"],
        duration_seconds=state["dur"],
        device_id=state["dev"],
        session_id=state["ses"],
        sequence=state["seq"],
        server_order=int(fields["ord"]),
        updated_at=datetime.fromisoformat(fields["at"]),
        completed=fields["done"] == "1",
        dismissed=fields["dis"] == "1",
        reason=Reason(state["why"]),
    )


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
        snapshots = []
        for content_id, fields in zip(content_ids, replies, strict=True):
            decoded = {_text(k): _text(v) for k, v in fields.items()}
            snapshots.append(_snapshot(user_id, content_id, decoded))
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

    async def acknowledge(self, batch: ChangeBatch) -> None:
        if batch.ids:
            async with self._redis.pipeline(transaction=False) as pipe:
                pipe.xack(STREAM, GROUP, *batch.ids)
                pipe.xdel(STREAM, *batch.ids)
                await pipe.execute()

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
    ids: list[str] = []
    latest: dict[tuple[UUID, UUID], ProgressSnapshot] = {}
    events: list[WatchEvent] = []
    for raw_id, raw_fields in entries:
        change_id = _text(raw_id)
        ids.append(change_id)
        if not raw_fields:
            continue  # deleted after it was delivered: nothing left to archive
        fields = {_text(k): _text(v) for k, v in raw_fields.items()}
        progress = _progress(fields)
        if progress is None:
            continue
        high_water = {progress.session_id: progress.sequence} if progress.session_id else {}
        snapshot = ProgressSnapshot(progress.user_id, progress.content_id, progress, high_water)
        key = (progress.user_id, progress.content_id)
        earlier = latest.get(key)
        latest[key] = earlier.followed_by(snapshot) if earlier else snapshot
        if fields["e"] == "1":
            events.append(
                WatchEvent(
                    progress.user_id,
                    progress.content_id,
                    progress.position_seconds,
                    progress.progress_percent,
                    progress.completed,
                    progress.device_id,
                    progress.updated_at,
                    change_id,
                )
            )
    return ChangeBatch(tuple(ids), tuple(latest.values()), tuple(events))
