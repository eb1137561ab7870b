"""A deterministic synthetic catalog from the demo vocabulary, loaded into PostgreSQL with COPY.

Titles are demo titles of the same kind with one word swapped for another demo title word (70%)
or kept as they are, so common words stay common ("the" in about a third of the titles) and
exact demo titles recur. 39% films, 3% series, 58% episodes (of a random series), 1–3 offers
each, one in ten inside an availability window. Indexes are dropped for the load and rebuilt
from their own definitions afterwards, which is what makes a million titles take minutes.
"""

from __future__ import annotations

import gzip
import json
import random
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

DEMO_CATALOG = Path(__file__).parents[2] / "adapters" / "catalog" / "demo_catalog.jsonl.gz"
PLATFORMS = ["netflix", "prime-video", "disney-plus", "max", "apple-tv", "hulu", "peacock", "paramount-plus"]
STOP_WORDS = {"the", "of", "and", "in", "a", "an", "to", "on", "at", "for", "with", "from", "by", "as", "is"}
CONTENT_COLUMNS = [
    "id", "title", "kind", "series_id", "season_number", "episode_number",
    "runtime_seconds", "release_year", "genres", "synopsis",
]  # fmt: skip
OFFER_COLUMNS = ["content_id", "platform", "region", "deep_link", "available_from", "available_until"]
BATCH = 50_000


def demo_items() -> list[dict[str, Any]]:
    with gzip.open(DEMO_CATALOG, "rt") as lines:
        return [json.loads(line) for line in lines]


def vocabulary(items: list[dict[str, Any]]) -> list[str]:
    """Every word of a demo title, lower case, stop words included, in first-seen order."""
    seen: dict[str, None] = {}
    for item in items:
        for word in item["title"].lower().split():
            seen.setdefault(word.strip(":,.!?"), None)
    return [word for word in seen if word]


class Generator:
    def __init__(self, titles: int, seed: int = 16) -> None:
        self.titles = titles
        self.rng = random.Random(seed)
        items = demo_items()
        self.by_kind = {kind: [i for i in items if i["kind"] == kind] for kind in ("movie", "series", "episode")}
        self.words = [w for w in vocabulary(items) if w not in STOP_WORDS]
        self.series = max(1, titles * 3 // 100)
        self.movies = titles * 39 // 100
        self.episodes = titles - self.series - self.movies
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def _id(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def _title(self, template: str) -> str:
        words = template.split()
        swappable = [n for n, w in enumerate(words) if w.lower().strip(":,.!?") not in STOP_WORDS]
        if swappable and self.rng.random() < 0.7:
            words[self.rng.choice(swappable)] = self.rng.choice(self.words).title()
        return " ".join(words)

    def _offers(self, content_id: uuid.UUID) -> list[tuple[Any, ...]]:
        offers = []
        for platform in self.rng.sample(PLATFORMS, self.rng.randint(1, 3)):
            start = end = None
            if self.rng.random() < 0.1:
                start = self.now + timedelta(days=self.rng.randint(-400, 100))
                end = start + timedelta(days=self.rng.randint(30, 365))
            offers.append((content_id, platform, "US", f"https://{platform}.example/{content_id}", start, end))
        return offers

    def _row(self, kind: str, **fixed: Any) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]]:
        demo = self.rng.choice(self.by_kind[kind])
        content_id = self._id()
        row = (
            content_id,
            self._title(demo["title"]),
            kind,
            fixed.get("series_id"),
            fixed.get("season_number"),
            fixed.get("episode_number"),
            demo["runtime_seconds"],
            self.rng.randint(1950, 2025),
            list(demo["genres"]),
            demo["synopsis"],
        )
        return row, self._offers(content_id)

    def batches(self) -> Iterator[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
        """(content rows, offer rows) in batches; every series before any episode."""
        rows: list[tuple[Any, ...]] = []
        offers: list[tuple[Any, ...]] = []
        series_ids: list[uuid.UUID] = []
        episode_numbers: dict[int, int] = {}
        plan = ["series"] * self.series + ["movie"] * self.movies + ["episode"] * self.episodes
        for kind in plan:
            if kind == "episode":
                show = self.rng.randrange(len(series_ids))
                number = episode_numbers.get(show, 0) + 1
                episode_numbers[show] = number
                row, offered = self._row(
                    kind, series_id=series_ids[show], season_number=1 + number // 20, episode_number=number
                )
            else:
                row, offered = self._row(kind)
                if kind == "series":
                    series_ids.append(row[0])
            rows.append(row)
            offers.extend(offered)
            if len(rows) >= BATCH:
                yield rows, offers
                rows, offers = [], []
        if rows:
            yield rows, offers


async def load(database_url: str, titles: int) -> float:
    """Replace the catalog with ``titles`` synthetic titles; the seconds it took."""
    import asyncpg

    started = time.perf_counter()
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute("SET maintenance_work_mem = '512MB'")
        await conn.execute("TRUNCATE content, content_availability CASCADE")
        indexes = await conn.fetch(
            "SELECT i.relname AS name, pg_get_indexdef(i.oid) AS definition FROM pg_index x"
            " JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid"
            " WHERE t.relname IN ('content', 'content_availability') AND NOT x.indisprimary"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)"
        )
        for index in indexes:
            await conn.execute(f'DROP INDEX "{index["name"]}"')
        for rows, offers in Generator(titles).batches():
            await conn.copy_records_to_table("content", records=rows, columns=CONTENT_COLUMNS)
            await conn.copy_records_to_table("content_availability", records=offers, columns=OFFER_COLUMNS)
        for index in indexes:
            await conn.execute(index["definition"])
        # VACUUM too: left to autovacuum, the insert-triggered vacuum of a million rows takes a core
        # for minutes, during the first measurements (seen: 1M figures a third slower than a rerun)
        await conn.execute("VACUUM (ANALYZE) content")
        await conn.execute("VACUUM (ANALYZE) content_availability")
    finally:
        await conn.close()
    return time.perf_counter() - started


async def stored_titles(database_url: str) -> int:
    import asyncpg

    conn = await asyncpg.connect(database_url)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM content"))
    finally:
        await conn.close()
