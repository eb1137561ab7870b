"""``CheckReadiness``: do the dependencies this process cannot serve without answer? Cheap (one
ping each, concurrently, no cache, no damping: orchestrators count failures themselves), and
bounded: a dependency that never answers is down after ``timeout_seconds``."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from attrs import frozen

from application.operations.health_ports import Ping


@frozen
class Readiness:
    answered: Mapping[str, bool]

    @property
    def ready(self) -> bool:
        return all(self.answered.values())


class CheckReadiness:
    def __init__(self, pings: Mapping[str, Ping], timeout_seconds: float) -> None:
        self._pings = dict(pings)
        self._timeout = timeout_seconds

    async def __call__(self) -> Readiness:
        answers = await asyncio.gather(*(self._answers(ping) for ping in self._pings.values()))
        return Readiness(dict(zip(self._pings, answers, strict=True)))

    async def _answers(self, ping: Ping) -> bool:
        try:
            async with asyncio.timeout(self._timeout):
                await ping()
        except Exception:  # any failure means "not ready"; the reason is in the aggregate and the server's log
            return False
        return True
