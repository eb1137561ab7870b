"""One contract for the Continue Watching query over the archive: the in-memory fake and
PostgreSQL both pass it."""

from __future__ import annotations

import pytest

from domain.playback.progress import Reason
from tests.support.archived_playback import (
    BACKENDS,
    DUNE,
    EP1,
    EP2,
    MATRIX,
    ArchivedPlayback,
    archived_playback,
    save,
    state,
    with_viewer_and_catalog,
)


@pytest.fixture(params=BACKENDS)
def adapters(request: pytest.FixtureRequest) -> ArchivedPlayback:
    return archived_playback(request)


@pytest.fixture
async def playback(adapters: ArchivedPlayback) -> ArchivedPlayback:
    return await with_viewer_and_catalog(adapters)


async def test_the_list_shows_unfinished_titles_one_per_series_newest_first(playback: ArchivedPlayback) -> None:
    await save(
        playback,
        state(playback, DUNE, 600, minutes=1),
        state(playback, EP1, 900, minutes=2),
        state(playback, EP2, 100, minutes=3),
        state(playback, MATRIX, 20, minutes=4),  # under 30 s
    )
    page = await playback.query.page(playback.user_id, 10, None)
    assert [e.content.title for e in page.items] == ["Stranger Signals: Chapter 2", "Dune"]
    assert page.items[1].content.availability and page.next_cursor is None


async def test_completed_and_dismissed_titles_leave_the_list_but_next_episodes_show_at_zero(
    playback: ArchivedPlayback,
) -> None:
    await save(
        playback,
        state(playback, DUNE, 7000, completed=True),
        state(playback, MATRIX, 900, minutes=1, dismissed=True),
        state(playback, EP2, 0, minutes=2, reason=Reason.NEXT_EPISODE, session_id=""),
    )
    page = await playback.query.page(playback.user_id, 10, None)
    assert [(e.content.id, e.progress.reason) for e in page.items] == [(EP2.id, Reason.NEXT_EPISODE)]


async def test_the_cursor_walks_every_entry_once(playback: ArchivedPlayback) -> None:
    await save(
        playback,
        state(playback, DUNE, 600, minutes=1),
        state(playback, MATRIX, 600, minutes=1),  # same time: ties break by id
        state(playback, EP1, 600, minutes=2),
    )
    seen, cursor = [], None
    for _ in range(3):
        page = await playback.query.page(playback.user_id, 1, cursor)
        seen += [e.content.id for e in page.items]
        cursor = page.next_cursor
    assert cursor is None and sorted(seen) == sorted([DUNE.id, MATRIX.id, EP1.id]) and seen[0] == EP1.id
