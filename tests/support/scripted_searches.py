"""A scripted set of searches and clicks for the search analytics tests, with the moments and
viewers chosen so each figure of the report can be computed by hand (see the contract suite)."""

from __future__ import annotations

import hashlib
import random
import uuid
from datetime import UTC, datetime, timedelta

import attrs

from domain.search_analytics.models import NO_PLATFORM, SearchClick, SearchEvent

NOW = datetime(2026, 3, 10, 14, 30, tzinfo=UTC)  # the second day, half past two
DAY2 = datetime(2026, 3, 10, tzinfo=UTC)
DAY1 = DAY2 - timedelta(days=1)


def query_key(query: str) -> int:
    return int.from_bytes(hashlib.blake2b(query.encode(), digest_size=8).digest(), "big", signed=True)


@attrs.define
class Script:
    events: list[SearchEvent] = attrs.field(factory=list)
    clicks: list[SearchClick] = attrs.field(factory=list)
    latencies: random.Random = attrs.field(factory=lambda: random.Random(15))

    def search(
        self, query: str, at: datetime, viewer: int, results: int = 12, platform: str = NO_PLATFORM
    ) -> SearchEvent:
        event = SearchEvent(
            search_id=uuid.uuid4(),
            occurred_at=at,
            query=query,
            query_key=query_key(query),
            platform=platform,
            genre=None,
            year=None,
            page=1,
            page_size=10,
            result_count=results,
            # a long tail, like real latencies
            latency_ms=round(self.latencies.lognormvariate(3.0, 0.8), 2),
            viewer=viewer,
            result_ids=tuple(uuid.uuid4() for _ in range(min(results, 10))),
        )
        self.events.append(event)
        return event

    def click(self, event: SearchEvent, position: int) -> SearchClick:
        click = SearchClick(
            search_id=event.search_id,
            search_at=event.occurred_at,
            content_id=event.result_ids[position - 1],
            position=position,
            clicked_at=event.occurred_at + timedelta(seconds=20),
        )
        self.clicks.append(click)
        return click


def at(day: datetime, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return day + timedelta(hours=hour, minutes=minute, seconds=second)


def scripted() -> Script:
    """Who searched what, when (NOW is day 2 at 14:30):

    - "star wars": 300 viewers (1000..1299) once each on day 2 in the 13h; 30 clicked, at
      positions 1, 2, 3, 4, 1, 2, ... (sum 73).
    - "dune": viewers 1-5 on day 2 at 13:05-13:09 (viewer 5 filtered to netflix), viewer 1 again
      at 14:10 and viewer 6 (netflix) at 14:20; viewer 1 on day 1 at 20:00 and viewer 8 at 10:00.
      Viewer 1's 13:05 search has two clicks (positions 1 and 3), viewer 2's one (position 2).
    - "matrx": viewers 1-5 on day 2 at 14:00-14:04, nothing found.
    - "alien": viewers 1-4 on day 2 at 13:20-13:23, viewer 7 at 14:05; found, never clicked.
    - "obscure": viewer 1 three times and viewers 2-4 once on day 2 in the 13h, nothing found
      (four viewers: below k-anonymity).
    - "heat": viewers 1-3 on day 1 at 20:00-20:02, viewers 1-2 on day 2 at 13:40 (five in the
      24 hours, but never five on one day).
    - "loner": viewer 42 at 09:00 on each of the five days up to day 2 (one viewer a day).
    """
    script = Script()
    for index in range(300):
        event = script.search("star wars", at(DAY2, 13, index // 6, index % 6 * 10), 1000 + index, results=40)
        if index < 30:
            script.click(event, index % 4 + 1)
    first = script.search("dune", at(DAY2, 13, 5), 1)
    script.click(first, 1)
    script.click(first, 3)
    script.click(script.search("dune", at(DAY2, 13, 6), 2), 2)
    script.search("dune", at(DAY2, 13, 7), 3)
    script.search("dune", at(DAY2, 13, 8), 4)
    script.search("dune", at(DAY2, 13, 9), 5, platform="netflix")
    script.search("dune", at(DAY2, 14, 10), 1)
    script.search("dune", at(DAY2, 14, 20), 6, platform="netflix")
    script.search("dune", at(DAY1, 20, 0), 1)
    script.search("dune", at(DAY1, 10, 0), 8)
    for viewer in range(1, 6):
        script.search("matrx", at(DAY2, 14, viewer - 1), viewer, results=0)
    for viewer in range(1, 5):
        script.search("alien", at(DAY2, 13, 19 + viewer), viewer, results=8)
    script.search("alien", at(DAY2, 14, 5), 7, results=8)
    for minute, viewer in ((30, 1), (31, 1), (32, 1), (33, 2), (34, 3), (35, 4)):
        script.search("obscure", at(DAY2, 13, minute), viewer, results=0)
    for viewer in range(1, 4):
        script.search("heat", at(DAY1, 20, viewer - 1), viewer, results=5)
    for viewer in range(1, 3):
        script.search("heat", at(DAY2, 13, 39 + viewer), viewer, results=5)
    for days_ago in range(5):
        script.search("loner", at(DAY2 - timedelta(days=days_ago), 9), 42, results=3)
    return script
