"""How a title's state and each journal entry are written as Redis-style field/value strings, and
read back. The Redis store and the in-memory one both read entries with ``read_changes``, so
they treat an entry they cannot read the same way. The names are in ``redis-wire-format.md``."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec

from adapters.shared.trace_carrier import trace_carrier
from application.playback.progress_archive_ports import ProgressSnapshot, WatchEvent
from application.playback.progress_journal_ports import ChangeBatch, DeadLetter, JournalledChange
from domain.playback.progress import Reason, WatchProgress


class UnreadableState(ValueError):
    """Stored fields that do not make a state a viewer can be at."""


def state_json(progress: WatchProgress) -> str:
    """The fields a write replaces together; order, time and flags the script sets are apart."""
    return msgspec.json.encode(
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
    ).decode()


def journal_fields(
    progress: WatchProgress, *, history: bool, traceparent: str = "", tracestate: str = ""
) -> dict[str, str]:
    """The entry ``progress_write.lua`` appends to the change stream for a stored state, with
    the trace context of the request that made it when there is one."""
    fields = {
        "e": "1" if history else "0",
        "s": state_json(progress),
        "at": progress.updated_at.isoformat(),
        "done": "1" if progress.completed else "0",
        "dis": "1" if progress.dismissed else "0",
        "ord": str(progress.server_order),
    }
    if traceparent:
        fields["tp"] = traceparent
        if tracestate:
            fields["ts"] = tracestate
    return fields


def _seconds(state: Mapping[str, Any], name: str) -> float:
    value = state[name]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise UnreadableState(f"'{name}' is {value!r}, not a finite number")
    return float(value)


def _whole(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise UnreadableState(f"'{name}' is {value!r}, not a whole number")
    return value


def progress_from_fields(fields: Mapping[str, str]) -> WatchProgress:
    """The state in ``fields``; ``UnreadableState`` if a field is missing or malformed, or the
    position and duration are not numbers a viewer can be at (a ``null`` position written
    before non-finite numbers were refused, say)."""
    try:
        state = msgspec.json.decode(fields["s"])
        if not isinstance(state, dict):
            raise UnreadableState("the state is not a JSON object")
        position, duration = _seconds(state, "pos"), _seconds(state, "dur")
        if position < 0 or duration <= 0:
            raise UnreadableState(f"position {position:g} of {duration:g} seconds")
        updated_at = datetime.fromisoformat(fields["at"])
        if updated_at.tzinfo is None:
            raise UnreadableState(f"'at' is {fields['at']!r}, without a time zone")
        return WatchProgress(
            user_id=UUID(state["u"]),
            content_id=UUID(state["c"]),
            position_seconds=position,
            duration_seconds=duration,
            device_id=str(state["dev"]),
            session_id=str(state["ses"]),
            sequence=_whole(state["seq"], "seq"),
            server_order=int(fields["ord"]),
            updated_at=updated_at,
            completed=fields["done"] == "1",
            dismissed=fields["dis"] == "1",
            reason=Reason(state["why"]),
        )
    except UnreadableState:
        raise
    except KeyError as missing:
        raise UnreadableState(f"field {missing} is missing") from None
    except (ValueError, TypeError, AttributeError, msgspec.DecodeError) as error:
        raise UnreadableState(str(error) or type(error).__name__) from None


def _change(change_id: str, fields: Mapping[str, str]) -> JournalledChange:
    progress = progress_from_fields(fields)
    if fields.get("e", "0") not in ("0", "1"):
        raise UnreadableState(f"'e' is {fields['e']!r}, not 0 or 1")
    high_water = {progress.session_id: progress.sequence} if progress.session_id else {}
    snapshot = ProgressSnapshot(progress.user_id, progress.content_id, progress, high_water)
    event = None
    if fields.get("e") == "1":
        event = WatchEvent(
            progress.user_id,
            progress.content_id,
            progress.position_seconds,
            progress.progress_percent,
            progress.completed,
            progress.device_id,
            progress.updated_at,
            change_id,
        )
    # An entry without a trace context (written untraced, or before entries carried one) is
    # simply untraced; a malformed one is ignored when the span is made, never refused here.
    return JournalledChange(change_id, snapshot, event, fields, trace_carrier(fields.get("tp"), fields.get("ts")))


def read_changes(entries: Iterable[tuple[str, Mapping[str, str] | None]]) -> ChangeBatch:
    """Journal entries (id and fields, in order) as a batch; an entry deleted after it was
    handed out has no fields and nothing to archive, and one that cannot be read is returned
    apart with the reason."""
    changes: list[JournalledChange] = []
    unreadable: list[DeadLetter] = []
    for change_id, fields in entries:
        if not fields:
            changes.append(JournalledChange(change_id, None))
            continue
        try:
            changes.append(_change(change_id, fields))
        except UnreadableState as error:
            unreadable.append(DeadLetter(change_id, dict(fields), f"unreadable: {error}"))
    return ChangeBatch(tuple(changes), tuple(unreadable))
