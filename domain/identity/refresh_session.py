from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from attrs import frozen


@frozen
class SealedToken:
    """A token encrypted by the service's secret box: the key id and the ciphertext, never the text."""

    key_id: str
    ciphertext: bytes


@frozen
class RefreshSession:
    """One refresh token of a family; only the token's digest is ever kept.

    A family starts at login; each refresh retires the presented token and adds its successor.
    A retired token presented again means the family leaked, so the whole family is revoked —
    unless it comes back within the reuse grace window of its rotation and its successor is still
    the family's live token: that is a client retrying (a timeout, two tabs), and it gets the same
    successor again, which the retired session keeps sealed for just that window.
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
    sealed_successor: SealedToken | None = None
    client_name: str | None = None  # what signed in (a TV's name from the device sign-in), kept through rotations

    def is_expired(self, now: datetime) -> bool:
        return now >= self.expires_at

    @property
    def was_rotated(self) -> bool:
        return self.rotated_at is not None

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_live(self) -> bool:
        return not self.was_rotated and not self.is_revoked

    def retried_within(self, grace: timedelta, now: datetime) -> bool:
        """Rotated less than ``grace`` ago (a zero grace is never), with its successor still sealed."""
        return (
            self.rotated_at is not None
            and self.sealed_successor is not None
            and not self.is_revoked
            and now - self.rotated_at < grace
        )


@frozen
class ActiveSession:
    """A session family still signed in, as its owner's sessions list shows it."""

    family_id: UUID
    client_name: str | None
    signed_in_at: datetime  # the family's auth_time
    last_used_at: datetime  # when its live token was issued: the sign-in or the latest refresh
