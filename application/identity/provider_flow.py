"""Starting a provider flow (sign-in or link): the state, PKCE verifier and nonce kept
server-side, and the errors of the flow itself."""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta
from uuid import UUID

from attrs import frozen

from application.identity.external_identity_ports import ProviderFlow, ProviderFlowStore
from application.identity.identity_provider_ports import AuthorizationRequest, IdentityProvider, IdentityProviders
from application.identity.tokens import digest_token
from application.shared.ports import Clock, SecretGenerator
from domain.shared.errors import DomainError, Forbidden, NotFound

FLOW_TTL = timedelta(minutes=10)
LOGIN_CODE_TTL = timedelta(seconds=60)
# The person has to get back to the app that started the link, which may ask them to sign in again.
LINK_CODE_TTL = timedelta(minutes=10)
STATE_BYTES = 32
CODE_VERIFIER_BYTES = 32  # 43 base64url characters, within PKCE's 43-128
NONCE_BYTES = 32
LOGIN_CODE_BYTES = 32


class ProviderNotConfigured(NotFound):
    code = "provider-not-found"


class InvalidRedirectUri(DomainError):
    """Not one of the client apps' return addresses (matched exactly): no open redirect."""

    code = "invalid-redirect-uri"


class InvalidOAuthState(DomainError):
    """The callback's state is missing, unknown, expired, used already or another provider's."""

    code = "invalid-oauth-state"


class InvalidOAuthCallback(DomainError):
    code = "invalid-oauth-callback"


class ProviderAccessDenied(Forbidden):
    """The person (or the provider) declined the sign-in at the provider."""

    code = "provider-access-denied"


class InvalidLoginCode(DomainError):
    code = "invalid-login-code"


class InvalidLinkCode(DomainError):
    """Unknown, expired, used, another provider's, or started by another account: one answer for
    all, so a code in the wrong hands learns nothing about whose it is."""

    code = "invalid-link-code"


def pkce_challenge(code_verifier: str) -> str:
    """S256 (RFC 7636 section 4.2): base64url of the verifier's SHA-256, without padding."""
    digest = hashlib.sha256(code_verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@frozen
class ProviderFlows:
    """What starting a sign-in and starting a link share: a configured provider, a return address
    from the allowed list, and a fresh flow whose secrets never leave the server."""

    providers: IdentityProviders
    flows: ProviderFlowStore
    secrets: SecretGenerator
    clock: Clock
    allowed_redirect_uris: tuple[str, ...]
    callback_url_template: str  # "https://gateway.example/api/v1/auth/oauth/{provider}/callback"

    def provider(self, name: str) -> IdentityProvider:
        provider = self.providers.get(name)
        if provider is None:
            raise ProviderNotConfigured(f"Signing in with {name!r} is not configured here.")
        return provider

    def callback_url(self, name: str) -> str:
        return self.callback_url_template.format(provider=name)

    async def begin(
        self,
        name: str,
        *,
        redirect_uri: str | None,
        client_state: str | None,
        link_user_id: UUID | None = None,
    ) -> str:
        """The provider's authorization URL for a new flow."""
        provider = self.provider(name)
        if redirect_uri is not None and redirect_uri not in self.allowed_redirect_uris:
            raise InvalidRedirectUri("redirect_uri is not one of this service's registered client addresses.")
        state = self.secrets.token(STATE_BYTES)
        code_verifier = self.secrets.token(CODE_VERIFIER_BYTES)
        nonce = self.secrets.token(NONCE_BYTES) if provider.uses_nonce else None
        await self.flows.put(
            digest_token(state),
            ProviderFlow(
                provider=name,
                code_verifier=code_verifier,
                nonce=nonce,
                redirect_uri=redirect_uri,
                link_user_id=link_user_id,
                created_at=self.clock.now(),
                client_state=client_state,
            ),
        )
        return await provider.authorization_url(
            AuthorizationRequest(
                callback_url=self.callback_url(name),
                state=state,
                code_challenge=pkce_challenge(code_verifier),
                nonce=nonce,
            )
        )
