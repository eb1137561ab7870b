"""One contract for the progress archive (what PostgreSQL keeps behind the live store): the
in-memory fake and PostgreSQL both pass it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.archived_playback import (
    BACKENDS,
    DUNE,
    MATRIX,
    NOW,
    ArchivedPlayback,
    archived_playback,
    event,
    save,
    snapshot,
    state,
    with_viewer_and_catalog,
)


@pytest.fixture(params=BACKENDS)
def adapters(request: pytest.FixtureRequest) -> ArchivedPlayback:
    return archived_playback(request)


@pytest.fixture
async def playback(adapters: ArchivedPlayback) -> ArchivedPlayback:
    return await with_viewer_and_catalog(adapters)


async def test_a_written_snapshot_loads_back(playback: ArchivedPlayback) -> None:
    await playback.archive.write([snapshot(state(playback, DUNE, 600, sequence=7), s1=7, s0=3)], [])
    loaded = await playback.archive.load(playback.user_id, DUNE.id)
    assert loaded.progress == state(playback, DUNE, 600, sequence=7)
    assert dict(loaded.high_water) == {"s1": 7, "s0": 3}
    nothing = await playback.archive.load(playback.user_id, MATRIX.id)
    assert nothing.progress is None and dict(nothing.high_water) == {}


async def test_an_older_change_never_replaces_a_newer_one_and_high_water_never_falls(
    playback: ArchivedPlayback,
) -> None:
    newer = state(playback, DUNE, 900, sequence=7, server_order=5)
    await playback.archive.write([snapshot(newer)], [])
    await playback.archive.write([snapshot(state(playback, DUNE, 500, sequence=3, server_order=4))], [])
    loaded = await playback.archive.load(playback.user_id, DUNE.id)
    assert loaded.progress == newer and dict(loaded.high_water) == {"s1": 7}


async def test_an_event_archived_twice_is_kept_once(playback: ArchivedPlayback) -> None:
    await playback.archive.write([], [event(playback, DUNE, "1-0"), event(playback, MATRIX, "2-0")])
    await playback.archive.write([], [event(playback, MATRIX, "2-0")])
    history = await playback.query.history(playback.user_id)
    assert [(e.content_id, e.change_id) for e in history] == [(DUNE.id, "1-0"), (MATRIX.id, "2-0")]


async def test_stale_entries_are_removed_with_their_sessions_and_history_stays(playback: ArchivedPlayback) -> None:
    await save(playback, state(playback, DUNE, 600), state(playback, MATRIX, 600, minutes=60 * 24 * 40))
    await playback.archive.write([], [event(playback, DUNE, "1-0")])
    assert await playback.archive.remove_stale(NOW + timedelta(days=30)) == 1
    gone = await playback.archive.load(playback.user_id, DUNE.id)
    assert gone.progress is None and dict(gone.high_water) == {}
    assert (await playback.archive.load(playback.user_id, MATRIX.id)).progress is not None
    assert [e.content_id for e in await playback.query.history(playback.user_id)] == [DUNE.id]
