"""The episode after one in its series, in the in-memory catalog (the fake of
``PostgresNextEpisodeFinder``)."""

from __future__ import annotations

from adapters.catalog.in_memory_catalog import InMemoryCatalog
from domain.catalog.content import Content, ContentKind


class InMemoryNextEpisodeFinder:
    def __init__(self, catalog: InMemoryCatalog) -> None:
        self._catalog = catalog

    async def next_episode(self, episode: Content) -> Content | None:
        if episode.kind is not ContentKind.EPISODE or episode.series_id is None:
            return None
        here = (episode.season_number or 0, episode.episode_number or 0)
        later = [
            c
            for c in self._catalog.items()
            if c.series_id == episode.series_id and (c.season_number or 0, c.episode_number or 0) > here
        ]
        return min(later, key=lambda c: (c.season_number or 0, c.episode_number or 0), default=None)
