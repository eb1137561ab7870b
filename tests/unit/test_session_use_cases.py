"""The identity use cases, edge to edge, on in-memory adapters and a manual clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.identity.argon2_password_hasher import fast_test_hasher
from adapters.identity.in_memory_identity_unit_of_work import InMemoryIdentityStore
from adapters.identity.in_memory_limits import InMemoryRegistrationLimiter
from adapters.identity.in_memory_login_throttle import InMemoryLoginThrottle
from adapters.identity.jwt_access_token_issuer import JwtAccessTokenIssuer
from adapters.identity.signing_keys import Ed25519SigningKey
from adapters.shared.manual_clock import ManualClock
from adapters.shared.system import UrandomSecretGenerator, Uuid4Generator
from application.identity.log_in import LogIn, LogInCommand
from application.identity.purge_expired_sessions import PurgeExpiredSessions
from application.identity.refresh_tokens import RefreshTokens, RefreshTokensCommand
from application.identity.register_account import RegisterAccount, RegisterAccountCommand
from application.identity.tokens import SessionIssuer
from domain.identity.errors import InvalidCredentials, InvalidRefreshToken
from domain.identity.password_policy import PasswordPolicy
from domain.shared.errors import TooManyAttempts


class Identity:
    def __init__(self) -> None:
        self.clock = ManualClock()
        self.store = InMemoryIdentityStore()
        ids = Uuid4Generator()
        self.tokens = JwtAccessTokenIssuer(Ed25519SigningKey.generate(), self.clock, timedelta(minutes=15))
        sessions = SessionIssuer(self.tokens, ids, UrandomSecretGenerator(), timedelta(days=30))
        hasher = fast_test_hasher()
        throttle = InMemoryLoginThrottle(
            self.clock, account_limit=100, account_ip_limit=3, ip_limit=10, window_seconds=600
        )
        limiter = InMemoryRegistrationLimiter(self.clock, per_ip=10, ip_window_seconds=3600, per_minute=60)
        self.register = RegisterAccount(self.store, hasher, PasswordPolicy(frozenset()), limiter, self.clock, ids)
        self.log_in = LogIn(self.store, hasher, throttle, sessions, self.clock, ids, UrandomSecretGenerator())
        self.refresh = RefreshTokens(self.store, sessions, self.clock)
        self.purge = PurgeExpiredSessions(self.store, self.clock)


@pytest.fixture
def identity() -> Identity:
    return Identity()


async def test_passwords_are_stored_only_as_argon2id_hashes(identity: Identity) -> None:
    await identity.register(RegisterAccountCommand("ana@example.com", "a fine passphrase"))
    (stored,) = identity.store.state.users.values()
    assert stored.password_hash.startswith("$argon2id$")
    assert "a fine passphrase" not in stored.password_hash


async def test_registering_a_taken_email_leaves_the_account_as_it_was(identity: Identity) -> None:
    await identity.register(RegisterAccountCommand("ana@example.com", "a fine passphrase"))
    again = await identity.register(RegisterAccountCommand("ANA@example.com", "another passphrase"))
    assert again.email == "ana@example.com"
    assert len(identity.store.state.users) == 1
    await identity.log_in(LogInCommand("ana@example.com", "a fine passphrase"))
    with pytest.raises(InvalidCredentials):
        await identity.log_in(LogInCommand("ana@example.com", "another passphrase"))


async def test_the_refresh_token_itself_is_never_stored(identity: Identity) -> None:
    await identity.register(RegisterAccountCommand("ana@example.com", "a fine passphrase"))
    pair = await identity.log_in(LogInCommand("ana@example.com", "a fine passphrase"))
    stored = list(identity.store.state.sessions.values())
    assert len(stored) == 1
    assert pair.refresh_token not in repr(stored)


async def test_refresh_keeps_the_original_auth_time(identity: Identity) -> None:
    await identity.register(RegisterAccountCommand("ana@example.com", "a fine passphrase"))
    pair = await identity.log_in(LogInCommand("ana@example.com", "a fine passphrase"))
    signed_in_at = identity.tokens.verify(pair.access_token).auth_time
    identity.clock.advance(timedelta(hours=2))
    refreshed = await identity.refresh(RefreshTokensCommand(pair.refresh_token))
    claims = identity.tokens.verify(refreshed.access_token)
    assert claims.auth_time == signed_in_at
    assert claims.issued_at > signed_in_at


async def test_an_expired_refresh_token_is_refused(identity: Identity) -> None:
    await identity.register(RegisterAccountCommand("ana@example.com", "a fine passphrase"))
    pair = await identity.log_in(LogInCommand("ana@example.com", "a fine passphrase"))
    identity.clock.advance(timedelta(days=31))
    with pytest.raises(InvalidRefreshToken):
        await identity.refresh(RefreshTokensCommand(pair.refresh_token))


async def test_the_ip_is_throttled_across_accounts(identity: Identity) -> None:
    for n in range(10):
        with pytest.raises(InvalidCredentials):
            await identity.log_in(LogInCommand(f"user{n}@example.com", "wrong", client_ip="203.0.113.9"))
    with pytest.raises(TooManyAttempts):
        await identity.log_in(LogInCommand("someone@example.com", "wrong", client_ip="203.0.113.9"))


async def test_a_successful_login_resets_the_account_counter(identity: Identity) -> None:
    await identity.register(RegisterAccountCommand("ana@example.com", "a fine passphrase"))
    for _ in range(2):
        with pytest.raises(InvalidCredentials):
            await identity.log_in(LogInCommand("ana@example.com", "typo"))
    await identity.log_in(LogInCommand("ana@example.com", "a fine passphrase"))
    for _ in range(2):
        with pytest.raises(InvalidCredentials):
            await identity.log_in(LogInCommand("ana@example.com", "typo"))
    await identity.log_in(LogInCommand("ana@example.com", "a fine passphrase"))


async def test_housekeeping_purges_sessions_long_expired(identity: Identity) -> None:
    await identity.register(RegisterAccountCommand("ana@example.com", "a fine passphrase"))
    await identity.log_in(LogInCommand("ana@example.com", "a fine passphrase"))
    assert await identity.purge() == 0
    identity.clock.advance(timedelta(days=38))
    assert await identity.purge() == 1


async def test_a_passphrase_typed_in_another_unicode_form_still_signs_in(identity: Identity) -> None:
    composed = "caf\u00e9 au lait please"
    decomposed = "cafe\u0301 au lait please"
    await identity.register(RegisterAccountCommand("ana@example.com", composed))
    await identity.log_in(LogInCommand("ana@example.com", decomposed))
