from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.identity.postgres_account_token_repository import PostgresAccountTokenRepository
from adapters.identity.postgres_api_key_repository import PostgresApiKeyRepository
from adapters.identity.postgres_backup_code_repository import PostgresBackupCodeRepository
from adapters.identity.postgres_mfa_challenge_repository import PostgresMfaChallengeRepository
from adapters.identity.postgres_mfa_factor_repository import PostgresMfaFactorRepository
from adapters.identity.postgres_refresh_session_repository import PostgresRefreshSessionRepository
from adapters.identity.postgres_security_event_repository import PostgresSecurityEventRepository
from adapters.identity.postgres_user_repository import PostgresUserRepository
from adapters.postgres.unit_of_work import PostgresUnitOfWork


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


class PostgresIdentityUnitOfWorkFactory:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    def __call__(self) -> PostgresIdentityUnitOfWork:
        return PostgresIdentityUnitOfWork(self._engine)
