"""Ports of provider sign-in: the identities linked to accounts, the flows in progress between
the authorize redirect and the callback, and the one-time login codes handed to client apps."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol
from uuid import UUID

from attrs import frozen

from application.identity.identity_provider_ports import ProviderIdentity
from domain.identity.external_identity import ExternalIdentity


class ExternalIdentityRepository(Protocol):
    async def add(self, identity: ExternalIdentity) -> None:
        """Store a new link; raise IdentityLinkedElsewhere if provider + subject is linked already,
        ProviderAlreadyLinked if the account has an identity at this provider."""

    async def get(self, provider: str, subject: str) -> ExternalIdentity | None: ...

    async def list_for_user(self, user_id: UUID, *, for_update: bool = False) -> list[ExternalIdentity]:
        """The account's identities, by provider name; ``for_update`` locks them until the unit of
        work ends, so two unlinks racing cannot both see the other's identity and remove the last."""

    async def remove(self, user_id: UUID, provider: str) -> bool:
        """Unlink the account's identity at ``provider``; False if there was none."""

    async def touch(self, provider: str, subject: str, now: datetime) -> None:
        """Record a sign-in through the identity."""


@frozen
class ProviderFlow:
    """What the callback needs that must not travel through the browser: kept server-side under
    a digest of the ``state`` sent to the provider."""

    provider: str
    code_verifier: str  # PKCE (RFC 7636); the provider only ever saw its S256 challenge
    nonce: str | None  # OpenID Connect: the ID token must carry it back
    redirect_uri: str | None  # the client app to send a login code to; None: answer with JSON
    link_user_id: UUID | None  # a link started from settings: attach the identity to this account
    created_at: datetime
    client_state: str | None = None  # the client app's own state, echoed back with the login code


class ProviderFlowStore(Protocol):
    """Flows in progress, each for ``ttl`` (10 minutes), across processes."""

    async def put(self, state_digest: str, flow: ProviderFlow) -> None: ...

    async def take(self, state_digest: str) -> ProviderFlow | None:
        """The flow, removed in the same step: a state is good for one callback only."""


@frozen
class LoginGrant:
    """What a one-time code stands for: an account that finished a provider sign-in (a login
    code: the tokens, or the second-factor step, are made only when it is exchanged), or with
    ``link`` set, an identity waiting to be attached to the account that started linking it (a
    link code: only that account's own session may confirm it, and it never signs anyone in)."""

    user_id: UUID
    provider: str
    auth_time: datetime
    link: ProviderIdentity | None = None


class LoginCodeStore(Protocol):
    """One-time codes, each for the store's ``ttl`` (60 seconds) or the ``ttl`` it was put with,
    across processes."""

    async def put(self, code_digest: str, grant: LoginGrant, *, ttl: timedelta | None = None) -> None: ...

    async def take(self, code_digest: str) -> LoginGrant | None:
        """The grant, removed in the same step: a code is exchanged once."""
