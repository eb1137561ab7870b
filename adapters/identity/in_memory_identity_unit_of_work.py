from __future__ import annotations

from adapters.identity.in_memory_account_token_repository import InMemoryAccountTokenRepository
from adapters.identity.in_memory_api_key_repository import InMemoryApiKeyRepository
from adapters.identity.in_memory_backup_code_repository import InMemoryBackupCodeRepository
from adapters.identity.in_memory_external_identity_repository import InMemoryExternalIdentityRepository
from adapters.identity.in_memory_identity_state import IdentityState
from adapters.identity.in_memory_mfa_challenge_repository import InMemoryMfaChallengeRepository
from adapters.identity.in_memory_mfa_factor_repository import InMemoryMfaFactorRepository
from adapters.identity.in_memory_outgoing_mail import InMemoryOutgoingMail
from adapters.identity.in_memory_refresh_session_repository import InMemoryRefreshSessionRepository
from adapters.identity.in_memory_security_event_repository import InMemorySecurityEventRepository
from adapters.identity.in_memory_user_repository import InMemoryUserRepository
from adapters.shared.in_memory_unit_of_work import InMemoryStore, InMemoryUnitOfWork
from application.identity.api_key_ports import FoundApiKey


class InMemoryIdentityUnitOfWork(InMemoryUnitOfWork[IdentityState]):
    users: InMemoryUserRepository
    refresh_sessions: InMemoryRefreshSessionRepository
    mfa_factors: InMemoryMfaFactorRepository
    backup_codes: InMemoryBackupCodeRepository
    mfa_challenges: InMemoryMfaChallengeRepository
    security_events: InMemorySecurityEventRepository
    api_keys: InMemoryApiKeyRepository
    outgoing_mail: InMemoryOutgoingMail
    # provider sign-in
    external_identities: InMemoryExternalIdentityRepository
    # verified email and password reset
    account_tokens: InMemoryAccountTokenRepository

    def bind(self, working: IdentityState) -> None:
        self.users = InMemoryUserRepository(working)
        self.refresh_sessions = InMemoryRefreshSessionRepository(working)
        self.mfa_factors = InMemoryMfaFactorRepository(working)
        self.backup_codes = InMemoryBackupCodeRepository(working)
        self.mfa_challenges = InMemoryMfaChallengeRepository(working)
        self.security_events = InMemorySecurityEventRepository(working)
        self.api_keys = InMemoryApiKeyRepository(working)
        self.outgoing_mail = InMemoryOutgoingMail(working)
        # provider sign-in
        self.external_identities = InMemoryExternalIdentityRepository(working)
        # verified email and password reset
        self.account_tokens = InMemoryAccountTokenRepository(working)


class InMemoryIdentityStore(InMemoryStore[IdentityState]):
    """The in-memory stand-in for the identity tables; call it to open a unit of work."""

    def __init__(self) -> None:
        super().__init__(IdentityState())

    def __call__(self) -> InMemoryIdentityUnitOfWork:
        return InMemoryIdentityUnitOfWork(self)

    async def find_by_digest(self, digest: str) -> FoundApiKey | None:
        """The ApiKeyLookup port: a read of the committed state, outside any unit of work."""
        key = next((k for k in self.state.api_keys.values() if k.digest == digest), None)
        owner = self.state.users.get(key.user_id) if key else None
        return FoundApiKey(api_key=key, owner_scopes=owner.scopes) if key and owner else None
