"""The live store's Redis wire format on the Python side: key names, a title's hash read back,
and the arguments the write script takes. Every name is in ``redis-wire-format.md`` (beside this
file), with the Lua script's side; ``progress_entries`` encodes the state JSON and journal entries."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from adapters.playback.progress_entries import UnreadableState, progress_from_fields, read_changes, state_json
from adapters.playback.sync_brokers import message_tail
from application.playback.progress_archive_ports import ProgressSnapshot
from application.playback.progress_journal_ports import ChangeBatch
from domain.playback.progress import WatchProgress

STREAM = "mg:pb:changes"  # the journal
GROUP = "archivers"  # the journal's consumer group
DEAD_LETTERS = "mg:pb:changes:dead"
HIGH_WATER_PREFIX = "h:"


def title_key(user_id: UUID, content_id: UUID) -> str:
    """The hash of one viewer's state in one title; the braces keep a viewer's keys in one slot."""
    return f"mg:pb:{{{user_id}}}:{content_id}"


def dirty_key(user_id: UUID) -> str:
    """The set of a viewer's titles with changes not archived yet."""
    return f"mg:pb:{{{user_id}}}:dirty"


def text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def decoded(fields: Mapping[Any, Any]) -> dict[str, str]:
    """A hash as HGETALL answers it, as text."""
    return {text(k): text(v) for k, v in fields.items()}


def flat_mapping(flat: Sequence[Any]) -> dict[str, str]:
    """A hash as the write script answers it (HGETALL inside Lua: name, value, name, ...)."""
    return {text(flat[i]): text(flat[i + 1]) for i in range(0, len(flat), 2)}


def write_args(mode: str, progress: WatchProgress) -> list[str]:
    """ARGV 1-8 of ``progress_write.lua`` for a state to record or queue (the store adds the
    trace context as ARGV 9-10)."""
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


def archived_fields(snapshot: ProgressSnapshot) -> list[str]:
    """What the archive holds for a title as the hash's field/value pairs (the write script's
    ARGV 12.., when Redis no longer holds the title)."""
    fields = ["ord", str(snapshot.progress.server_order if snapshot.progress else 0)]
    if snapshot.progress is not None:
        progress = snapshot.progress
        fields += [
            "s", state_json(progress),
            "at", progress.updated_at.isoformat(),
            "done", "1" if progress.completed else "0",
            "dis", "1" if progress.dismissed else "0",
        ]  # fmt: skip
    for session, sequence in snapshot.high_water.items():
        fields += [f"{HIGH_WATER_PREFIX}{session}", str(sequence)]
    return fields


def stored_progress(fields: Mapping[str, str]) -> WatchProgress | None:
    """The stored state, or None if there is none, or none a viewer can be at (a ``null``
    position written before non-finite numbers were refused): that counts as absent, as the
    write script also treats it, so the next write replaces it."""
    if "s" not in fields:
        return None
    try:
        return progress_from_fields(fields)
    except UnreadableState:
        return None


def stored_snapshot(user_id: UUID, content_id: UUID, fields: Mapping[str, str]) -> ProgressSnapshot:
    high_water = {
        name.removeprefix(HIGH_WATER_PREFIX): int(value)
        for name, value in fields.items()
        if name.startswith(HIGH_WATER_PREFIX)
    }
    return ProgressSnapshot(user_id, content_id, stored_progress(fields), high_water)


def change_batch(entries: list[Any]) -> ChangeBatch:
    """Stream entries as a batch. Bytes that are not UTF-8 (no current writer produces them) are
    read with replacement characters instead of failing the whole batch."""

    def lenient(value: bytes | str) -> str:
        return value.decode(errors="replace") if isinstance(value, bytes) else value

    return read_changes(
        (lenient(raw_id), {lenient(k): lenient(v) for k, v in raw_fields.items()} if raw_fields else None)
        for raw_id, raw_fields in entries
    )
