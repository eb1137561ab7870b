"""The composition root: the one place that knows which adapter serves which port."""

from __future__ import annotations

from datetime import timedelta

from dependency_injector import containers, providers
from redis.asyncio import Redis

from adapters.catalog.cached_content_lookup import CachedContentLookup
from adapters.catalog.postgres_content_repository import PostgresContentRepository
from adapters.catalog.postgres_content_search import PostgresContentSearch
from adapters.catalog.postgres_next_episode_finder import PostgresNextEpisodeFinder
from adapters.identity.aes_gcm_secret_box import load_or_create_secret_box
from adapters.identity.argon2_password_hasher import Argon2PasswordHasher, backup_code_hasher
from adapters.identity.jwt_access_token_issuer import JwtAccessTokenIssuer
from adapters.identity.postgres_api_key_and_event_repositories import PostgresApiKeyLookup
from adapters.identity.postgres_identity_unit_of_work import PostgresIdentityUnitOfWorkFactory
from adapters.identity.pyotp_totp import PyOtpTotp
from adapters.identity.redis_limits import (
    RedisApiKeyRateLimiter,
    RedisApiKeyUsageRecorder,
    RedisClientRateLimiter,
    RedisFactorAttemptGuard,
    RedisRegistrationLimiter,
)
from adapters.identity.redis_login_throttle import RedisLoginThrottle
from adapters.identity.redis_revoked_sessions import RedisRevokedSessions
from adapters.identity.segno_qr_renderer import SegnoQrRenderer
from adapters.identity.signing_keys import load_or_create_signing_key
from adapters.identity.zxcvbn_common_passwords import common_passwords
from adapters.playback.postgres_continue_watching import PostgresContinueWatching
from adapters.playback.postgres_progress_archive import PostgresProgressArchive
from adapters.playback.redis_progress_store import RedisProgressStore
from adapters.playback.sync_brokers import RedisSyncBroker
from adapters.postgres.database import create_engine, read_only
from adapters.shared.system import SystemClock, UrandomSecretGenerator, Uuid4Generator
from application.catalog.get_content import GetContent
from application.catalog.import_catalog import ImportCatalog
from application.catalog.search_catalog import SearchCatalog
from application.identity.api_keys import CreateApiKey, ListApiKeys, ReportLeakedApiKeys, RevokeApiKey
from application.identity.authenticate import Authenticate
from application.identity.complete_mfa_challenge import CompleteMfaChallenge
from application.identity.confirm_mfa import ConfirmMfa
from application.identity.confirm_password import ConfirmPassword
from application.identity.enroll_mfa import EnrollMfa
from application.identity.factor_checker import FactorChecker
from application.identity.get_profile import GetProfile
from application.identity.list_security_events import ListSecurityEvents
from application.identity.log_in import LogIn
from application.identity.log_out import LogOut
from application.identity.mfa_settings import DisableMfa, GetMfaStatus, RegenerateBackupCodes
from application.identity.purge_expired_sessions import PurgeExpiredSessions
from application.identity.refresh_tokens import RefreshTokens
from application.identity.register_account import RegisterAccount
from application.identity.tokens import SessionIssuer
from application.identity.update_profile import UpdateProfile
from application.playback.archive_progress import ArchiveProgressChanges, ArchiveViewerProgress
from application.playback.continue_watching import (
    DismissFromContinueWatching,
    GetResumePoint,
    ListContinueWatching,
    RemoveStaleProgress,
)
from application.playback.record_progress import RecordProgress
from domain.identity.password_policy import PasswordPolicy
from entrypoints.config import Settings


