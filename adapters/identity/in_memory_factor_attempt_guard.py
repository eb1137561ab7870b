from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from adapters.identity.in_memory_window_counters import InMemoryWindowCounters
from application.shared.ports import Clock
from domain.shared.errors import TooManyAttempts


class InMemoryFactorAttemptGuard:
    def __init__(
        self,
        clock: Clock,
        *,
        per_account: int = 5,
        per_ip_and_account: int = 5,
        per_ip: int = 100,
        window_seconds: int = 60,
    ) -> None:
        self._windows = InMemoryWindowCounters(clock)
        self._limits = (per_account, per_ip_and_account, per_ip)
        self._window = timedelta(seconds=window_seconds)
        self.attempts: list[UUID] = []

    def _tiers(self, user_id: UUID, ip: str | None) -> list[tuple[str, int, timedelta]]:
        """Per account always; per (address, account) and per address when the address is known."""
        per_account, per_ip_and_account, per_ip = self._limits
        tiers = [(f"user:{user_id}", per_account, self._window)]
        if ip:
            tiers.append((f"ip-user:{ip}:{user_id}", per_ip_and_account, self._window))
            tiers.append((f"ip:{ip}", per_ip, self._window))
        return tiers

    async def attempt(self, user_id: UUID, ip: str | None) -> None:
        self.attempts.append(user_id)
        wait = self._windows.take(self._tiers(user_id, ip))
        if wait is not None:
            raise TooManyAttempts(
                "Too many two-factor attempts; wait a minute.", retry_after_seconds=wait, limiter="second_factor"
            )

    async def succeeded(self, user_id: UUID, ip: str | None) -> None:
        self._windows.give_back([key for key, _, _ in self._tiers(user_id, ip)])
