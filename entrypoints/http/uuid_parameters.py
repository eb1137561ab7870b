"""UUIDs in paths and bodies, parsed in one place.

The routes take the id as a string and parse it here, instead of with werkzeug's ``uuid``
converter: text that is not a UUID is an id that names nothing, so it gets the route's own 404
problem (``content-not-found``, ``progress-not-found``), and the document keeps a plain string
parameter.
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from domain.shared.errors import NotFound


def parse_uuid(raw: str, names_nothing: Callable[[], NotFound]) -> UUID:
    try:
        return UUID(raw)
    except ValueError:
        raise names_nothing() from None