class Container(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)

    clock = providers.Singleton(SystemClock)
    ids = providers.Singleton(Uuid4Generator)
    secrets = providers.Singleton(UrandomSecretGenerator)

    engine = providers.Singleton(create_engine, settings.provided.database_url)
    reads = providers.Singleton(read_only, engine)
    redis = providers.Singleton(Redis.from_url, settings.provided.redis_url)

    # identity
    identity_uow = providers.Singleton(PostgresIdentityUnitOfWorkFactory, engine)
    password_hasher = providers.Singleton(Argon2PasswordHasher)
    password_policy = providers.Singleton(PasswordPolicy, providers.Singleton(common_passwords))
    login_throttle = providers.Singleton(
        RedisLoginThrottle,
        redis,
        account_limit=settings.provided.login_failures_per_account,
        account_ip_limit=settings.provided.login_failures_per_account_and_ip,
        ip_limit=settings.provided.login_failures_per_ip,
        window_seconds=settings.provided.login_failure_window_seconds,
    )
    signing_key = providers.Singleton(
        load_or_create_signing_key,
        settings.provided.jwt_private_key,
        settings.provided.signing_key_path,
    )
    access_tokens = providers.Singleton(
        JwtAccessTokenIssuer,
        signing_key,
        clock,
        providers.Factory(timedelta, seconds=settings.provided.access_token_ttl_seconds),
    )
    session_issuer = providers.Singleton(
        SessionIssuer,
        access_tokens=access_tokens,
        ids=ids,
        secrets=secrets,
        refresh_ttl=providers.Factory(timedelta, days=settings.provided.refresh_token_ttl_days),
    )
    registration_limiter = providers.Singleton(
        RedisRegistrationLimiter,
        redis,
        per_ip=settings.provided.registrations_per_ip,
        ip_window_seconds=settings.provided.registration_ip_window_seconds,
        per_minute=settings.provided.registrations_per_minute,
    )
    register_account = providers.Singleton(
        RegisterAccount,
        uow=identity_uow,
        hasher=password_hasher,
        policy=password_policy,
        limiter=registration_limiter,
        clock=clock,
        ids=ids,
    )
    log_in = providers.Singleton(
        LogIn,
        uow=identity_uow,
        hasher=password_hasher,
        throttle=login_throttle,
        sessions=session_issuer,
        clock=clock,
        ids=ids,
        secrets=secrets,
    )
    # Remembered as long as an access token can pass verification (its lifetime plus the leeway).
    revoked_sessions = providers.Singleton(
        RedisRevokedSessions,
        redis,
        remember_for=providers.Factory(timedelta, seconds=settings.provided.access_token_ttl_seconds, minutes=1),
    )
    refresh_reuse_grace = providers.Factory(timedelta, seconds=settings.provided.refresh_reuse_grace_seconds)
    log_out = providers.Singleton(LogOut, uow=identity_uow, clock=clock, revoked_sessions=revoked_sessions)
    get_profile = providers.Singleton(GetProfile, uow=identity_uow)
    update_profile = providers.Singleton(UpdateProfile, uow=identity_uow)
    api_key_rate_limiter = providers.Singleton(RedisApiKeyRateLimiter, redis)
    api_key_usage = providers.Singleton(RedisApiKeyUsageRecorder, redis)
    invalid_api_key_throttle = providers.Singleton(
        RedisLoginThrottle, redis, account_limit=20, account_ip_limit=20, ip_limit=20, window_seconds=60
    )
    api_key_lookup = providers.Singleton(PostgresApiKeyLookup, reads)
    authenticate = providers.Singleton(
        Authenticate,
        access_tokens=access_tokens,
        keys=api_key_lookup,
        uow=identity_uow,
        rate_limiter=api_key_rate_limiter,
        usage=api_key_usage,
        invalid_key_throttle=invalid_api_key_throttle,
        clock=clock,
        revoked_sessions=revoked_sessions,
    )
    confirm_password = providers.Singleton(ConfirmPassword, hasher=password_hasher, throttle=login_throttle)
    create_api_key = providers.Singleton(
        CreateApiKey, uow=identity_uow, secrets=secrets, ids=ids, clock=clock, confirm_password=confirm_password
    )
    list_api_keys = providers.Singleton(ListApiKeys, uow=identity_uow)
    revoke_api_key = providers.Singleton(RevokeApiKey, uow=identity_uow, ids=ids, clock=clock)
    leak_report_limiter = providers.Singleton(
        RedisClientRateLimiter,
        redis,
        name="leaked-key-reports",
        limit=settings.provided.leaked_key_reports_per_ip,
        window_seconds=60,
    )
    report_leaked_api_keys = providers.Singleton(
        ReportLeakedApiKeys, uow=identity_uow, ids=ids, clock=clock, limiter=leak_report_limiter
    )
    list_security_events = providers.Singleton(ListSecurityEvents, uow=identity_uow)

    # multi-factor authentication
    totp = providers.Singleton(PyOtpTotp)
    qr_renderer = providers.Singleton(SegnoQrRenderer)
    secret_box = providers.Singleton(
        load_or_create_secret_box,
        settings.provided.mfa_encryption_key,
        settings.provided.mfa_encryption_previous_keys,
        settings.provided.mfa_key_path,
    )
    # The refresh grace window keeps a rotated token's successor sealed by the same box.
    refresh_tokens = providers.Singleton(
        RefreshTokens,
        uow=identity_uow,
        sessions=session_issuer,
        clock=clock,
        secret_box=secret_box,
        revoked_sessions=revoked_sessions,
        reuse_grace=refresh_reuse_grace,
    )
    backup_code_hasher = providers.Singleton(backup_code_hasher)
    factor_attempt_guard = providers.Singleton(
        RedisFactorAttemptGuard,
        redis,
        per_account=settings.provided.mfa_attempts_per_account,
        per_ip_and_account=settings.provided.mfa_attempts_per_ip,
        per_ip=settings.provided.mfa_attempts_per_ip_all_accounts,
    )
    factor_checker = providers.Singleton(
        FactorChecker,
        uow=identity_uow,
        totp=totp,
        secret_box=secret_box,
        backup_hasher=backup_code_hasher,
        guard=factor_attempt_guard,
        clock=clock,
        ids=ids,
    )
    enroll_mfa = providers.Singleton(
        EnrollMfa,
        uow=identity_uow,
        totp=totp,
        qr=qr_renderer,
        secret_box=secret_box,
        clock=clock,
        ids=ids,
        confirm_password=confirm_password,
    )
    confirm_mfa = providers.Singleton(
        ConfirmMfa, checker=factor_checker, backup_hasher=backup_code_hasher, secrets=secrets, ids=ids, clock=clock
    )
    complete_mfa_challenge = providers.Singleton(
        CompleteMfaChallenge, uow=identity_uow, checker=factor_checker, sessions=session_issuer, clock=clock, ids=ids
    )
    get_mfa_status = providers.Singleton(GetMfaStatus, uow=identity_uow)
    regenerate_backup_codes = providers.Singleton(
        RegenerateBackupCodes,
        checker=factor_checker,
        backup_hasher=backup_code_hasher,
        secrets=secrets,
        ids=ids,
        clock=clock,
    )
    disable_mfa = providers.Singleton(
        DisableMfa, checker=factor_checker, confirm_password=confirm_password, ids=ids, clock=clock
    )
    purge_expired_sessions = providers.Singleton(
        PurgeExpiredSessions, uow=identity_uow, clock=clock, reuse_grace=refresh_reuse_grace
    )

    # playback
    progress_archive = providers.Singleton(PostgresProgressArchive, engine)
    progress_store = providers.Singleton(RedisProgressStore, redis, progress_archive)
    continue_watching_query = providers.Singleton(PostgresContinueWatching, reads)
    next_episode_finder = providers.Singleton(PostgresNextEpisodeFinder, engine)
    sync_broker = providers.Singleton(RedisSyncBroker, redis)

    # catalog
    content_repository = providers.Singleton(PostgresContentRepository, engine)
    content_lookup = providers.Singleton(CachedContentLookup, content_repository)
    content_search = providers.Singleton(PostgresContentSearch, reads)
    get_content = providers.Singleton(GetContent, content_repository)
    search_catalog = providers.Singleton(SearchCatalog, content_search)
    import_catalog = providers.Singleton(ImportCatalog, content_repository)

    record_progress = providers.Singleton(
        RecordProgress,
        store=progress_store,
        contents=content_lookup,
        next_episodes=next_episode_finder,
        clock=clock,
        completion_threshold=settings.provided.completion_threshold,
    )
    archive_viewer_progress = providers.Singleton(
        ArchiveViewerProgress, journal=progress_store, archive=progress_archive
    )
    archive_progress_changes = providers.Singleton(
        ArchiveProgressChanges, journal=progress_store, archive=progress_archive
    )
    list_continue_watching = providers.Singleton(ListContinueWatching, continue_watching_query, archive_viewer_progress)
    get_resume_point = providers.Singleton(GetResumePoint, progress_store)
    dismiss_from_continue_watching = providers.Singleton(DismissFromContinueWatching, store=progress_store, clock=clock)
    remove_stale_progress = providers.Singleton(
        RemoveStaleProgress,
        archive=progress_archive,
        clock=clock,
        stale_after=providers.Factory(timedelta, days=settings.provided.stale_progress_days),
    )
