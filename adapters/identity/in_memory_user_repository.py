from __future__ import annotations

import copy
from uuid import UUID

from adapters.identity.in_memory_identity_state import IdentityState
from domain.identity.email import EmailAddress
from domain.identity.errors import EmailAlreadyRegistered
from domain.identity.user import User


class InMemoryUserRepository:
    def __init__(self, state: IdentityState) -> None:
        self._state = state

    async def add(self, user: User) -> None:
        if any(u.email == user.email for u in self._state.users.values()):
            raise EmailAlreadyRegistered("An account with this email already exists.")
        self._state.users[user.id] = copy.copy(user)

    async def get(self, user_id: UUID) -> User | None:
        user = self._state.users.get(user_id)
        return copy.copy(user) if user else None

    async def get_by_email(self, email: EmailAddress) -> User | None:
        return next((copy.copy(u) for u in self._state.users.values() if u.email == email), None)

    async def update_display_name(self, user_id: UUID, display_name: str) -> None:
        if user_id in self._state.users:
            self._state.users[user_id].display_name = display_name

    async def add_scope(self, user_id: UUID, scope: str) -> bool:
        user = self._state.users.get(user_id)
        if user is None or scope in user.scopes:
            return False
        user.scopes = user.scopes | {scope}
        return True

    async def remove_scope(self, user_id: UUID, scope: str) -> bool:
        user = self._state.users.get(user_id)
        if user is None or scope not in user.scopes:
            return False
        user.scopes = user.scopes - {scope}
        return True

    # verified email and password reset
    async def mark_email_verified(self, user_id: UUID, email: EmailAddress) -> bool:
        user = self._state.users.get(user_id)
        if user is None or user.email != email:
            return False
        user.email_verified = True
        return True

    async def set_password_hash(self, user_id: UUID, password_hash: str) -> None:
        if user_id in self._state.users:
            self._state.users[user_id].password_hash = password_hash
