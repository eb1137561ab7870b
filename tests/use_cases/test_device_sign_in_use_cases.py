"""Signing in on a TV with a code (RFC 8628) and the sessions list, edge to edge, on in-memory
adapters and a manual clock: the attacks on device codes (polled too fast, after expiry, after
denial, twice), guessing user codes, and the TV's session being revocable."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import attrs
import pytest

from application.identity.approve_device import DeviceDecisionCommand
from application.identity.log_in import LogInCommand
from application.identity.poll_device_token import PollDeviceTokenCommand
from application.identity.principal import Principal
from application.identity.refresh_tokens import RefreshTokensCommand
from application.identity.register_account import RegisterAccountCommand
from application.identity.sessions_list import RevokeSessionCommand
from application.identity.start_device_authorization import (
    DeviceAuthorizationStarted,
    StartDeviceAuthorizationCommand,
)
from application.identity.tokens import TokenPair, digest_token
from domain.identity.device_authorization import USER_CODE_ALPHABET
from domain.identity.device_errors import (
    AuthorizationPending,
    DeviceAccessDenied,
    DeviceCodeExpired,
    InvalidDeviceCode,
    InvalidUserCode,
    SlowDown,
    UserCodeNoLongerValid,
)
from domain.identity.errors import InvalidAccessToken, InvalidRefreshToken, SessionNotFound
from domain.identity.security_event import SecurityEventKind
from domain.shared.errors import Forbidden, InvalidInput, TooManyAttempts
from tests.support.apps import FakeWorld, fake_container

PASSWORD = "a fine passphrase"
PHONE_IP, GUESSER_IP = "203.0.113.10", "198.51.100.66"
SECONDS = timedelta(seconds=1)


class Tv:
    """The use cases of the fake world, under the names these tests use."""

    def __init__(self, world: FakeWorld) -> None:
        use_cases = world.container.identity
        self.world = world
        self.clock = world.clock
        self.start = use_cases.start_device_authorization()
        self.approve = use_cases.approve_device()
        self.deny = use_cases.deny_device()
        self.poll = use_cases.poll_device_token()
        self.list_sessions = use_cases.list_sessions()
        self.revoke_session = use_cases.revoke_session()
        self.authenticate = use_cases.authenticate()
        self.refresh = use_cases.refresh_tokens()
        self.register = use_cases.register_account()
        self.log_in = use_cases.log_in()

    async def phone(self, email: str = "ana@example.com") -> tuple[TokenPair, Principal]:
        """Someone signed in on their phone, and the principal their access token gives."""
        await self.register(RegisterAccountCommand(email, PASSWORD))
        pair = await self.log_in(LogInCommand(email, PASSWORD))
        assert isinstance(pair, TokenPair)
        return pair, await self.principal(pair)

    async def principal(self, pair: TokenPair) -> Principal:
        return (await self.authenticate(f"Bearer {pair.access_token}")).principal

    async def started(
        self, client_name: str | None = "Living room TV", ip: str | None = None
    ) -> DeviceAuthorizationStarted:
        return await self.start(StartDeviceAuthorizationCommand(client_name=client_name, client_ip=ip))

    async def approved(self, principal: Principal, code: str, ip: str | None = PHONE_IP) -> None:
        await self.approve(DeviceDecisionCommand(principal=principal, user_code=code, client_ip=ip))

    async def poll_after(self, started: DeviceAuthorizationStarted, seconds: int = 5) -> TokenPair:
        self.clock.advance(seconds * SECONDS)
        return await self.poll(PollDeviceTokenCommand(started.device_code))


@pytest.fixture
def tv(tmp_path: Path) -> Tv:
    return Tv(fake_container(tmp_path))


# user codes


async def test_user_codes_are_shown_as_two_groups_of_four_and_differ(tv: Tv) -> None:
    codes = {(await tv.started(ip=f"203.0.113.{n % 5}")).user_code for n in range(100)}
    assert len(codes) == 100
    for code in codes:
        assert len(code) == 9 and code[4] == "-"
        assert set(code.replace("-", "")) <= set(USER_CODE_ALPHABET)


async def test_the_device_code_itself_is_never_stored(tv: Tv) -> None:
    started = await tv.started()
    store = tv.world.container.identity_adapters.device_authorizations()
    assert await store.get(started.device_code) is None
    assert await store.get(digest_token(started.device_code)) is not None


async def test_a_client_name_is_cleaned_like_a_display_name(tv: Tv) -> None:
    _, ana = await tv.phone()
    started = await tv.started("  Living\n room   TV ")
    await tv.approved(ana, started.user_code)
    await tv.poll_after(started)
    names = {listed.session.client_name for listed in await tv.list_sessions(ana)}
    assert names == {"Living room TV", None}
    with pytest.raises(InvalidInput):
        await tv.started("TV\u202eVT")
    with pytest.raises(InvalidInput):
        await tv.started("x" * 101)
    assert (await tv.started("   ")).user_code  # a blank name is no name


async def test_tv_sign_ins_started_from_one_address_are_limited(tv: Tv) -> None:
    for _ in range(30):
        await tv.started(ip=GUESSER_IP)
    with pytest.raises(TooManyAttempts) as limited:
        await tv.started(ip=GUESSER_IP)
    assert limited.value.limiter == "device_authorizations"
    assert 0 < limited.value.retry_after_seconds <= 15 * 60
    await tv.started(ip=PHONE_IP)
    tv.clock.advance(timedelta(minutes=15))
    await tv.started(ip=GUESSER_IP)


# polling


async def test_the_tv_waits_while_the_code_is_not_approved(tv: Tv) -> None:
    started = await tv.started()
    with pytest.raises(AuthorizationPending):
        await tv.poll(PollDeviceTokenCommand(started.device_code))
    with pytest.raises(AuthorizationPending):
        await tv.poll_after(started, 5)


async def test_polling_too_fast_is_slow_down_and_the_interval_grows_by_five_seconds(tv: Tv) -> None:
    started = await tv.started()
    with pytest.raises(AuthorizationPending):
        await tv.poll_after(started, 0)
    with pytest.raises(SlowDown) as first:
        await tv.poll_after(started, 4)
    assert first.value.interval == 10
    # The interval is now 10 s: 9 s later is too fast again, and it grows once more.
    with pytest.raises(SlowDown) as second:
        await tv.poll_after(started, 9)
    assert second.value.interval == 15
    with pytest.raises(AuthorizationPending):
        await tv.poll_after(started, 15)


async def test_after_expiry_the_tv_hears_expired_token_even_once_approved_never_tokens(tv: Tv) -> None:
    _, ana = await tv.phone()
    started = await tv.started()
    with pytest.raises(DeviceCodeExpired):
        await tv.poll_after(started, 900)
    late = await tv.started()
    await tv.approved(ana, late.user_code)
    with pytest.raises(DeviceCodeExpired):
        await tv.poll_after(late, 900)


async def test_after_denial_the_tv_hears_access_denied(tv: Tv) -> None:
    _, ana = await tv.phone()
    started = await tv.started()
    await tv.deny(DeviceDecisionCommand(principal=ana, user_code=started.user_code))
    with pytest.raises(DeviceAccessDenied):
        await tv.poll_after(started)
    with pytest.raises(DeviceAccessDenied):
        await tv.poll_after(started)


async def test_the_token_pair_is_given_once_then_the_code_is_used(tv: Tv) -> None:
    _, ana = await tv.phone()
    started = await tv.started()
    await tv.approved(ana, started.user_code)
    pair = await tv.poll_after(started)
    assert (await tv.principal(pair)).user_id == ana.user_id
    with pytest.raises(InvalidDeviceCode):
        await tv.poll_after(started)


async def test_an_unknown_device_code_is_invalid_grant(tv: Tv) -> None:
    with pytest.raises(InvalidDeviceCode):
        await tv.poll(PollDeviceTokenCommand("made-up"))


async def test_the_tvs_session_is_its_own_family_named_after_it_and_inherits_the_phones_sign_in(tv: Tv) -> None:
    _, ana = await tv.phone()
    started = await tv.started()
    tv.clock.advance(timedelta(minutes=3))
    await tv.approved(ana, started.user_code)
    pair = await tv.poll_after(started)
    on_tv = await tv.principal(pair)
    assert on_tv.session_family != ana.session_family
    assert on_tv.auth_time == ana.auth_time
    assert on_tv.scopes == ana.scopes
    (tv_session,) = [s for s in tv.world.identity.state.sessions.values() if s.family_id == on_tv.session_family]
    assert tv_session.client_name == "Living room TV"


async def test_the_tvs_name_is_kept_when_it_refreshes(tv: Tv) -> None:
    _, ana = await tv.phone()
    started = await tv.started()
    await tv.approved(ana, started.user_code)
    pair = await tv.poll_after(started)
    family = (await tv.principal(pair)).session_family
    tv.clock.advance(timedelta(minutes=10))
    refreshed = await tv.refresh(RefreshTokensCommand(pair.refresh_token))
    assert (await tv.principal(refreshed)).session_family == family
    listed = {s.session.client_name: s.session for s in await tv.list_sessions(ana)}
    assert listed["Living room TV"].family_id == family
    assert listed["Living room TV"].last_used_at == tv.clock.now()


# approving


async def test_approving_is_recorded_in_the_security_log_with_the_tvs_name(tv: Tv) -> None:
    _, ana = await tv.phone()
    started = await tv.started()
    await tv.approved(ana, started.user_code.lower())
    (event,) = [e for e in tv.world.identity.state.events if e.kind is SecurityEventKind.DEVICE_SIGN_IN_APPROVED]
    assert event.user_id == ana.user_id
    assert event.details == {"client_name": "Living room TV"}
    assert event.ip == PHONE_IP


async def test_an_api_key_cannot_approve_or_deny(tv: Tv) -> None:
    _, ana = await tv.phone()
    started = await tv.started()
    by_key = attrs.evolve(ana, auth_time=None, api_key_id=ana.user_id)
    with pytest.raises(Forbidden):
        await tv.approved(by_key, started.user_code)
    with pytest.raises(Forbidden):
        await tv.deny(DeviceDecisionCommand(principal=by_key, user_code=started.user_code))
    with pytest.raises(AuthorizationPending):
        await tv.poll_after(started)


async def test_an_expired_code_cannot_be_approved(tv: Tv) -> None:
    _, ana = await tv.phone()
    started = await tv.started()
    tv.clock.advance(timedelta(seconds=900))
    with pytest.raises(UserCodeNoLongerValid):
        await tv.approved(ana, started.user_code)
    assert not [e for e in tv.world.identity.state.events if e.kind is SecurityEventKind.DEVICE_SIGN_IN_APPROVED]


async def test_a_used_code_cannot_be_approved_or_denied_again(tv: Tv) -> None:
    _, ana = await tv.phone()
    _, bo = await tv.phone("bo@example.com")
    started = await tv.started()
    await tv.approved(ana, started.user_code)
    with pytest.raises(UserCodeNoLongerValid):
        await tv.approved(bo, started.user_code)
    with pytest.raises(UserCodeNoLongerValid):
        await tv.deny(DeviceDecisionCommand(principal=bo, user_code=started.user_code))
    pair = await tv.poll_after(started)
    assert (await tv.principal(pair)).user_id == ana.user_id
    with pytest.raises(UserCodeNoLongerValid):
        await tv.approved(bo, started.user_code)


async def test_a_wrong_code_answers_the_same_whether_or_not_codes_are_pending(tv: Tv) -> None:
    _, ana = await tv.phone()

    async def refusal(code: str) -> tuple[type, str]:
        with pytest.raises(InvalidUserCode) as refused:
            await tv.approved(ana, code, ip=None)
        return type(refused.value), refused.value.detail

    before = {await refusal(code) for code in ("BCDF-GHJK", "nonsense", "")}
    for _ in range(20):
        await tv.started()
    after = {await refusal(code) for code in ("BCDF-GHJK", "nonsense", "")}
    assert len(before) == 1 and before == after


async def test_wrong_user_codes_are_limited_per_address_and_right_ones_are_not_counted(tv: Tv) -> None:
    _, ana = await tv.phone()
    for _ in range(15):  # Ana approving her own TVs never meets the limit
        started = await tv.started()
        await tv.approved(ana, started.user_code, ip=PHONE_IP)
    for _ in range(10):
        with pytest.raises(InvalidUserCode):
            await tv.approved(ana, "BCDF-GHJK", ip=GUESSER_IP)
    real = await tv.started()
    with pytest.raises(TooManyAttempts) as limited:
        await tv.approved(ana, real.user_code, ip=GUESSER_IP)
    assert limited.value.limiter == "device_code"
    assert 0 < limited.value.retry_after_seconds <= 15 * 60
    await tv.approved(ana, real.user_code, ip=PHONE_IP)
    tv.clock.advance(timedelta(minutes=15))
    with pytest.raises(InvalidUserCode):
        await tv.approved(ana, "BCDF-GHJK", ip=GUESSER_IP)


# the sessions list


async def test_the_list_shows_each_signed_in_family_and_marks_the_asking_one(tv: Tv) -> None:
    _, ana = await tv.phone()
    started = await tv.started()
    await tv.approved(ana, started.user_code)
    tv_pair = await tv.poll_after(started)
    on_tv = await tv.principal(tv_pair)
    from_phone = await tv.list_sessions(ana)
    assert [(s.session.client_name, s.current) for s in from_phone] == [("Living room TV", False), (None, True)]
    from_tv = await tv.list_sessions(on_tv)
    assert [(s.session.client_name, s.current) for s in from_tv] == [("Living room TV", True), (None, False)]


async def test_the_tvs_session_is_revocable_from_the_list_and_dies_at_once(tv: Tv) -> None:
    phone, ana = await tv.phone()
    started = await tv.started()
    await tv.approved(ana, started.user_code)
    tv_pair = await tv.poll_after(started)
    (listed,) = [s for s in await tv.list_sessions(ana) if s.session.client_name == "Living room TV"]
    await tv.revoke_session(RevokeSessionCommand(principal=ana, family_id=listed.session.family_id, ip=PHONE_IP))
    with pytest.raises(InvalidAccessToken):
        await tv.principal(tv_pair)
    with pytest.raises(InvalidRefreshToken):
        await tv.refresh(RefreshTokensCommand(tv_pair.refresh_token))
    assert [s.session.client_name for s in await tv.list_sessions(ana)] == [None]
    assert (await tv.principal(phone)).user_id == ana.user_id  # the phone is still signed in


async def test_signing_a_session_out_from_the_list_is_in_the_owners_security_log(tv: Tv) -> None:
    _, ana = await tv.phone()
    started = await tv.started()
    await tv.approved(ana, started.user_code)
    await tv.poll_after(started)
    (listed,) = [s for s in await tv.list_sessions(ana) if s.session.client_name == "Living room TV"]
    tv.clock.advance(SECONDS)
    await tv.revoke_session(RevokeSessionCommand(principal=ana, family_id=listed.session.family_id, ip=PHONE_IP))
    (event,) = [e for e in tv.world.identity.state.events if e.kind is SecurityEventKind.SESSION_REVOKED]
    assert (event.user_id, event.ip, event.occurred_at) == (ana.user_id, PHONE_IP, tv.clock.now())
    assert event.details == {"family_id": str(listed.session.family_id), "client_name": "Living room TV"}


async def test_another_accounts_session_is_not_found_and_lives_on(tv: Tv) -> None:
    _, ana = await tv.phone()
    bo_pair, bo = await tv.phone("bo@example.com")
    with pytest.raises(SessionNotFound):
        await tv.revoke_session(RevokeSessionCommand(principal=ana, family_id=bo.session_family))  # type: ignore[arg-type]
    await tv.principal(bo_pair)
    assert not [e for e in tv.world.identity.state.events if e.kind is SecurityEventKind.SESSION_REVOKED]
    await tv.refresh(RefreshTokensCommand(bo_pair.refresh_token))


async def test_a_revoked_session_is_not_found_the_second_time(tv: Tv) -> None:
    _, ana = await tv.phone()
    pair = await tv.log_in(LogInCommand("ana@example.com", PASSWORD))
    assert isinstance(pair, TokenPair)
    family = (await tv.principal(pair)).session_family
    assert family is not None
    await tv.revoke_session(RevokeSessionCommand(principal=ana, family_id=family))
    with pytest.raises(SessionNotFound):
        await tv.revoke_session(RevokeSessionCommand(principal=ana, family_id=family))


async def test_an_api_key_cannot_list_or_revoke_sessions(tv: Tv) -> None:
    _, ana = await tv.phone()
    by_key = attrs.evolve(ana, auth_time=None, api_key_id=ana.user_id)
    with pytest.raises(Forbidden):
        await tv.list_sessions(by_key)
    with pytest.raises(Forbidden):
        await tv.revoke_session(RevokeSessionCommand(principal=by_key, family_id=ana.session_family))  # type: ignore[arg-type]
