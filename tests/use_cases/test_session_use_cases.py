"""The identity use cases, edge to edge, on in-memory adapters and a manual clock."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import attrs
import pytest

from application.identity.log_in import LogInCommand
from application.identity.log_out import LogOutCommand
from application.identity.refresh_tokens import RefreshTokensCommand
from application.identity.register_account import RegisterAccountCommand
from application.identity.tokens import TokenPair
from domain.identity.errors import (
    InvalidAccessToken,
    InvalidCredentials,
    InvalidPassword,
    InvalidRefreshToken,
)
from domain.identity.user import User
from domain.shared.errors import TooManyAttempts
from tests.support.apps import FakeWorld, fake_container


class Identity:
    """The identity use cases of the fake world, under the names these tests use."""

    def __init__(self, world: FakeWorld) -> None:
        use_cases = world.container.identity
        self.clock = world.clock
        self.store = world.identity
        self.tokens = use_cases.access_tokens()
        self.confirm_password = use_cases.confirm_password()
        self.register = use_cases.register_account()
        self.log_in = use_cases.log_in()
        self.refresh = use_cases.refresh_tokens()
        self.log_out = use_cases.log_out()
        self.authenticate = use_cases.authenticate()
        self.purge = use_cases.purge_expired_sessions()


@pytest.fixture
def identity(tmp_path: Path) -> Identity:
    # Three wrong passwords from one address lock that address out of the account; ten of any account.
    world = fake_container(
        tmp_path, login_failures_per_account_and_ip=3, login_failures_per_ip=10, login_failure_window_seconds=600
    )
    return Identity(world)


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


async def signed_in(identity: Identity) -> TokenPair:
    await identity.register(RegisterAccountCommand("ana@example.com", "a fine passphrase"))
    pair = await identity.log_in(LogInCommand("ana@example.com", "a fine passphrase"))
    assert isinstance(pair, TokenPair)
    return pair


async def test_logging_out_refuses_the_sessions_access_token_at_once_though_it_was_remembered(
    identity: Identity,
) -> None:
    pair = await signed_in(identity)
    other_device = await identity.log_in(LogInCommand("ana@example.com", "a fine passphrase"))
    assert isinstance(other_device, TokenPair)
    await identity.authenticate(f"Bearer {pair.access_token}")  # verified, and now remembered
    await identity.log_out(LogOutCommand(pair.refresh_token))
    with pytest.raises(InvalidAccessToken, match="session has ended"):
        await identity.authenticate(f"Bearer {pair.access_token}")
    await identity.authenticate(f"Bearer {other_device.access_token}")  # another session is untouched


async def test_refresh_reuse_refuses_every_access_token_of_the_family_at_once(identity: Identity) -> None:
    pair = await signed_in(identity)
    rotated = await identity.refresh(RefreshTokensCommand(pair.refresh_token))
    identity.clock.advance(timedelta(minutes=1))
    with pytest.raises(InvalidRefreshToken):
        await identity.refresh(RefreshTokensCommand(pair.refresh_token))
    for access_token in (pair.access_token, rotated.access_token):
        with pytest.raises(InvalidAccessToken):
            await identity.authenticate(f"Bearer {access_token}")


async def test_a_retried_refresh_within_the_grace_window_gets_the_same_successor(identity: Identity) -> None:
    pair = await signed_in(identity)
    first = await identity.refresh(RefreshTokensCommand(pair.refresh_token))
    identity.clock.advance(timedelta(seconds=4.9))
    retried = await identity.refresh(RefreshTokensCommand(pair.refresh_token))
    assert retried.refresh_token == first.refresh_token
    claims = identity.tokens.verify(retried.access_token)
    assert claims.session_family == identity.tokens.verify(first.access_token).session_family
    await identity.authenticate(f"Bearer {retried.access_token}")
    # The family lives on: the successor refreshes normally.
    await identity.refresh(RefreshTokensCommand(first.refresh_token))


async def test_a_reuse_at_the_end_of_the_grace_window_revokes_the_family(identity: Identity) -> None:
    pair = await signed_in(identity)
    first = await identity.refresh(RefreshTokensCommand(pair.refresh_token))
    identity.clock.advance(timedelta(seconds=5))
    with pytest.raises(InvalidRefreshToken):
        await identity.refresh(RefreshTokensCommand(pair.refresh_token))
    with pytest.raises(InvalidRefreshToken):
        await identity.refresh(RefreshTokensCommand(first.refresh_token))


async def test_a_zero_grace_window_treats_an_immediate_retry_as_reuse(identity: Identity) -> None:
    strict = attrs.evolve(identity.refresh, reuse_grace=timedelta(0))
    pair = await signed_in(identity)
    first = await strict(RefreshTokensCommand(pair.refresh_token))
    with pytest.raises(InvalidRefreshToken):
        await strict(RefreshTokensCommand(pair.refresh_token))
    with pytest.raises(InvalidRefreshToken):
        await strict(RefreshTokensCommand(first.refresh_token))
    assert all(s.sealed_successor is None for s in identity.store.state.sessions.values())


async def test_a_retry_after_the_successor_was_rotated_again_is_reuse(identity: Identity) -> None:
    """Auth0's rule: the window covers the latest rotation only; the old token is then a leak."""
    pair = await signed_in(identity)
    first = await identity.refresh(RefreshTokensCommand(pair.refresh_token))
    second = await identity.refresh(RefreshTokensCommand(first.refresh_token))
    with pytest.raises(InvalidRefreshToken):
        await identity.refresh(RefreshTokensCommand(pair.refresh_token))
    with pytest.raises(InvalidRefreshToken):
        await identity.refresh(RefreshTokensCommand(second.refresh_token))
    with pytest.raises(InvalidAccessToken):
        await identity.authenticate(f"Bearer {second.access_token}")


