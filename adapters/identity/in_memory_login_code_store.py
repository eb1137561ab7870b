from __future__ import annotations

from datetime import datetime, timedelta

from application.identity.external_identity_ports import LoginGrant
from application.shared.ports import Clock


class InMemoryLoginCodeStore:
    """Codes in a dict, forgotten ``ttl`` after they were put (the store's or the entry's own), on
    the injected clock."""

    def __init__(self, clock: Clock, *, ttl: timedelta) -> None:
        self._clock = clock
        self._ttl = ttl
        self._grants: dict[str, tuple[LoginGrant, datetime]] = {}

    async def put(self, code_digest: str, grant: LoginGrant, *, ttl: timedelta | None = None) -> None:
        self._grants[code_digest] = (grant, self._clock.now() + (ttl or self._ttl))

    async def take(self, code_digest: str) -> LoginGrant | None:
        grant, until = self._grants.pop(code_digest, (None, None))
        if grant is None or until is None or until <= self._clock.now():
            return None
        return grant
