"""The identity context: accounts and sessions, the second factor, API keys."""

from __future__ import annotations

import operator
from datetime import timedelta

from dependency_injector import containers, providers

from adapters.identity.aes_gcm_secret_box import load_or_create_secret_box
from adapters.identity.argon2_password_hasher import Argon2PasswordHasher, backup_code_hasher
from adapters.identity.jwt_access_token_issuer import JwtAccessTokenIssuer
from adapters.identity.postgres_api_key_lookup import PostgresApiKeyLookup
from adapters.identity.postgres_identity_unit_of_work import PostgresIdentityUnitOfWorkFactory
from adapters.identity.pyotp_totp import PyOtpTotp
from adapters.identity.redis_api_key_rate_limiter import RedisApiKeyRateLimiter
from adapters.identity.redis_api_key_usage_recorder import RedisApiKeyUsageRecorder
from adapters.identity.redis_client_rate_limiter import RedisClientRateLimiter
from adapters.identity.redis_device_authorization_store import RedisDeviceAuthorizationStore
from adapters.identity.redis_device_code_guess_guard import RedisDeviceCodeGuessGuard
from adapters.identity.redis_factor_attempt_guard import RedisFactorAttemptGuard
from adapters.identity.redis_login_code_store import RedisLoginCodeStore
from adapters.identity.redis_login_throttle import RedisLoginThrottle
from adapters.identity.redis_provider_flow_store import RedisProviderFlowStore
from adapters.identity.redis_registration_limiter import RedisRegistrationLimiter
from adapters.identity.redis_revoked_sessions import RedisRevokedSessions
from adapters.identity.segno_qr_renderer import SegnoQrRenderer
from adapters.identity.signing_keys import load_or_create_signing_key
from adapters.identity.zxcvbn_common_passwords import common_passwords
from application.identity.account_mails import AccountMails
from application.identity.administrators import GrantAdmin, RevokeAdmin
from application.identity.api_keys import CreateApiKey, ListApiKeys, ReportLeakedApiKeys, RevokeApiKey
from application.identity.approve_device import ApproveDevice, DenyDevice
from application.identity.authenticate import Authenticate
from application.identity.complete_mfa_challenge import CompleteMfaChallenge
from application.identity.complete_provider_sign_in import CompleteProviderSignIn
from application.identity.confirm_mfa import ConfirmMfa
from application.identity.confirm_password import ConfirmPassword
from application.identity.email_verification import RequestEmailVerification, VerifyEmail
from application.identity.enroll_mfa import EnrollMfa
from application.identity.exchange_login_code import ExchangeLoginCode
from application.identity.factor_checker import FactorChecker
from application.identity.get_profile import GetProfile
from application.identity.identity_links import ConfirmIdentityLink, ListIdentities, StartLinkIdentity, UnlinkIdentity
from application.identity.identity_provider_ports import ConfiguredProviders
from application.identity.list_security_events import ListSecurityEvents
from application.identity.log_in import LogIn
from application.identity.log_out import LogOut
from application.identity.mfa_settings import DisableMfa, GetMfaStatus, RegenerateBackupCodes
from application.identity.password_reset import RequestPasswordReset, ResetPassword
from application.identity.poll_device_token import PollDeviceToken
from application.identity.provider_flow import FLOW_TTL, LOGIN_CODE_TTL, ProviderFlows
from application.identity.purge_expired_sessions import PurgeExpiredSessions
from application.identity.refresh_tokens import RefreshTokens
from application.identity.register_account import RegisterAccount
from application.identity.sessions_list import ListSessions, RevokeSession
from application.identity.sign_in_answer import SignInAnswer
from application.identity.start_device_authorization import StartDeviceAuthorization
from application.identity.start_provider_sign_in import StartProviderSignIn
from application.identity.tokens import SessionIssuer
from application.identity.update_profile import UpdateProfile
from domain.identity.device_authorization import DEVICE_LIMITS_WINDOW_SECONDS
from domain.identity.password_policy import PasswordPolicy
from entrypoints.config import Settings

# A wrong API key costs as much as a wrong password: the same throttle, fixed limits.
INVALID_API_KEY_LIMITS = {"account_limit": 20, "account_ip_limit": 20, "ip_limit": 20, "window_seconds": 60}


