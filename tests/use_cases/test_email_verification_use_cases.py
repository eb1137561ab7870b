"""Verifying an account's email, edge to edge on in-memory adapters and a manual clock: the link
mailed at registration and on request, single use, 24 hours, for the address it was sent to."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import attrs
import pytest

from adapters.identity.in_memory_identity_state import IdentityState
from application.identity.email_verification import RequestEmailVerificationCommand, VerifyEmailCommand
from application.identity.password_reset import RequestPasswordResetCommand
from application.identity.principal import Principal
from application.identity.register_account import RegisterAccountCommand
from application.shared.mail_ports import MailMessage
from domain.identity.account_token import InvalidAccountToken
from domain.identity.email import EmailAddress
from domain.identity.errors import EmailAlreadyVerified
from domain.identity.security_event import SecurityEventKind
from domain.identity.user import User
from domain.shared.errors import TooManyAttempts
from entrypoints.sign_in_config import SignInSettings
from tests.support.apps import FakeWorld, fake_container
from tests.support.mailbox import token_in

ANA, PASSWORD = "ana@example.com", "a fine passphrase"


class Verification:
    def __init__(self, world: FakeWorld) -> None:
        use_cases = world.container.identity
        self.clock = world.clock
        self.store = world.identity
        self.register = use_cases.register_account()
        self.resend = use_cases.request_email_verification()
        self.verify = use_cases.verify_email()
        self.forgot = use_cases.request_password_reset()

    @property
    def state(self) -> IdentityState:
        return self.store.state  # each commit publishes a new state

    @property
    def mail(self) -> list[MailMessage]:
        return self.state.outgoing_mail

    def user(self, email: str = ANA) -> User:
        (user,) = [u for u in self.state.users.values() if u.email.value == email]
        return user

    async def ana_registers(self) -> str:
        """Ana registers; the token of the verification link she is mailed."""
        await self.register(RegisterAccountCommand(ANA, PASSWORD, display_name="Ana"))
        return token_in(self.mail[-1], "verify-email")

    async def ask_again(self, email: str = ANA) -> str:
        user = self.user(email)
        await self.resend(RequestEmailVerificationCommand(Principal(user.id, user.scopes)))
        return token_in(self.mail[-1], "verify-email")


@pytest.fixture
def ana(tmp_path: Path) -> Verification:
    return Verification(fake_container(tmp_path, sign_in=SignInSettings(public_base_url="https://watch.example")))


async def test_registration_mails_a_verification_link_and_keeps_only_its_digest(ana: Verification) -> None:
    token = await ana.ana_registers()
    (mail,) = ana.mail
    assert mail.to == ANA and mail.subject == "Confirm your email address"
    assert f"https://watch.example/verify-email?token={token}" in mail.text
    assert f"enter this code: {token}" in mail.text and "24 hours" in mail.text and "Hello Ana," in mail.text
    assert mail.html is not None and "https://watch.example/verify-email?token=" in mail.html
    assert PASSWORD not in mail.text and PASSWORD not in mail.html
    (stored,) = ana.state.account_tokens.values()
    assert token not in repr(stored) and stored.digest != token
    assert ana.user().email_verified is False


async def test_the_link_verifies_the_email_once_and_is_logged(ana: Verification) -> None:
    token = await ana.ana_registers()
    verified = await ana.verify(VerifyEmailCommand(token, client_ip="203.0.113.5"))
    assert verified.email == ANA
    assert ana.user().email_verified is True
    (event,) = [e for e in ana.state.events if e.kind is SecurityEventKind.EMAIL_VERIFIED]
    assert event.user_id == ana.user().id and event.ip == "203.0.113.5"
    with pytest.raises(InvalidAccountToken):  # a replay
        await ana.verify(VerifyEmailCommand(token))


async def test_the_link_works_for_24_hours(ana: Verification) -> None:
    token = await ana.ana_registers()
    ana.clock.advance(timedelta(hours=24))
    with pytest.raises(InvalidAccountToken):
        await ana.verify(VerifyEmailCommand(token))
    assert ana.user().email_verified is False


async def test_the_link_still_works_just_before_24_hours(ana: Verification) -> None:
    token = await ana.ana_registers()
    ana.clock.advance(timedelta(hours=24) - timedelta(seconds=1))
    await ana.verify(VerifyEmailCommand(token))
    assert ana.user().email_verified is True


async def test_an_unknown_token_gets_the_same_answer_as_a_used_one(ana: Verification) -> None:
    token = await ana.ana_registers()
    await ana.verify(VerifyEmailCommand(token))
    with pytest.raises(InvalidAccountToken) as used:
        await ana.verify(VerifyEmailCommand(token))
    with pytest.raises(InvalidAccountToken) as unknown:
        await ana.verify(VerifyEmailCommand("not-a-token-we-sent"))
    assert used.value.detail == unknown.value.detail


async def test_a_password_reset_token_does_not_verify_the_email(ana: Verification) -> None:
    await ana.ana_registers()
    await ana.forgot(RequestPasswordResetCommand(ANA))
    reset_token = token_in(ana.mail[-1], "reset-password")
    with pytest.raises(InvalidAccountToken):
        await ana.verify(VerifyEmailCommand(reset_token))
    assert ana.user().email_verified is False


async def test_a_link_sent_to_an_old_address_does_not_verify_a_changed_one(ana: Verification) -> None:
    token = await ana.ana_registers()
    user = ana.user()
    ana.state.users[user.id] = attrs.evolve(user, email=EmailAddress.parse("ana@new.example"))  # changed since
    with pytest.raises(InvalidAccountToken):
        await ana.verify(VerifyEmailCommand(token))
    assert ana.state.users[user.id].email_verified is False


async def test_asking_again_mails_a_new_link_and_the_older_one_stops_working(ana: Verification) -> None:
    first = await ana.ana_registers()
    second = await ana.ask_again()
    assert second != first and len(ana.mail) == 2
    with pytest.raises(InvalidAccountToken):
        await ana.verify(VerifyEmailCommand(first))
    await ana.verify(VerifyEmailCommand(second))
    assert ana.user().email_verified is True


async def test_a_verified_email_is_not_sent_another_link(ana: Verification) -> None:
    await ana.verify(VerifyEmailCommand(await ana.ana_registers()))
    with pytest.raises(EmailAlreadyVerified):
        await ana.ask_again()
    assert len(ana.mail) == 1


async def test_asking_again_is_limited_per_account_for_an_hour(ana: Verification) -> None:
    await ana.ana_registers()
    await ana.register(RegisterAccountCommand("bruno@example.com", PASSWORD))
    for _ in range(5):
        await ana.ask_again()
    with pytest.raises(TooManyAttempts) as refused:
        await ana.ask_again()
    assert refused.value.limiter == "email_verification" and 0 < refused.value.retry_after_seconds <= 3600
    await ana.ask_again("bruno@example.com")  # another account has its own budget
    ana.clock.advance(timedelta(hours=1))
    await ana.ask_again()


async def test_registering_a_taken_email_mails_its_owner_and_issues_no_link(ana: Verification) -> None:
    await ana.ana_registers()
    await ana.register(RegisterAccountCommand("ANA@example.com", "another passphrase"))
    assert len(ana.mail) == 2
    note = ana.mail[-1]
    assert note.to == ANA and note.subject == "You already have an account"
    assert "https://watch.example/forgot-password" in note.text and "token=" not in note.text
    assert "another passphrase" not in note.text
    assert len(ana.state.account_tokens) == 1  # only the first registration's link


async def test_housekeeping_deletes_expired_links(tmp_path: Path) -> None:
    world = fake_container(tmp_path)
    await world.container.identity.register_account()(RegisterAccountCommand(ANA, PASSWORD))
    purge = world.container.identity.purge_expired_sessions()
    await purge()
    assert len(world.identity.state.account_tokens) == 1
    world.clock.advance(timedelta(hours=24, seconds=1))
    await purge()
    assert world.identity.state.account_tokens == {}
