"""Registration and sign-in under the limits, edge to edge on in-memory adapters: what the
answers must not reveal, and what must not cost a password hash."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.identity.argon2_password_hasher import fast_test_hasher
from adapters.identity.in_memory_identity_unit_of_work import InMemoryIdentityStore
from adapters.identity.in_memory_login_throttle import InMemoryLoginThrottle
from adapters.identity.in_memory_registration_limiter import InMemoryRegistrationLimiter
from adapters.identity.jwt_access_token_issuer import JwtAccessTokenIssuer
from adapters.identity.signing_keys import Ed25519SigningKey
from adapters.shared.manual_clock import ManualClock
from adapters.shared.system import UrandomSecretGenerator, Uuid4Generator
from application.identity.account_mails import AccountMails
from application.identity.log_in import LogIn, LogInCommand
from application.identity.register_account import RegisterAccount, RegisterAccountCommand
from application.identity.tokens import SessionIssuer
from domain.identity.email import InvalidEmail
from domain.identity.errors import InvalidCredentials
from domain.identity.password_policy import PasswordPolicy, WeakPassword
from domain.shared.errors import TooManyAttempts

PER_IP = 10
ADDRESS = "203.0.113.9"


class CountingHasher:
    """The real (fast) Argon2id hasher, counting the hashes it computes."""

    def __init__(self) -> None:
        self._hasher = fast_test_hasher()
        self.hashes = 0

    async def hash(self, password: str) -> str:
        self.hashes += 1
        return await self._hasher.hash(password)

    async def verify(self, password_hash: str, password: str) -> bool:
        self.hashes += 1
        return await self._hasher.verify(password_hash, password)

    async def verify_against_nothing(self, password: str) -> None:
        self.hashes += 1
        await self._hasher.verify_against_nothing(password)


class Service:
    def __init__(self, registrations_per_ip: int = 3) -> None:
        self.clock = ManualClock()
        self.store = InMemoryIdentityStore()
        self.hasher = CountingHasher()
        ids, secrets = Uuid4Generator(), UrandomSecretGenerator()
        tokens = JwtAccessTokenIssuer(Ed25519SigningKey.generate(), self.clock, timedelta(minutes=15))
        sessions = SessionIssuer(tokens, ids, secrets, timedelta(days=30))
        throttle = InMemoryLoginThrottle(
            self.clock, account_limit=100, account_ip_limit=10, ip_limit=PER_IP, window_seconds=900
        )
        limiter = InMemoryRegistrationLimiter(
            self.clock, per_ip=registrations_per_ip, ip_window_seconds=3600, per_minute=60
        )
        mails = AccountMails("https://media-gateway.example")
        self.register = RegisterAccount(
            self.store, self.hasher, PasswordPolicy(frozenset()), limiter, self.clock, ids, mails, secrets
        )
        self.log_in = LogIn(self.store, self.hasher, throttle, sessions, self.clock, ids, secrets)


@pytest.fixture
def service() -> Service:
    return Service()


async def test_a_taken_email_costs_the_same_hash_as_a_new_one(service: Service) -> None:
    await service.register(RegisterAccountCommand("ana@example.com", "a fine passphrase"))
    before = service.hasher.hashes
    await service.register(RegisterAccountCommand("ana@example.com", "another passphrase"))
    taken = service.hasher.hashes - before
    before = service.hasher.hashes
    await service.register(RegisterAccountCommand("bruno@example.com", "another passphrase"))
    assert taken == service.hasher.hashes - before == 1


async def test_a_new_account_signs_in_at_once_with_the_password_it_registered(service: Service) -> None:
    await service.register(RegisterAccountCommand("ana@example.com", "a fine passphrase", client_ip=ADDRESS))
    await service.log_in(LogInCommand("ana@example.com", "a fine passphrase", client_ip=ADDRESS))


async def test_invalid_input_is_refused_alike_for_taken_and_new_emails_and_before_the_limit(
    service: Service,
) -> None:
    await service.register(RegisterAccountCommand("ana@example.com", "a fine passphrase", client_ip=ADDRESS))
    for email in ("ana@example.com", "bruno@example.com"):
        with pytest.raises(WeakPassword) as weak:
            await service.register(RegisterAccountCommand(email, "short", client_ip=ADDRESS))
        assert weak.value.field == "password"
    with pytest.raises(InvalidEmail):
        await service.register(RegisterAccountCommand("not an email", "a fine passphrase", client_ip=ADDRESS))
    # None of the refused attempts hashed anything or used up the address's registrations.
    assert service.hasher.hashes == 1
    for n in range(2):
        await service.register(RegisterAccountCommand(f"viewer{n}@example.com", "a fine passphrase", client_ip=ADDRESS))
    with pytest.raises(TooManyAttempts):
        await service.register(RegisterAccountCommand("one-more@example.com", "a fine passphrase", client_ip=ADDRESS))


async def test_a_refused_registration_costs_no_hash(service: Service) -> None:
    for n in range(3):
        await service.register(RegisterAccountCommand(f"viewer{n}@example.com", "a fine passphrase", client_ip=ADDRESS))
    before = service.hasher.hashes
    with pytest.raises(TooManyAttempts):
        await service.register(RegisterAccountCommand("one-more@example.com", "a fine passphrase", client_ip=ADDRESS))
    assert service.hasher.hashes == before


async def test_malformed_emails_are_throttled_like_any_failed_sign_in(service: Service) -> None:
    for n in range(PER_IP):
        with pytest.raises(InvalidCredentials):
            await service.log_in(LogInCommand(f"not-an-email-{n}", "a guess at a password", client_ip=ADDRESS))
    with pytest.raises(TooManyAttempts):
        await service.log_in(LogInCommand("ana@example.com", "a guess at a password", client_ip=ADDRESS))


async def test_a_throttled_address_sending_a_malformed_email_costs_no_hash(service: Service) -> None:
    for _ in range(PER_IP):
        with pytest.raises(InvalidCredentials):
            await service.log_in(LogInCommand("nobody@example.com", "a guess at a password", client_ip=ADDRESS))
    before = service.hasher.hashes
    with pytest.raises(TooManyAttempts):
        await service.log_in(LogInCommand("not-an-email", "a guess at a password", client_ip=ADDRESS))
    assert service.hasher.hashes == before