class IdentityAdapters(containers.DeclarativeContainer):
    """What identity keeps in PostgreSQL and Redis, and the deliberately slow hashers (tests swap them)."""

    settings = providers.Dependency(instance_of=Settings)
    shared = providers.DependenciesContainer()

    # One box seals TOTP secrets, refresh successors and queued mail (the unit of work writes that).
    secret_box = providers.Singleton(
        load_or_create_secret_box,
        settings.provided.mfa_encryption_key,
        settings.provided.mfa_encryption_previous_keys,
        settings.provided.mfa_key_path,
    )
    uow = providers.Singleton(PostgresIdentityUnitOfWorkFactory, shared.engine, secret_box, shared.clock, shared.ids)
    api_key_lookup = providers.Singleton(PostgresApiKeyLookup, shared.reads)
    password_hasher = providers.Singleton(Argon2PasswordHasher)
    backup_code_hasher = providers.Singleton(backup_code_hasher)
    login_throttle = providers.Singleton(
        RedisLoginThrottle,
        shared.redis,
        account_limit=settings.provided.login_failures_per_account,
        account_ip_limit=settings.provided.login_failures_per_account_and_ip,
        ip_limit=settings.provided.login_failures_per_ip,
        window_seconds=settings.provided.login_failure_window_seconds,
    )
    invalid_api_key_throttle = providers.Singleton(RedisLoginThrottle, shared.redis, **INVALID_API_KEY_LIMITS)
    registration_limiter = providers.Singleton(
        RedisRegistrationLimiter,
        shared.redis,
        per_ip=settings.provided.registrations_per_ip,
        ip_window_seconds=settings.provided.registration_ip_window_seconds,
        per_minute=settings.provided.registrations_per_minute,
    )
    # Remembered as long as an access token can pass verification (its lifetime plus the leeway).
    revoked_sessions = providers.Singleton(
        RedisRevokedSessions,
        shared.redis,
        remember_for=providers.Factory(timedelta, seconds=settings.provided.access_token_ttl_seconds, minutes=1),
    )
    api_key_rate_limiter = providers.Singleton(RedisApiKeyRateLimiter, shared.redis)
    api_key_usage = providers.Singleton(RedisApiKeyUsageRecorder, shared.redis)
    leak_report_limiter = providers.Singleton(
        RedisClientRateLimiter,
        shared.redis,
        name="leaked-key-reports",
        limit=settings.provided.leaked_key_reports_per_ip,
        window_seconds=60,
    )
    factor_attempt_guard = providers.Singleton(
        RedisFactorAttemptGuard,
        shared.redis,
        per_account=settings.provided.mfa_attempts_per_account,
        per_ip_and_account=settings.provided.mfa_attempts_per_ip,
        per_ip=settings.provided.mfa_attempts_per_ip_all_accounts,
    )

    # provider sign-in: flows between authorize and callback, one-time login codes
    provider_flows = providers.Singleton(RedisProviderFlowStore, shared.redis, ttl=FLOW_TTL)
    login_codes = providers.Singleton(RedisLoginCodeStore, shared.redis, ttl=LOGIN_CODE_TTL)

    # TV sign-in (RFC 8628)
    device_authorizations = providers.Singleton(RedisDeviceAuthorizationStore, shared.redis)
    device_code_guess_guard = providers.Singleton(
        RedisDeviceCodeGuessGuard, shared.redis, per_ip=settings.provided.sign_in.device_code_guesses_per_ip
    )
    device_start_limiter = providers.Singleton(
        RedisClientRateLimiter,
        shared.redis,
        name="device-authorizations",
        limit=settings.provided.sign_in.device_authorizations_per_ip,
        window_seconds=DEVICE_LIMITS_WINDOW_SECONDS,
    )

    # verified email and password reset
    email_verification_limiter = providers.Singleton(
        RedisClientRateLimiter,
        shared.redis,
        name="email-verification",
        limit=settings.provided.sign_in.email_verifications_per_hour,
        window_seconds=3600,
    )
    password_reset_address_limiter = providers.Singleton(
        RedisClientRateLimiter,
        shared.redis,
        name="password-reset-address",
        limit=settings.provided.sign_in.password_resets_per_hour,
        window_seconds=3600,
    )
    password_reset_ip_limiter = providers.Singleton(
        RedisClientRateLimiter,
        shared.redis,
        name="password-reset-ip",
        limit=providers.Callable(operator.mul, settings.provided.sign_in.password_resets_per_hour, 4),
        window_seconds=3600,
    )


