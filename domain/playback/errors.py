from __future__ import annotations

from domain.shared.errors import NotFound


class ProgressNotFound(NotFound):
    code = "progress-not-found"
