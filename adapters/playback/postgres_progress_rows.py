"""A ``watch_progress`` row and the state it holds, both ways."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import RowMapping

from adapters.postgres.tables import watch_progress
from domain.playback.progress import Reason, WatchProgress

PROGRESS_COLUMNS = [c.name for c in watch_progress.c]


def progress_from_row(row: RowMapping) -> WatchProgress:
    values = {name: row[name] for name in PROGRESS_COLUMNS}
    values["reason"] = Reason(values["reason"])
    return WatchProgress(**values)


def progress_values(progress: WatchProgress) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(progress, name) for name in PROGRESS_COLUMNS}
    values["reason"] = progress.reason.value
    return values
