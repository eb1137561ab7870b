from __future__ import annotations

from datetime import datetime
from uuid import UUID

from attrs import frozen


@frozen
class RefreshSession:
    """One refresh token of a family; only the token's digest is ever kept.

    A family starts at login; each refresh retires the presented token and adds its successor.
    A retired token presented again means the family leaked, so the whole family is revoked.
    """

    id: UUID
    family_id: UUID
    user_id: UUID
    token_digest: str
    issued_at: datetime
    expires_at: datetime
    auth_time: datetime
    rotated_at: datetime | None = None
    revoked_at: datetime | None = None

    def is_expired(self, now: datetime) -> bool:
        return now >= self.expires_at

    @property
    def was_rotated(self) -> bool:
        return self.rotated_at is not None

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
