"""A content id as a client sends it (path or body): text that is no UUID names no content."""

from __future__ import annotations

from uuid import UUID

from domain.catalog.errors import ContentNotFound
from entrypoints.http.uuid_parameters import parse_uuid


def content_id(raw: str) -> UUID:
    return parse_uuid(raw, lambda: ContentNotFound(f"No content with id {raw!r}."))