async def test_the_successor_is_kept_only_sealed_and_wiped_after_the_window(identity: Identity) -> None:
    pair = await signed_in(identity)
    first = await identity.refresh(RefreshTokensCommand(pair.refresh_token))
    (rotated,) = [s for s in identity.store.state.sessions.values() if s.was_rotated]
    assert rotated.sealed_successor is not None
    assert first.refresh_token.encode() not in rotated.sealed_successor.ciphertext
    assert first.refresh_token not in repr(identity.store.state.sessions)
    await identity.purge()
    assert identity.store.state.sessions[rotated.id].sealed_successor is not None  # still inside the window
    identity.clock.advance(timedelta(seconds=5))
    await identity.purge()
    assert identity.store.state.sessions[rotated.id].sealed_successor is None


def user_named(identity: Identity, email: str) -> User:
    return next(user for user in identity.store.state.users.values() if user.email.value == email)


async def test_wrong_password_confirmations_count_as_failed_sign_ins(identity: Identity) -> None:
    await identity.register(RegisterAccountCommand("ana@example.com", "a fine passphrase"))
    ana = user_named(identity, "ana@example.com")
    for _ in range(3):
        with pytest.raises(InvalidPassword):
            await identity.confirm_password(ana, "a thief's guess", "198.51.100.7")
    with pytest.raises(TooManyAttempts):  # from that address, as wrong passwords at sign-in would be
        await identity.log_in(LogInCommand("ana@example.com", "a fine passphrase", client_ip="198.51.100.7"))
    signed_in = await identity.log_in(LogInCommand("ana@example.com", "a fine passphrase", client_ip="203.0.113.1"))
    assert isinstance(signed_in, TokenPair)


async def test_an_account_over_the_sign_in_limit_cannot_confirm_even_the_right_password(identity: Identity) -> None:
    await identity.register(RegisterAccountCommand("ana@example.com", "a fine passphrase"))
    for _ in range(3):
        with pytest.raises(InvalidCredentials):
            await identity.log_in(LogInCommand("ana@example.com", "typo"))
    with pytest.raises(TooManyAttempts):
        await identity.confirm_password(user_named(identity, "ana@example.com"), "a fine passphrase", None)


async def test_a_confirmation_typed_in_another_unicode_form_is_accepted(identity: Identity) -> None:
    await identity.register(RegisterAccountCommand("ana@example.com", "caf\u00e9 au lait please"))
    await identity.confirm_password(user_named(identity, "ana@example.com"), "cafe\u0301 au lait please", None)
