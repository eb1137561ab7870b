from __future__ import annotations

from datetime import datetime
from uuid import UUID

from attrs import frozen

from domain.shared.errors import Forbidden


@frozen
class Principal:
    """Who is calling: a user through a session (access token) or through one of their API keys."""

    user_id: UUID
    scopes: frozenset[str]
    auth_time: datetime | None = None
    api_key_id: UUID | None = None
    session_family: UUID | None = None  # the refresh family of a session's access token (the sessions list's "current")

    @property
    def via_api_key(self) -> bool:
        return self.api_key_id is not None

    def require_scope(self, scope: str) -> None:
        if scope not in self.scopes:
            raise Forbidden(f"This credential lacks the '{scope}' scope.")

    def require_session(self) -> datetime:
        """Account security (API keys, two-factor settings) needs a signed-in user, not an API key."""
        if self.auth_time is None or self.via_api_key:
            raise Forbidden("API keys cannot manage API keys or two-factor authentication; sign in.")
        return self.auth_time
