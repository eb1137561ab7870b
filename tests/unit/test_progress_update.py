"""The domain refuses positions and durations no viewer can be at, whatever the edge let through."""

from __future__ import annotations

import math
import uuid

import pytest

from domain.playback.progress import MAX_PLAYBACK_SECONDS, InvalidProgress, ProgressUpdate


def create(position: float, duration: float) -> ProgressUpdate:
    return ProgressUpdate.create(
        user_id=uuid.uuid4(),
        content_id=uuid.uuid4(),
        position_seconds=position,
        duration_seconds=duration,
        device_id="tv",
        session_id="tv-1",
        sequence=1,
    )


@pytest.mark.parametrize(
    ("position", "duration", "field"),
    [
        (math.nan, 7200, "position_seconds"),
        (math.inf, 7200, "position_seconds"),
        (-math.inf, 7200, "position_seconds"),
        (10, math.nan, "duration_seconds"),
        (math.inf, math.inf, "duration_seconds"),
        (10, -math.inf, "duration_seconds"),
        (10, MAX_PLAYBACK_SECONDS + 1, "duration_seconds"),
        (MAX_PLAYBACK_SECONDS + 1, MAX_PLAYBACK_SECONDS, "position_seconds"),
    ],
)
def test_non_finite_and_absurd_numbers_are_invalid_progress(position: float, duration: float, field: str) -> None:
    with pytest.raises(InvalidProgress) as refused:
        create(position, duration)
    assert refused.value.field == field


def test_a_week_long_title_is_still_playable() -> None:
    update = create(MAX_PLAYBACK_SECONDS, MAX_PLAYBACK_SECONDS)
    assert update.position_seconds == update.duration_seconds == MAX_PLAYBACK_SECONDS
