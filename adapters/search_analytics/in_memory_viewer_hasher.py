from __future__ import annotations

import secrets
from datetime import date

import attrs

from adapters.search_analytics.keyed_viewer_hash import SALT_BYTES, day_key, keyed_viewer_hash


@attrs.define
class InMemoryViewerHasher:
    """The day's salts in a dict (hashers sharing one dict are processes sharing one Redis)."""

    server_key: bytes = attrs.field(factory=lambda: secrets.token_bytes(32))
    salts: dict[date, bytes] = attrs.field(factory=dict)

    async def hash(self, viewer_key: str, day: date) -> int:
        salt = self.salts.setdefault(day, secrets.token_bytes(SALT_BYTES))
        return keyed_viewer_hash(day_key(self.server_key, salt), viewer_key)
