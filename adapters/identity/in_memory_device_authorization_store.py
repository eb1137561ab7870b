from __future__ import annotations

from datetime import timedelta

import attrs

from application.shared.ports import Clock
from domain.identity.device_authorization import DeviceAuthorization, DeviceAuthorizationStatus

# As long as the Redis store keeps an expired authorization: a late poll hears expired_token.
LINGER = timedelta(minutes=5)


class InMemoryDeviceAuthorizationStore:
    def __init__(self, clock: Clock, *, linger: timedelta = LINGER) -> None:
        self._clock = clock
        self._linger = linger
        self._by_digest: dict[str, DeviceAuthorization] = {}

    def _live(self) -> dict[str, DeviceAuthorization]:
        now = self._clock.now()
        for digest, kept in list(self._by_digest.items()):
            if kept.expires_at + self._linger <= now:
                del self._by_digest[digest]
        return self._by_digest

    async def add(self, authorization: DeviceAuthorization) -> bool:
        live = self._live()
        if any(kept.user_code == authorization.user_code for kept in live.values()):
            return False
        live[authorization.device_code_digest] = authorization
        return True

    async def get(self, device_code_digest: str) -> DeviceAuthorization | None:
        return self._live().get(device_code_digest)

    async def find_by_user_code(self, user_code: str) -> DeviceAuthorization | None:
        return next((kept for kept in self._live().values() if kept.user_code == user_code), None)

    async def record_poll(self, authorization: DeviceAuthorization) -> None:
        live = self._live()
        kept = live.get(authorization.device_code_digest)
        if kept is not None:
            live[kept.device_code_digest] = attrs.evolve(
                kept, last_polled_at=authorization.last_polled_at, interval_seconds=authorization.interval_seconds
            )

    async def settle(self, authorization: DeviceAuthorization) -> bool:
        live = self._live()
        kept = live.get(authorization.device_code_digest)
        if kept is None or kept.status is not DeviceAuthorizationStatus.PENDING:
            return False
        live[kept.device_code_digest] = attrs.evolve(kept, status=authorization.status, approval=authorization.approval)
        return True

    async def consume(self, device_code_digest: str) -> bool:
        live = self._live()
        kept = live.get(device_code_digest)
        if kept is None or kept.status is not DeviceAuthorizationStatus.APPROVED:
            return False
        live[device_code_digest] = attrs.evolve(kept, status=DeviceAuthorizationStatus.CONSUMED)
        return True
