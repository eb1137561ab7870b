"""A dependency in memory for the fake world: it answers, or is told to refuse or to hang."""

from __future__ import annotations

import asyncio


class InMemoryPing:
    def __init__(self) -> None:
        self.calls = 0
        self._error: Exception | None = None
        self._hanging = False
        self._released = asyncio.Event()

    def refuse(self, error: Exception | None = None) -> None:
        self._error = error or ConnectionError("refused")
        self._hanging = False

    def hang(self) -> None:
        """Accept and never answer (until ``recover``)."""
        self._hanging, self._error = True, None
        self._released = asyncio.Event()

    def recover(self) -> None:
        self._hanging, self._error = False, None
        self._released.set()

    async def __call__(self) -> None:
        self.calls += 1
        if self._hanging:
            await self._released.wait()
        if self._error is not None:
            raise self._error
