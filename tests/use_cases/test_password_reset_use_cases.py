"""Resetting a forgotten password, edge to edge on in-memory adapters and a manual clock: a link
mailed for an hour, single use; no answer tells whether an address has an account; a reset ends
every session of the account and forgets its failed sign-ins."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import attrs
import pytest
from dependency_injector import providers

from adapters.identity.in_memory_identity_state import IdentityState
from adapters.shared.system import UrandomSecretGenerator
from application.identity.email_verification import VerifyEmailCommand
from application.identity.log_in import LogInCommand
from application.identity.password_reset import RequestPasswordResetCommand, ResetPasswordCommand
from application.identity.refresh_tokens import RefreshTokensCommand
from application.identity.register_account import RegisterAccountCommand
from application.identity.tokens import TokenPair
from application.shared.mail_ports import MailMessage
from domain.identity.account_token import InvalidAccountToken
from domain.identity.email import EmailAddress
from domain.identity.errors import InvalidAccessToken, InvalidCredentials, InvalidRefreshToken
from domain.identity.password_policy import WeakPassword
from domain.identity.security_event import SecurityEvent, SecurityEventKind
from domain.identity.user import User
from domain.shared.errors import TooManyAttempts
from entrypoints.sign_in_config import SignInSettings
from tests.support.apps import FakeWorld, fake_container
from tests.support.mailbox import token_in

ANA, OLD, NEW = "ana@example.com", "the old passphrase", "a brand new passphrase"
HOME, ELSEWHERE = "203.0.113.10", "198.51.100.7"


class CountingSecrets(UrandomSecretGenerator):
    def __init__(self) -> None:
        self.tokens = 0

    def token(self, nbytes: int) -> str:
        self.tokens += 1
        return super().token(nbytes)


class Reset:
    def __init__(self, world: FakeWorld) -> None:
        self.secrets = CountingSecrets()
        world.container.shared.secrets.override(providers.Object(self.secrets))
        use_cases = world.container.identity
        self.clock = world.clock
        self.store = world.identity
        self.register = use_cases.register_account()
        self.log_in = use_cases.log_in()
        self.refresh = use_cases.refresh_tokens()
        self.authenticate = use_cases.authenticate()
        self.forgot = use_cases.request_password_reset()
        self.reset = use_cases.reset_password()
        self.verify = use_cases.verify_email()

    @property
    def state(self) -> IdentityState:
        return self.store.state

    @property
    def mail(self) -> list[MailMessage]:
        return self.state.outgoing_mail

    def user(self) -> User:
        (user,) = [u for u in self.state.users.values() if u.email.value == ANA]
        return user

    def events(self, kind: SecurityEventKind) -> list[SecurityEvent]:
        return [e for e in self.state.events if e.kind is kind]

    async def ana_has_an_account(self) -> None:
        await self.register(RegisterAccountCommand(ANA, OLD, display_name="Ana"))

    async def sign_in(self, password: str, ip: str | None = None) -> TokenPair:
        pair = await self.log_in(LogInCommand(ANA, password, client_ip=ip))
        assert isinstance(pair, TokenPair)
        return pair

    async def ask_for_a_link(self, email: str = ANA, ip: str | None = HOME) -> str:
        await self.forgot(RequestPasswordResetCommand(email, client_ip=ip))
        return token_in(self.mail[-1], "reset-password")


@pytest.fixture
def ana(tmp_path: Path) -> Reset:
    world = fake_container(
        tmp_path,
        login_failures_per_account_and_ip=3,
        sign_in=SignInSettings(public_base_url="https://watch.example", password_resets_per_hour=2),
    )
    return Reset(world)


async def test_asking_mails_a_reset_link_that_lasts_an_hour(ana: Reset) -> None:
    await ana.ana_has_an_account()
    token = await ana.ask_for_a_link()
    mail = ana.mail[-1]
    assert mail.to == ANA and mail.subject == "Reset your password"
    assert f"https://watch.example/reset-password?token={token}" in mail.text and "1 hour" in mail.text
    assert OLD not in mail.text and mail.html is not None and OLD not in mail.html
    assert token not in repr(ana.state.account_tokens)
    (event,) = ana.events(SecurityEventKind.PASSWORD_RESET_REQUESTED)
    assert event.ip == HOME


async def test_an_address_without_an_account_gets_the_same_answer_the_same_work_and_no_mail(ana: Reset) -> None:
    await ana.ana_has_an_account()
    mail_before, events_before = len(ana.mail), len(ana.state.events)

    drawn = ana.secrets.tokens
    assert await ana.forgot(RequestPasswordResetCommand("nobody@example.com", client_ip=HOME)) is None
    drawn_for_nobody = ana.secrets.tokens - drawn
    assert len(ana.mail) == mail_before and len(ana.state.events) == events_before
    assert len(ana.state.account_tokens) == 1  # Ana's verification link only

    drawn = ana.secrets.tokens
    assert await ana.forgot(RequestPasswordResetCommand(ANA, client_ip=HOME)) is None
    assert ana.secrets.tokens - drawn == drawn_for_nobody == 1
    assert len(ana.mail) == mail_before + 1


async def test_an_address_asked_for_too_often_is_sent_nothing_more_and_told_nothing(ana: Reset) -> None:
    await ana.ana_has_an_account()
    await ana.ask_for_a_link(ip=HOME)
    await ana.ask_for_a_link(ip=ELSEWHERE)
    sent = len(ana.mail)
    assert await ana.forgot(RequestPasswordResetCommand(ANA, client_ip="192.0.2.1")) is None
    assert len(ana.mail) == sent
    ana.clock.advance(timedelta(hours=1))
    await ana.ask_for_a_link()


async def test_one_client_asking_for_many_addresses_has_to_wait(ana: Reset) -> None:
    for n in range(8):  # four times the per-address limit
        await ana.forgot(RequestPasswordResetCommand(f"someone{n}@example.com", client_ip=HOME))
    with pytest.raises(TooManyAttempts) as refused:
        await ana.forgot(RequestPasswordResetCommand("another@example.com", client_ip=HOME))
    assert refused.value.limiter == "password_reset" and 0 < refused.value.retry_after_seconds <= 3600
    await ana.forgot(RequestPasswordResetCommand("another@example.com", client_ip=ELSEWHERE))


async def test_the_link_sets_a_new_password_once(ana: Reset) -> None:
    await ana.ana_has_an_account()
    token = await ana.ask_for_a_link()
    await ana.reset(ResetPasswordCommand(token, NEW, client_ip=HOME))
    await ana.sign_in(NEW)
    with pytest.raises(InvalidCredentials):
        await ana.sign_in(OLD)
    with pytest.raises(InvalidAccountToken):  # a replay
        await ana.reset(ResetPasswordCommand(token, "yet another passphrase"))
    await ana.sign_in(NEW)
    (event,) = ana.events(SecurityEventKind.PASSWORD_RESET)
    assert event.ip == HOME


async def test_the_link_expires_after_an_hour(ana: Reset) -> None:
    await ana.ana_has_an_account()
    token = await ana.ask_for_a_link()
    ana.clock.advance(timedelta(hours=1))
    with pytest.raises(InvalidAccountToken):
        await ana.reset(ResetPasswordCommand(token, NEW))
    await ana.sign_in(OLD)


async def test_the_link_still_works_just_before_the_hour_is_up(ana: Reset) -> None:
    await ana.ana_has_an_account()
    token = await ana.ask_for_a_link()
    ana.clock.advance(timedelta(minutes=59, seconds=59))
    await ana.reset(ResetPasswordCommand(token, NEW))
    await ana.sign_in(NEW)


async def test_a_verification_token_cannot_reset_the_password(ana: Reset) -> None:
    await ana.ana_has_an_account()
    verification = token_in(ana.mail[0], "verify-email")
    with pytest.raises(InvalidAccountToken):
        await ana.reset(ResetPasswordCommand(verification, NEW))
    await ana.verify(VerifyEmailCommand(verification))  # and it was not used up


async def test_a_newer_link_replaces_the_older_one(ana: Reset) -> None:
    await ana.ana_has_an_account()
    first = await ana.ask_for_a_link()
    second = await ana.ask_for_a_link()
    with pytest.raises(InvalidAccountToken):
        await ana.reset(ResetPasswordCommand(first, NEW))
    await ana.reset(ResetPasswordCommand(second, NEW))


async def test_a_weak_password_is_refused_and_the_link_still_works(ana: Reset) -> None:
    await ana.ana_has_an_account()
    token = await ana.ask_for_a_link()
    with pytest.raises(WeakPassword):
        await ana.reset(ResetPasswordCommand(token, "short"))
    with pytest.raises(WeakPassword):
        await ana.reset(ResetPasswordCommand(token, ANA))  # the address itself
    await ana.reset(ResetPasswordCommand(token, NEW))
    await ana.sign_in(NEW)


async def test_a_reset_ends_every_session_and_its_access_tokens_at_once(ana: Reset) -> None:
    await ana.ana_has_an_account()
    phone, tv = await ana.sign_in(OLD), await ana.sign_in(OLD)
    await ana.authenticate(f"Bearer {phone.access_token}")
    await ana.reset(ResetPasswordCommand(await ana.ask_for_a_link(), NEW))
    for device in (phone, tv):
        with pytest.raises(InvalidRefreshToken):
            await ana.refresh(RefreshTokensCommand(device.refresh_token))
        with pytest.raises(InvalidAccessToken):
            await ana.authenticate(f"Bearer {device.access_token}")
    (event,) = ana.events(SecurityEventKind.PASSWORD_RESET)
    assert event.details == {"sessions_revoked": 2}
    fresh = await ana.sign_in(NEW)
    await ana.authenticate(f"Bearer {fresh.access_token}")


async def test_a_reset_forgets_the_failed_sign_ins_that_locked_the_account(ana: Reset) -> None:
    await ana.ana_has_an_account()
    for _ in range(3):
        with pytest.raises(InvalidCredentials):
            await ana.sign_in("a wrong guess", ip=HOME)
    with pytest.raises(TooManyAttempts):
        await ana.sign_in(OLD, ip=HOME)
    await ana.reset(ResetPasswordCommand(await ana.ask_for_a_link(), NEW, client_ip=HOME))
    await ana.sign_in(NEW, ip=HOME)


async def test_a_reset_through_the_mailbox_verifies_the_email(ana: Reset) -> None:
    await ana.ana_has_an_account()
    assert ana.user().email_verified is False
    await ana.reset(ResetPasswordCommand(await ana.ask_for_a_link(), NEW))
    assert ana.user().email_verified is True


async def test_a_link_sent_to_an_old_address_does_not_reset_a_changed_account(ana: Reset) -> None:
    await ana.ana_has_an_account()
    token = await ana.ask_for_a_link()
    user = ana.user()
    ana.state.users[user.id] = attrs.evolve(user, email=EmailAddress.parse("ana@new.example"))  # changed since
    with pytest.raises(InvalidAccountToken):
        await ana.reset(ResetPasswordCommand(token, NEW))
    assert ana.state.users[user.id].password_hash == user.password_hash


async def test_an_account_without_a_password_can_set_one(ana: Reset) -> None:
    provider_only = User(
        id=uuid.uuid4(),
        email=EmailAddress.parse(ANA),
        display_name="Ana",
        password_hash=None,
        created_at=ana.clock.now(),
    )
    async with ana.store() as uow:
        await uow.users.add(provider_only)
        await uow.commit()
    with pytest.raises(InvalidCredentials):
        await ana.sign_in(NEW)
    await ana.reset(ResetPasswordCommand(await ana.ask_for_a_link(), NEW))
    await ana.sign_in(NEW)
