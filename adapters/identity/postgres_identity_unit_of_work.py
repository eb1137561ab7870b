from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.identity.postgres_account_token_repository import PostgresAccountTokenRepository
from adapters.identity.postgres_api_key_repository import PostgresApiKeyRepository
from adapters.identity.postgres_backup_code_repository import PostgresBackupCodeRepository
from adapters.identity.postgres_external_identity_repository import PostgresExternalIdentityRepository
from adapters.identity.postgres_mfa_challenge_repository import PostgresMfaChallengeRepository
from adapters.identity.postgres_mfa_factor_repository import PostgresMfaFactorRepository
from adapters.identity.postgres_outgoing_mail import PostgresOutgoingMail
from adapters.identity.postgres_refresh_session_repository import PostgresRefreshSessionRepository
from adapters.identity.postgres_security_event_repository import PostgresSecurityEventRepository
from adapters.identity.postgres_user_repository import PostgresUserRepository
from adapters.postgres.unit_of_work import PostgresUnitOfWork
from adapters.shared.system import SystemClock, Uuid4Generator
from application.identity.mfa_ports import SecretBox
from application.shared.ports import Clock, IdGenerator


class PostgresIdentityUnitOfWork(PostgresUnitOfWork):
    users: PostgresUserRepository
    refresh_sessions: PostgresRefreshSessionRepository
    mfa_factors: PostgresMfaFactorRepository
    backup_codes: PostgresBackupCodeRepository
    mfa_challenges: PostgresMfaChallengeRepository
    security_events: PostgresSecurityEventRepository
    api_keys: PostgresApiKeyRepository
    # verified email and password reset
    account_tokens: PostgresAccountTokenRepository
    # outgoing mail
    outgoing_mail: PostgresOutgoingMail
    # provider sign-in
    external_identities: PostgresExternalIdentityRepository

    def __init__(
        self,
        engine: AsyncEngine,
        box: SecretBox | None = None,
        clock: Clock | None = None,
        ids: IdGenerator | None = None,
    ) -> None:
        super().__init__(engine)
        self._box, self._clock, self._ids = box, clock or SystemClock(), ids or Uuid4Generator()

    def bind(self, conn: AsyncConnection) -> None:
        self.users = PostgresUserRepository(conn)
        self.refresh_sessions = PostgresRefreshSessionRepository(conn)
        self.mfa_factors = PostgresMfaFactorRepository(conn)
        self.backup_codes = PostgresBackupCodeRepository(conn)
        self.mfa_challenges = PostgresMfaChallengeRepository(conn)
        self.security_events = PostgresSecurityEventRepository(conn)
        self.api_keys = PostgresApiKeyRepository(conn)
        # verified email and password reset
        self.account_tokens = PostgresAccountTokenRepository(conn)
        # outgoing mail
        self.outgoing_mail = PostgresOutgoingMail(conn, self._box, self._clock, self._ids)
        # provider sign-in
        self.external_identities = PostgresExternalIdentityRepository(conn)


class PostgresIdentityUnitOfWorkFactory:
    """``secret_box`` seals queued mail; a factory made without one (most repository tests) can
    do everything but queue mail."""

    def __init__(
        self,
        engine: AsyncEngine,
        secret_box: SecretBox | None = None,
        clock: Clock | None = None,
        ids: IdGenerator | None = None,
    ) -> None:
        self._engine = engine
        self._box, self._clock, self._ids = secret_box, clock, ids

    def __call__(self) -> PostgresIdentityUnitOfWork:
        return PostgresIdentityUnitOfWork(self._engine, self._box, self._clock, self._ids)
