"""Refusals counted by the error's type, where every error becomes a problem response
(``entrypoints/http/problems.py``): wherever it was raised, it is counted once."""

from __future__ import annotations

from domain.playback.progress import StaleProgress
from domain.shared.errors import DomainError, TooManyAttempts
from entrypoints.telemetry.metrics import PROGRESS_UPDATES, RATE_LIMIT_REJECTIONS

_STALE = PROGRESS_UPDATES.labels(verdict="stale")


def count_refusal(error: DomainError) -> None:
    if isinstance(error, TooManyAttempts):
        RATE_LIMIT_REJECTIONS.labels(limiter=error.limiter).inc()
    elif isinstance(error, StaleProgress):
        _STALE.inc()