class Identity(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    shared = providers.DependenciesContainer()
    adapters = providers.DependenciesContainer()

    clock, ids, secrets, uow = shared.clock, shared.ids, shared.secrets, adapters.uow

    # accounts and sessions
    password_policy = providers.Singleton(PasswordPolicy, providers.Singleton(common_passwords))
    signing_key = providers.Singleton(
        load_or_create_signing_key, settings.provided.jwt_private_key, settings.provided.signing_key_path
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
    # The refresh grace window keeps a rotated token's successor sealed by the same box as TOTP secrets.
    secret_box = adapters.secret_box
    refresh_reuse_grace = providers.Factory(timedelta, seconds=settings.provided.refresh_reuse_grace_seconds)
    log_in = providers.Singleton(
        LogIn,
        uow=uow,
        hasher=adapters.password_hasher,
        throttle=adapters.login_throttle,
        sessions=session_issuer,
        clock=clock,
        ids=ids,
        secrets=secrets,
    )
    refresh_tokens = providers.Singleton(
        RefreshTokens,
        uow=uow,
        sessions=session_issuer,
        clock=clock,
        secret_box=secret_box,
        revoked_sessions=adapters.revoked_sessions,
        reuse_grace=refresh_reuse_grace,
    )
    log_out = providers.Singleton(LogOut, uow=uow, clock=clock, revoked_sessions=adapters.revoked_sessions)
    authenticate = providers.Singleton(
        Authenticate,
        access_tokens=access_tokens,
        keys=adapters.api_key_lookup,
        uow=uow,
        rate_limiter=adapters.api_key_rate_limiter,
        usage=adapters.api_key_usage,
        invalid_key_throttle=adapters.invalid_api_key_throttle,
        clock=clock,
        revoked_sessions=adapters.revoked_sessions,
    )
    confirm_password = providers.Singleton(
        ConfirmPassword, hasher=adapters.password_hasher, throttle=adapters.login_throttle
    )
    get_profile = providers.Singleton(GetProfile, uow=uow)
    update_profile = providers.Singleton(UpdateProfile, uow=uow)
    list_security_events = providers.Singleton(ListSecurityEvents, uow=uow)
    purge_expired_sessions = providers.Singleton(
        PurgeExpiredSessions, uow=uow, clock=clock, reuse_grace=refresh_reuse_grace
    )

    # API keys
    create_api_key = providers.Singleton(
        CreateApiKey, uow=uow, secrets=secrets, ids=ids, clock=clock, confirm_password=confirm_password
    )
    list_api_keys = providers.Singleton(ListApiKeys, uow=uow, clock=clock)
    revoke_api_key = providers.Singleton(RevokeApiKey, uow=uow, ids=ids, clock=clock)
    report_leaked_api_keys = providers.Singleton(
        ReportLeakedApiKeys, uow=uow, ids=ids, clock=clock, limiter=adapters.leak_report_limiter
    )

    # administrators (operator commands only)
    grant_admin = providers.Singleton(GrantAdmin, uow=uow, ids=ids, clock=clock)
    revoke_admin = providers.Singleton(RevokeAdmin, uow=uow, ids=ids, clock=clock)

    # the second factor
    totp = providers.Singleton(PyOtpTotp)
    qr_renderer = providers.Singleton(SegnoQrRenderer)
    factor_checker = providers.Singleton(
        FactorChecker,
        uow=uow,
        totp=totp,
        secret_box=secret_box,
        backup_hasher=adapters.backup_code_hasher,
        guard=adapters.factor_attempt_guard,
        clock=clock,
        ids=ids,
    )
    enroll_mfa = providers.Singleton(
        EnrollMfa,
        uow=uow,
        totp=totp,
        qr=qr_renderer,
        secret_box=secret_box,
        clock=clock,
        ids=ids,
        confirm_password=confirm_password,
    )
    confirm_mfa = providers.Singleton(
        ConfirmMfa,
        checker=factor_checker,
        backup_hasher=adapters.backup_code_hasher,
        secrets=secrets,
        ids=ids,
        clock=clock,
    )
    complete_mfa_challenge = providers.Singleton(
        CompleteMfaChallenge, uow=uow, checker=factor_checker, sessions=session_issuer, clock=clock, ids=ids
    )
    get_mfa_status = providers.Singleton(GetMfaStatus, uow=uow)
    regenerate_backup_codes = providers.Singleton(
        RegenerateBackupCodes,
        checker=factor_checker,
        backup_hasher=adapters.backup_code_hasher,
        secrets=secrets,
        ids=ids,
        clock=clock,
    )
    disable_mfa = providers.Singleton(
        DisableMfa, checker=factor_checker, confirm_password=confirm_password, ids=ids, clock=clock
    )

    # provider sign-in and linking. The configured providers come from the root container (GitHub,
    # Google); none until it passes them, so every provider route answers 404.
    identity_providers = providers.Dependency(default=providers.Object(ConfiguredProviders(providers={})))
    provider_flows = providers.Singleton(
        ProviderFlows,
        providers=identity_providers,
        flows=adapters.provider_flows,
        secrets=secrets,
        clock=clock,
        allowed_redirect_uris=settings.provided.sign_in.oauth_redirect_uris,
        callback_url_template=providers.Callable(
            "{}/api/v1/auth/oauth/{{provider}}/callback".format, settings.provided.public_base_url
        ),
    )
    sign_in_answer = providers.Singleton(SignInAnswer, sessions=session_issuer, ids=ids, secrets=secrets)
    start_provider_sign_in = providers.Singleton(StartProviderSignIn, flows=provider_flows)
    complete_provider_sign_in = providers.Singleton(
        CompleteProviderSignIn,
        uow=uow,
        flows=provider_flows,
        login_codes=adapters.login_codes,
        answer=sign_in_answer,
        clock=clock,
        ids=ids,
        secrets=secrets,
    )
    exchange_login_code = providers.Singleton(
        ExchangeLoginCode, uow=uow, login_codes=adapters.login_codes, answer=sign_in_answer, clock=clock
    )
    list_identities = providers.Singleton(ListIdentities, uow=uow)
    start_link_identity = providers.Singleton(StartLinkIdentity, uow=uow, flows=provider_flows, clock=clock)
    unlink_identity = providers.Singleton(UnlinkIdentity, uow=uow, flows=provider_flows, ids=ids, clock=clock)

    # TV sign-in (RFC 8628) and the sessions list
    start_device_authorization = providers.Singleton(
        StartDeviceAuthorization,
        store=adapters.device_authorizations,
        limiter=adapters.device_start_limiter,
        secrets=secrets,
        clock=clock,
        # Where the TV tells its viewer to type the code: the service's web page for it.
        verification_uri=providers.Callable("{}/device".format, settings.provided.public_base_url),
    )
    approve_device = providers.Singleton(
        ApproveDevice,
        store=adapters.device_authorizations,
        guard=adapters.device_code_guess_guard,
        uow=uow,
        ids=ids,
        clock=clock,
    )
    deny_device = providers.Singleton(
        DenyDevice, store=adapters.device_authorizations, guard=adapters.device_code_guess_guard, clock=clock
    )
    poll_device_token = providers.Singleton(
        PollDeviceToken, store=adapters.device_authorizations, uow=uow, sessions=session_issuer, ids=ids, clock=clock
    )
    list_sessions = providers.Singleton(ListSessions, uow=uow, clock=clock)
    revoke_session = providers.Singleton(
        RevokeSession, uow=uow, clock=clock, revoked_sessions=adapters.revoked_sessions, ids=ids
    )

    # link-from-settings confirmation (the callback answers a link code; the account's own session confirms it)
    confirm_identity_link = providers.Singleton(
        ConfirmIdentityLink, uow=uow, flows=provider_flows, login_codes=adapters.login_codes, ids=ids, clock=clock
    )

    # verified email and password reset (registration mails the verification link, so it lives here)
    account_mails = providers.Singleton(AccountMails, settings.provided.public_base_url)
    register_account = providers.Singleton(
        RegisterAccount,
        uow=uow,
        hasher=adapters.password_hasher,
        policy=password_policy,
        limiter=adapters.registration_limiter,
        clock=clock,
        ids=ids,
        mails=account_mails,
        secrets=secrets,
    )
    request_email_verification = providers.Singleton(
        RequestEmailVerification,
        uow=uow,
        mails=account_mails,
        limiter=adapters.email_verification_limiter,
        clock=clock,
        ids=ids,
        secrets=secrets,
    )
    verify_email = providers.Singleton(VerifyEmail, uow=uow, clock=clock, ids=ids)
    request_password_reset = providers.Singleton(
        RequestPasswordReset,
        uow=uow,
        mails=account_mails,
        ip_limiter=adapters.password_reset_ip_limiter,
        address_limiter=adapters.password_reset_address_limiter,
        clock=clock,
        ids=ids,
        secrets=secrets,
    )
    reset_password = providers.Singleton(
        ResetPassword,
        uow=uow,
        hasher=adapters.password_hasher,
        policy=password_policy,
        throttle=adapters.login_throttle,
        revoked_sessions=adapters.revoked_sessions,
        clock=clock,
        ids=ids,
    )
