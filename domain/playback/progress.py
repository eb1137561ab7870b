"""Continue Watching: where each viewer is in each title, and how updates from devices merge.

Merge rules:
- Within one playback session, a lower ``sequence`` never overwrites a higher one; the same
  sequence delivered again is a duplicate and changes nothing (idempotent).
- Anything else is accepted in the order the server receives it (the server assigns
  ``server_order``), so every device converges on the last write. A new session may therefore
  move the position backwards (rewatching, seeking back).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from enum import Enum
from uuid import UUID

from attrs import frozen

from domain.shared.errors import Conflict, InvalidInput

COMPLETION_THRESHOLD = 0.95
MIN_RESUME_SECONDS = 30
STALE_AFTER = timedelta(days=30)
MAX_DEVICE_ID_LENGTH = 128
MAX_SEQUENCE = 2**53 - 1  # exact in every JSON reader and in the stores' number types
# The longest title a position or duration may describe: a week, far beyond any film, live
# stream or marathon, and small enough that percentages and sums stay exact and finite.
MAX_PLAYBACK_SECONDS = 7 * 24 * 3600


class Reason(Enum):
    RESUME = "resume"
    NEXT_EPISODE = "next_episode"


class InvalidProgress(InvalidInput):
    code = "invalid-progress"


class StaleProgress(Conflict):
    code = "stale-progress"

    def __init__(self, detail: str, *, winner: WatchProgress) -> None:
        super().__init__(detail)
        self.winner = winner


@frozen
class ProgressUpdate:
    user_id: UUID
    content_id: UUID
    position_seconds: float
    duration_seconds: float
    device_id: str
    session_id: str
    sequence: int

    @classmethod
    def create(
        cls,
        *,
        user_id: UUID,
        content_id: UUID,
        position_seconds: float,
        duration_seconds: float,
        device_id: str,
        session_id: str,
        sequence: int,
    ) -> ProgressUpdate:
        device = device_id.strip()
        session = session_id.strip()
        if not device or len(device) > MAX_DEVICE_ID_LENGTH:
            raise InvalidProgress("'device_id' must be 1–128 characters.", field="device_id")
        if not session or len(session) > MAX_DEVICE_ID_LENGTH:
            raise InvalidProgress("'session_id' must be 1–128 characters.", field="session_id")
        if not 0 <= sequence <= MAX_SEQUENCE:
            raise InvalidProgress(f"'sequence' must be between 0 and {MAX_SEQUENCE}.", field="sequence")
        check_playback_span(position_seconds, duration_seconds)
        return cls(
            user_id=user_id,
            content_id=content_id,
            position_seconds=position_seconds,
            duration_seconds=duration_seconds,
            device_id=device,
            session_id=session,
            sequence=sequence,
        )


def check_playback_span(position_seconds: float, duration_seconds: float) -> None:
    """A position and duration a viewer can be at: finite (NaN compares false with every bound,
    so it is refused by name), 0 <= position <= duration, 0 < duration <= a week."""
    if not (math.isfinite(duration_seconds) and 0 < duration_seconds <= MAX_PLAYBACK_SECONDS):
        raise InvalidProgress(
            f"'duration_seconds' must be a number above 0 and at most {MAX_PLAYBACK_SECONDS}.",
            field="duration_seconds",
        )
    if not (math.isfinite(position_seconds) and position_seconds >= 0):
        raise InvalidProgress(
            f"'position_seconds' must be a number from 0 to {MAX_PLAYBACK_SECONDS}.", field="position_seconds"
        )
    if position_seconds > duration_seconds:
        raise InvalidProgress(
            f"'position_seconds' ({position_seconds:g}) is beyond the duration ({duration_seconds:g}).",
            field="position_seconds",
        )


@frozen
class WatchProgress:
    """The current state of one viewer in one title, as every device should see it."""

    user_id: UUID
    content_id: UUID
    position_seconds: float
    duration_seconds: float
    device_id: str
    session_id: str
    sequence: int
    server_order: int
    updated_at: datetime
    completed: bool = False
    dismissed: bool = False
    reason: Reason = Reason.RESUME

    @property
    def progress_percent(self) -> float:
        return round(min(100.0, 100.0 * self.position_seconds / self.duration_seconds), 2)

    @property
    def in_continue_watching(self) -> bool:
        if self.completed or self.dismissed:
            return False
        return self.reason is Reason.NEXT_EPISODE or self.position_seconds >= MIN_RESUME_SECONDS


class Verdict(Enum):
    ACCEPT = "accept"
    DUPLICATE = "duplicate"
    STALE = "stale"


def judge(has_state: bool, session_high_water: int | None, sequence: int) -> Verdict:
    """The merge rule, which a store applies atomically against what it holds: within one
    playback session a lower sequence is stale and the same one a duplicate; anything else is
    accepted, and the store gives it the next server order."""
    if session_high_water is None or not has_state:
        return Verdict.ACCEPT
    if sequence < session_high_water:
        return Verdict.STALE
    if sequence == session_high_water:
        return Verdict.DUPLICATE
    return Verdict.ACCEPT


def is_complete(position_seconds: float, duration_seconds: float, threshold: float = COMPLETION_THRESHOLD) -> bool:
    return position_seconds >= threshold * duration_seconds


def accepted_state(update: ProgressUpdate, *, now: datetime, completed: bool) -> WatchProgress:
    """What an accepted update becomes; the store gives it its server order."""
    return WatchProgress(
        user_id=update.user_id,
        content_id=update.content_id,
        position_seconds=update.position_seconds,
        duration_seconds=update.duration_seconds,
        device_id=update.device_id,
        session_id=update.session_id,
        sequence=update.sequence,
        server_order=0,
        updated_at=now,
        completed=completed,
    )


def next_episode_entry(user_id: UUID, episode_id: UUID, duration_seconds: float, now: datetime) -> WatchProgress:
    """The next episode of a series just finished, queued at its start (the store assigns its order)."""
    return WatchProgress(
        user_id=user_id,
        content_id=episode_id,
        position_seconds=0,
        duration_seconds=duration_seconds,
        device_id="",
        session_id="",
        sequence=0,
        server_order=0,
        updated_at=now,
        reason=Reason.NEXT_EPISODE,
    )
