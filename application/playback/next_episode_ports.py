"""The episode that follows one in its series: a catalog question playback asks (the catalog's
adapters implement it structurally, without importing playback)."""

from __future__ import annotations

from typing import Protocol

from domain.catalog.content import Content


class NextEpisodeFinder(Protocol):
    async def next_episode(self, episode: Content) -> Content | None: ...
