"""The Continue Watching cursor: where the previous page ended (its last entry's time and title),
opaque to clients. The Postgres query and the in-memory fake read and write it the same way."""

from __future__ import annotations

import base64
from datetime import datetime
from uuid import UUID

from domain.shared.errors import InvalidInput


def encode_cursor(updated_at: datetime, content_id: UUID) -> str:
    return base64.urlsafe_b64encode(f"{updated_at.isoformat()}|{content_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, UUID] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, _, content_id = raw.partition("|")
        return datetime.fromisoformat(stamp), UUID(content_id)
    except ValueError:
        return None


def page_after(cursor: str | None) -> tuple[datetime, UUID] | None:
    """Where a page starts: after the cursor's entry, or at the top without one; a cursor that
    cannot be read is the client's error."""
    if not cursor:
        return None
    after = decode_cursor(cursor)
    if after is None:
        raise InvalidInput("The cursor is not valid; start again without it.", field="cursor")
    return after
