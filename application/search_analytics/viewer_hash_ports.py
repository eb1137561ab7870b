from __future__ import annotations

from datetime import date
from typing import Protocol


class ViewerHasher(Protocol):
    async def hash(self, viewer_key: str, day: date) -> int:
        """A keyed hash of ``viewer_key`` (a user id, or an address and user agent) with the salt
        of ``day``, as a signed 64-bit integer. Every process gets the same hash for the same key
        and day; once a day's salt is gone, that day's hashes cannot be linked to anyone."""
