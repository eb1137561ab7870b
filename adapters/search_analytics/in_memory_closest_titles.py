"""Closest titles' in-memory twin over the in-memory catalog, with pg_trgm's similarity in Python:
each word (runs of letters and digits, lower-cased) padded with two spaces before and one after,
the set of its three-character runs; similarity = shared / (all distinct); kept above 0.3."""

from __future__ import annotations

import re

import attrs

from adapters.catalog.in_memory_catalog import InMemoryCatalog
from domain.catalog.content import ContentKind

SIMILARITY_THRESHOLD = 0.3  # pg_trgm.similarity_threshold's default
_WORD = re.compile(r"[^\W_]+")


def trigrams(value: str) -> frozenset[str]:
    grams: set[str] = set()
    for word in _WORD.findall(value.lower()):
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return frozenset(grams)


def similarity(left: str, right: str) -> float:
    a, b = trigrams(left), trigrams(right)
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)


@attrs.frozen
class InMemoryClosestTitles:
    catalog: InMemoryCatalog

    async def closest(self, query: str, limit: int) -> tuple[str, ...]:
        if limit <= 0 or not query.strip():
            return ()
        scores: dict[str, float] = {}
        for item in self.catalog.items():
            if item.kind not in (ContentKind.MOVIE, ContentKind.SERIES) or item.withdrawn:
                continue
            score = similarity(item.title, query)
            if score >= SIMILARITY_THRESHOLD:
                scores[item.title] = max(score, scores.get(item.title, 0.0))
        return tuple(sorted(scores, key=lambda title: (-scores[title], title))[:limit])
