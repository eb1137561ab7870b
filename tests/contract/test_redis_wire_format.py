"""The Redis wire format table (``adapters/playback/redis-wire-format.md``) is what Python, the
Lua scripts and a real Redis use: every documented name is written, and no other."""

from __future__ import annotations

import json
import re
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags, TraceState
from redis.asyncio import Redis

import adapters.playback
from adapters.playback import redis_progress_journal
from adapters.playback.in_memory_progress_archive import InMemoryProgressArchive
from adapters.playback.progress_entries import journal_fields
from adapters.playback.redis_progress_codec import (
    DEAD_LETTERS,
    GROUP,
    HIGH_WATER_PREFIX,
    STREAM,
    archived_fields,
    dirty_key,
    title_key,
)
from adapters.playback.redis_progress_store import RedisProgressStore
from adapters.playback.sync_brokers import channel
from application.playback.progress_archive_ports import ProgressSnapshot
from application.playback.progress_journal_ports import DeadLetter
from domain.playback.progress import ProgressUpdate, WatchProgress, next_episode_entry

HERE = Path(adapters.playback.__file__).parent
LUA = (HERE / "progress_write.lua").read_text()
NOW = datetime(2026, 6, 1, 21, 0, tzinfo=UTC)
SESSION = "h:<session_id>"
TRACED = NonRecordingSpan(
    SpanContext(0x5B8EFFF798038103D269B633813FC60C, 0xEEE19B7EC3C1B174, True, TraceFlags(1), TraceState([("mg", "1")]))
)
UNTRACED = {"tp", "ts"}


def documented() -> dict[str, dict[str, str]]:
    """The table's names by where they are ("key", "title hash", ...), each with its Value cell."""
    parts: dict[str, dict[str, str]] = {}
    for line in (HERE / "redis-wire-format.md").read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[1].startswith("`"):
            parts.setdefault(cells[0], {})[cells[1].strip("`")] = cells[2]
    return parts


def names(part: str) -> set[str]:
    return set(documented()[part])


def field_names(fields: Any) -> set[str]:
    found = {name.decode() if isinstance(name, bytes) else name for name in fields}
    return {SESSION if name.startswith(HIGH_WATER_PREFIX) else name for name in found}


def quoted(text: str) -> set[str]:
    return set(re.findall(r"'([^']*)'", text))


def progress(user_id: uuid.UUID, content_id: uuid.UUID) -> WatchProgress:
    return WatchProgress(user_id, content_id, 600, 7200, "tv", "tv-1", 3, 7, NOW)


def test_the_key_names_are_the_documented_ones() -> None:
    user_id, content_id = uuid.uuid4(), uuid.uuid4()
    expected = {
        name.replace("<user_id>", str(user_id)).replace("<content_id>", str(content_id)) for name in names("key")
    }
    assert {title_key(user_id, content_id), dirty_key(user_id), STREAM, DEAD_LETTERS, channel(user_id)} == expected
    assert names("group") == {GROUP}


def test_python_writes_the_documented_fields() -> None:
    user_id, content_id = uuid.uuid4(), uuid.uuid4()
    state = progress(user_id, content_id)
    filled = archived_fields(ProgressSnapshot(user_id, content_id, state, {"tv-1": 3}))
    assert field_names(filled[0::2]) == names("title hash")
    assert set(json.loads(filled[filled.index("s") + 1])) == names("state JSON")
    traced = journal_fields(state, history=True, traceparent="00-5b8e-eee1-01", tracestate="mg=1")
    assert set(traced) == names("journal entry")
    assert set(journal_fields(state, history=True)) == names("journal entry") - UNTRACED


