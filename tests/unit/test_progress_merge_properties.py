"""Property: however updates from two devices interleave and however often they are redelivered,
no playback session ever moves backwards and every reader ends on the last accepted write."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.playback.progress import Outcome, ProgressUpdate, StaleProgress, WatchProgress, merge

USER, CONTENT = uuid.uuid4(), uuid.uuid4()
START = datetime(2026, 5, 1, 20, 0, tzinfo=UTC)


def session_updates(device: str, session: str, positions: list[int]) -> list[ProgressUpdate]:
    return [
        ProgressUpdate.create(
            user_id=USER,
            content_id=CONTENT,
            position_seconds=position,
            duration_seconds=7200,
            device_id=device,
            session_id=session,
            sequence=index,
        )
        for index, position in enumerate(positions)
    ]


positions = st.lists(st.integers(min_value=0, max_value=7200), min_size=1, max_size=8)


@st.composite
def deliveries(draw: st.DrawFn) -> list[ProgressUpdate]:
    sent = (
        session_updates("tv", "tv-1", draw(positions))
        + session_updates("phone", "phone-1", draw(positions))
        + session_updates("tv", "tv-2", draw(positions))
    )
    redelivered = draw(st.lists(st.sampled_from(sent), max_size=10))
    return draw(st.permutations(sent + redelivered))


@settings(max_examples=300, deadline=None)
@given(deliveries())
def test_sessions_never_regress_and_all_readers_converge(order: list[ProgressUpdate]) -> None:
    state: WatchProgress | None = None
    high_water: dict[str, int] = {}
    accepted_by_session: dict[str, list[int]] = {}
    last_accepted: ProgressUpdate | None = None
    last_order = 0
    for server_order, update in enumerate(order, start=1):
        before = state
        try:
            outcome, state = merge(
                state,
                high_water.get(update.session_id),
                update,
                server_order=server_order,
                now=START + timedelta(seconds=server_order),
            )
        except StaleProgress as stale:
            assert stale.winner == before  # a refusal reports the state that stands
            assert update.sequence < high_water[update.session_id]
            continue
        if outcome is Outcome.DUPLICATE:
            assert state == before  # redelivery changes nothing
            continue
        high_water[update.session_id] = max(high_water.get(update.session_id, -1), update.sequence)
        accepted_by_session.setdefault(update.session_id, []).append(update.sequence)
        last_accepted, last_order = update, server_order

    for sequences in accepted_by_session.values():
        assert sequences == sorted(sequences) and len(set(sequences)) == len(sequences)
    assert state is not None and last_accepted is not None
    # Every device reads the one stored state: the last write the server accepted.
    assert (state.session_id, state.sequence, state.position_seconds) == (
        last_accepted.session_id,
        last_accepted.sequence,
        last_accepted.position_seconds,
    )
    assert state.server_order == last_order
