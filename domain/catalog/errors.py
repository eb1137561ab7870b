from __future__ import annotations

from domain.shared.errors import InvalidInput, NotFound


class ContentNotFound(NotFound):
    code = "content-not-found"


class InvalidSearch(InvalidInput):
    code = "invalid-search"