def test_the_scripts_name_only_documented_fields_modes_and_replies() -> None:
    hash_calls = re.findall(r"redis\.call\('(?:HSET|HMGET|HGET|HINCRBY)', key, ([^)]*)\)", LUA)
    assert set().union(*map(quoted, hash_calls)) <= names("title hash")
    assert "local mark = 'h:' .. session" in LUA and SESSION.startswith(HIGH_WATER_PREFIX)
    (journal_entry,) = re.findall(r"local entry = \{([^\n]*)\}", LUA)
    journalled_also = re.findall(r"journal_also\('(\w+)'", LUA)
    assert quoted(journal_entry) | set(journalled_also) == names("journal entry")
    assert "redis.call('XADD', stream, '*', unpack(entry))" in LUA
    assert set(re.findall(r"\bs\.(\w+)", LUA)) <= names("state JSON")
    assert set(re.findall(r"mode [=~]= '(\w+)'", LUA)) == names("write mode")
    assert set(re.findall(r"return \{'(\w+)'", LUA)) == names("write reply")
    assert set(re.findall(r'"(\w+)":', LUA)) <= names("sync message")
    (set_aside,) = re.findall(r"redis\.call\('XADD', KEYS\[2\], ([^\n]*)\)", redis_progress_journal._DEAD_LETTER)
    assert quoted(set_aside) - {"*"} == names("dead letter")


def update(user_id: uuid.UUID, content_id: uuid.UUID, position: float, sequence: int) -> ProgressUpdate:
    return ProgressUpdate.create(
        user_id=user_id,
        content_id=content_id,
        position_seconds=position,
        duration_seconds=7200,
        device_id="tv",
        session_id="tv-1",
        sequence=sequence,
    )


async def test_a_real_redis_holds_exactly_the_documented_names(redis: Redis) -> None:
    store = RedisProgressStore(redis, InMemoryProgressArchive())
    user_id, film, episode = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    listener = redis.pubsub(ignore_subscribe_messages=True)
    await listener.subscribe(channel(user_id))
    try:
        with trace.use_span(TRACED):
            await store.record(update(user_id, film, 7000, 1), completed=True, now=NOW)
            await store.record(update(user_id, film, 100, 2), completed=False, now=NOW)
            await store.queue_next_episode(next_episode_entry(user_id, episode, 2700, NOW))
            await store.dismiss(user_id, film, NOW)
        await store.record(update(user_id, film, 200, 3), completed=False, now=NOW)  # untraced
        messages: list[dict[str, Any]] = []
        deadline = time.monotonic() + 5
        while len(messages) < 5 and time.monotonic() < deadline:
            # None for the subscription's confirmation, which the listener drops.
            if message := await listener.get_message(timeout=1.0):
                messages.append(json.loads(message["data"]))
    finally:
        await listener.aclose()

    stored = await redis.hgetall(title_key(user_id, film))  # type: ignore[misc]
    assert field_names(stored) == names("title hash")
    assert set(json.loads(stored[b"s"])) == names("state JSON")
    assert {key.decode() async for key in redis.scan_iter(match="mg:*")} == {
        title_key(user_id, film),
        title_key(user_id, episode),
        dirty_key(user_id),
        STREAM,
    }
    entries = await redis.xrange(STREAM)
    assert len(entries) == 5 and all(field_names(fields) == names("journal entry") for _, fields in entries[:4])
    assert field_names(entries[4][1]) == names("journal entry") - UNTRACED
    kinds = set(re.findall(r"`(\w+)`", documented()["sync message"]["kind"]))
    assert [m["kind"] for m in messages] == ["completed", "progress", "next_episode", "dismissed", "progress"]
    assert {m["kind"] for m in messages} == kinds
    assert all(set(m) == names("sync message") for m in messages)

    change = (await store.changes("worker-1", 1, 0)).changes[0]
    await store.dead_letter([DeadLetter(change.id, change.fields, "set aside by a test")])
    ((_, letter),) = await redis.xrange(DEAD_LETTERS)
    assert field_names(letter) == names("dead letter")
    assert [group["name"].decode() for group in await redis.xinfo_groups(STREAM)] == [GROUP]
