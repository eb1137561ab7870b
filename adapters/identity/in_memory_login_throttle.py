from __future__ import annotations

import math
from datetime import datetime, timedelta

from application.shared.ports import Clock


class InMemoryLoginThrottle:
    """Fixed-window failure counters in a dict, on the injected clock."""

    def __init__(
        self, clock: Clock, *, account_limit: int, account_ip_limit: int, ip_limit: int, window_seconds: int
    ) -> None:
        self._clock = clock
        self._limits = {"account": account_limit, "account-ip": account_ip_limit, "ip": ip_limit}
        self._window = timedelta(seconds=window_seconds)
        self._windows: dict[str, tuple[int, datetime]] = {}

    def _keys(self, account: str, ip: str | None) -> dict[str, str]:
        keys = {"account": f"account:{account}", "account-ip": f"account-ip:{account}:{ip or 'unknown'}"}
        if ip:
            keys["ip"] = f"ip:{ip}"
        return keys

    def _live(self, key: str) -> tuple[int, datetime] | None:
        entry = self._windows.get(key)
        if entry is None or entry[1] <= self._clock.now():
            self._windows.pop(key, None)
            return None
        return entry

    async def retry_after(self, account: str, ip: str | None) -> int | None:
        waits = []
        for kind, key in self._keys(account, ip).items():
            entry = self._live(key)
            if entry and entry[0] >= self._limits[kind]:
                waits.append(math.ceil((entry[1] - self._clock.now()).total_seconds()))
        return max(waits) if waits else None

    async def record_failure(self, account: str, ip: str | None) -> None:
        for key in self._keys(account, ip).values():
            entry = self._live(key)
            if entry is None:
                self._windows[key] = (1, self._clock.now() + self._window)
            else:
                self._windows[key] = (entry[0] + 1, entry[1])

    async def clear_account(self, account: str, ip: str | None) -> None:
        keys = self._keys(account, ip)
        for kind in ("account", "account-ip"):
            self._windows.pop(keys[kind], None)
