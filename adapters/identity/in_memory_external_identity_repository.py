from __future__ import annotations

from datetime import datetime
from uuid import UUID

import attrs

from adapters.identity.in_memory_identity_state import IdentityState
from domain.identity.external_identity import ExternalIdentity, IdentityLinkedElsewhere, ProviderAlreadyLinked


class InMemoryExternalIdentityRepository:
    def __init__(self, state: IdentityState) -> None:
        self._state = state

    async def add(self, identity: ExternalIdentity) -> None:
        if (identity.provider, identity.subject) in self._state.external_identities:
            raise IdentityLinkedElsewhere(f"This {identity.provider} identity is linked to an account already.")
        if any(
            linked.user_id == identity.user_id and linked.provider == identity.provider
            for linked in self._state.external_identities.values()
        ):
            raise ProviderAlreadyLinked(f"This account has a {identity.provider} identity linked already.")
        self._state.external_identities[(identity.provider, identity.subject)] = identity

    async def get(self, provider: str, subject: str) -> ExternalIdentity | None:
        return self._state.external_identities.get((provider, subject))

    async def list_for_user(self, user_id: UUID, *, for_update: bool = False) -> list[ExternalIdentity]:
        # Units of work run one at a time here: for_update has nothing left to lock.
        mine = (identity for identity in self._state.external_identities.values() if identity.user_id == user_id)
        return sorted(mine, key=lambda identity: identity.provider)

    async def remove(self, user_id: UUID, provider: str) -> bool:
        for key, identity in list(self._state.external_identities.items()):
            if identity.user_id == user_id and identity.provider == provider:
                del self._state.external_identities[key]
                return True
        return False

    async def touch(self, provider: str, subject: str, now: datetime) -> None:
        identity = self._state.external_identities.get((provider, subject))
        if identity is not None:
            self._state.external_identities[(provider, subject)] = attrs.evolve(identity, last_sign_in_at=now)
