"""Playback's problem types, and the state that won, which a stale-progress problem carries."""

from __future__ import annotations

from typing import Any

from domain.playback.progress import StaleProgress
from entrypoints.http.problems import extension_members, register_problem_types

register_problem_types(
    {
        "invalid-progress": (422, "The progress update is not valid"),
        "stale-progress": (409, "A later update was already recorded"),
        "progress-not-found": (404, "No progress recorded"),
    }
)


@extension_members(
    StaleProgress, {"current": {"type": "object", "description": "For `stale-progress`: the state that won."}}
)
def _winner(error: StaleProgress) -> dict[str, Any]:
    winner = error.winner
    return {
        "current": {
            "content_id": str(winner.content_id),
            "position_seconds": winner.position_seconds,
            "progress_percent": winner.progress_percent,
            "completed": winner.completed,
            "updated_at": winner.updated_at.isoformat(),
            "device_id": winner.device_id,
        }
    }
