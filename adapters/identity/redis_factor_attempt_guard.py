from __future__ import annotations

from uuid import UUID

from redis.asyncio import Redis

from adapters.identity.redis_window_counters import RedisWindowCounters
from domain.shared.errors import TooManyAttempts


class RedisFactorAttemptGuard:
    """Counts failed second-factor attempts: an attempt is taken when it starts (so concurrent
    guesses cannot overrun a limit) and given back when it succeeds."""

    def __init__(
        self,
        redis: Redis,
        *,
        per_account: int = 5,
        per_ip_and_account: int = 5,
        per_ip: int = 100,
        window_seconds: int = 60,
    ) -> None:
        self._counters = RedisWindowCounters(redis)
        self._limits = (per_account, per_ip_and_account, per_ip)
        self._window = window_seconds

    def _tiers(self, user_id: UUID, ip: str | None) -> list[tuple[str, int, int]]:
        """Per account always; per (address, account) and per address when the address is known."""
        per_account, per_ip_and_account, per_ip = self._limits
        tiers = [(f"mg:mfa-attempts:user:{user_id}", per_account, self._window)]
        if ip:
            tiers.append((f"mg:mfa-attempts:ip-user:{ip}:{user_id}", per_ip_and_account, self._window))
            tiers.append((f"mg:mfa-attempts:ip:{ip}", per_ip, self._window))
        return tiers

    async def attempt(self, user_id: UUID, ip: str | None) -> None:
        wait = await self._counters.take(self._tiers(user_id, ip))
        if wait is not None:
            raise TooManyAttempts(
                "Too many two-factor attempts; wait a minute.", retry_after_seconds=wait, limiter="second_factor"
            )

    async def succeeded(self, user_id: UUID, ip: str | None) -> None:
        await self._counters.give_back([key for key, _, _ in self._tiers(user_id, ip)])
