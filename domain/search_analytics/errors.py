from __future__ import annotations

from domain.shared.errors import InvalidInput


class InvalidClick(InvalidInput):
    """A click that cannot be counted: an unknown or too old search id, or a title that was not
    on that search's page (at that position)."""

    code = "invalid-click"
