"""Linking and unlinking providers from an account's settings, on the fake world with in-memory
providers: a recent sign-in to add or remove a way in, one identity per provider and per account,
never removing the last way to sign in, and a link attached only when the account that started it
confirms the link code (so nobody can have a victim approve a link into the attacker's account)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import attrs
import pytest

from application.identity.complete_provider_sign_in import LinkPending, LoginCodeRedirect
from application.identity.exchange_login_code import ExchangeLoginCodeCommand
from application.identity.identity_links import (
    ConfirmIdentityLinkCommand,
    StartLinkIdentityCommand,
    UnlinkIdentityCommand,
)
from application.identity.identity_provider_ports import ProviderIdentity
from application.identity.principal import Principal
from application.identity.provider_flow import (
    InvalidLinkCode,
    InvalidLoginCode,
    InvalidRedirectUri,
    ProviderNotConfigured,
)
from application.identity.tokens import TokenPair
from domain.identity.external_identity import (
    ExternalIdentity,
    IdentityLinkedElsewhere,
    IdentityNotLinked,
    LastSignInMethod,
    ProviderAlreadyLinked,
    ProviderEmailTaken,
)
from domain.identity.mfa import ReauthenticationRequired
from domain.shared.errors import Forbidden
from tests.support.provider_sign_in import ANA_AT_GITHUB, ANA_AT_GOOGLE, APP, ProviderWorld, provider_world
from tests.use_cases.viewers import Viewer, authenticate, security_log, sign_up


@pytest.fixture
def providers(tmp_path: Path) -> ProviderWorld:
    return provider_world(tmp_path)


async def start_link(providers: ProviderWorld, principal: Principal, provider: str, **kwargs: str) -> str:
    start = providers.world.container.identity.start_link_identity()
    return await start(StartLinkIdentityCommand(principal, provider, **kwargs))


async def link_code(
    providers: ProviderWorld, principal: Principal, identity: ProviderIdentity, **kwargs: str
) -> LinkPending:
    """Start a link as ``principal``, approve it at the provider as ``identity``: the callback's answer."""
    url = await start_link(providers, principal, identity.provider, **kwargs)
    back = providers.approve(url, identity)
    pending = await providers.callback(identity.provider, state=back.state, code=back.code)
    assert isinstance(pending, LinkPending)
    return pending


async def confirm(providers: ProviderWorld, principal: Principal, provider: str, code: str) -> ExternalIdentity:
    confirm_link = providers.world.container.identity.confirm_identity_link()
    return await confirm_link(ConfirmIdentityLinkCommand(principal, provider, code))


async def link(providers: ProviderWorld, viewer: Viewer, identity: ProviderIdentity, **kwargs: str) -> ExternalIdentity:
    """What the viewer's app does: start, the provider's approval, then confirm the link code."""
    pending = await link_code(providers, viewer.principal, identity, **kwargs)
    return await confirm(providers, viewer.principal, identity.provider, pending.link_code)


async def unlink(providers: ProviderWorld, principal: Principal, provider: str) -> None:
    await providers.world.container.identity.unlink_identity()(UnlinkIdentityCommand(principal, provider))


async def linked(providers: ProviderWorld, principal: Principal) -> list[str]:
    return [i.provider for i in await providers.world.container.identity.list_identities()(principal)]


async def provider_only_account(providers: ProviderWorld) -> Principal:
    pair = await providers.sign_in(ANA_AT_GITHUB)
    assert isinstance(pair, TokenPair)
    return (await authenticate(providers.world, pair.access_token)).principal


async def test_a_link_from_settings_attaches_the_identity_to_the_signed_in_account(providers: ProviderWorld) -> None:
    viewer = await sign_up(providers.world)  # email unverified: linking from settings does not need it
    other_address = attrs.evolve(ANA_AT_GOOGLE, email="ana.work@example.org")
    linked_identity = await link(providers, viewer, other_address)
    assert (linked_identity.provider, linked_identity.subject) == ("google", other_address.subject)
    assert linked_identity.user_id == viewer.principal.user_id
    assert await linked(providers, viewer.principal) == ["google"]
    assert (await security_log(providers.world, viewer))[0] == "identity_linked"
    assert providers.world.identity.state.events[-1].details == {"provider": "google", "how": "settings"}
    signed_in = await providers.sign_in(other_address)
    assert isinstance(signed_in, TokenPair)
    assert (await authenticate(providers.world, signed_in.access_token)).principal.user_id == viewer.principal.user_id


async def test_the_callback_of_a_link_attaches_nothing_and_answers_a_link_code(providers: ProviderWorld) -> None:
    viewer = await sign_up(providers.world)
    events = len(providers.world.identity.state.events)
    pending = await link_code(providers, viewer.principal, ANA_AT_GOOGLE)
    assert (pending.provider, pending.expires_in, pending.location) == ("google", 600, None)
    assert pending.link_code
    assert providers.world.identity.state.external_identities == {}
    assert len(providers.world.identity.state.events) == events


async def test_a_link_sends_its_link_code_back_to_the_client_app(providers: ProviderWorld) -> None:
    viewer = await sign_up(providers.world)
    pending = await link_code(providers, viewer.principal, ANA_AT_GOOGLE, redirect_uri=APP, client_state="s1")
    assert pending.location is not None and pending.location.startswith(APP + "?")
    assert parse_qs(urlsplit(pending.location).query) == {"link_code": [pending.link_code], "state": ["s1"]}
    await confirm(providers, viewer.principal, "google", pending.link_code)
    assert await linked(providers, viewer.principal) == ["google"]


# the attack the link code closes: a link started by one account, approved at the provider by another person


async def test_a_victim_approving_an_attackers_link_does_not_hand_the_attacker_her_identity(
    providers: ProviderWorld,
) -> None:
    mallory = await sign_up(providers.world, "mallory@example.com")
    ana = await sign_up(providers.world)
    # Mallory starts linking Google on her own account and gets Ana to open the provider's URL;
    # Ana approves at Google as herself, and the callback's answer goes to Ana's app, signed in as Ana.
    pending = await link_code(providers, mallory.principal, ANA_AT_GOOGLE)
    with pytest.raises(InvalidLinkCode):
        await confirm(providers, ana.principal, "google", pending.link_code)
    assert providers.world.identity.state.external_identities == {}
    assert await linked(providers, mallory.principal) == []
    assert "identity_linked" not in await security_log(providers.world, mallory)
    with pytest.raises(InvalidLinkCode):  # spent by the refused attempt: Mallory cannot use it after
        await confirm(providers, mallory.principal, "google", pending.link_code)
    providers.verify_email("ana@example.com")
    later = await providers.sign_in(ANA_AT_GOOGLE)  # Ana's own Google sign-in opens her own account
    assert isinstance(later, TokenPair)
    assert (await authenticate(providers.world, later.access_token)).principal.user_id == ana.principal.user_id


async def test_a_link_code_never_signs_anyone_in(providers: ProviderWorld) -> None:
    viewer = await sign_up(providers.world)
    pending = await link_code(providers, viewer.principal, ANA_AT_GOOGLE)
    exchange = providers.world.container.identity.exchange_login_code()
    with pytest.raises(InvalidLoginCode):
        await exchange(ExchangeLoginCodeCommand(code=pending.link_code))
    with pytest.raises(InvalidLinkCode):  # and it is spent
        await confirm(providers, viewer.principal, "google", pending.link_code)
    assert providers.world.identity.state.external_identities == {}


async def test_a_login_code_is_not_a_link_code(providers: ProviderWorld) -> None:
    viewer = await sign_up(providers.world)
    providers.verify_email("ana@example.com")
    redirected = await providers.sign_in(ANA_AT_GITHUB, redirect_uri=APP)
    assert isinstance(redirected, LoginCodeRedirect)
    (login_code,) = parse_qs(urlsplit(redirected.location).query)["code"]
    with pytest.raises(InvalidLinkCode):
        await confirm(providers, viewer.principal, "github", login_code)


async def test_a_link_code_is_confirmed_once(providers: ProviderWorld) -> None:
    viewer = await sign_up(providers.world)
    pending = await link_code(providers, viewer.principal, ANA_AT_GOOGLE)
    await confirm(providers, viewer.principal, "google", pending.link_code)
    with pytest.raises(InvalidLinkCode):
        await confirm(providers, viewer.principal, "google", pending.link_code)
    assert await security_log(providers.world, viewer) == ["identity_linked"]


async def test_a_link_code_lapses_after_ten_minutes(providers: ProviderWorld) -> None:
    viewer = await sign_up(providers.world)
    in_time = await link_code(providers, viewer.principal, ANA_AT_GOOGLE)
    late = await link_code(providers, viewer.principal, ANA_AT_GITHUB)
    providers.world.clock.advance(timedelta(minutes=10) - timedelta(seconds=1))
    await confirm(providers, viewer.principal, "google", in_time.link_code)
    providers.world.clock.advance(timedelta(seconds=1))
    with pytest.raises(InvalidLinkCode):
        await confirm(providers, viewer.principal, "github", late.link_code)
    assert await linked(providers, viewer.principal) == ["google"]


async def test_a_link_code_is_for_its_own_provider_only(providers: ProviderWorld) -> None:
    viewer = await sign_up(providers.world)
    pending = await link_code(providers, viewer.principal, ANA_AT_GOOGLE)
    with pytest.raises(InvalidLinkCode):
        await confirm(providers, viewer.principal, "github", pending.link_code)
    with pytest.raises(InvalidLinkCode):
        await confirm(providers, viewer.principal, "google", "a-made-up-code")
    assert await linked(providers, viewer.principal) == []


async def test_an_api_key_cannot_confirm_a_link_nor_spend_its_code(providers: ProviderWorld) -> None:
    viewer = await sign_up(providers.world)
    pending = await link_code(providers, viewer.principal, ANA_AT_GOOGLE)
    through_key = attrs.evolve(viewer.principal, api_key_id=viewer.principal.user_id)
    with pytest.raises(Forbidden):
        await confirm(providers, through_key, "google", pending.link_code)
    await confirm(providers, viewer.principal, "google", pending.link_code)
    assert await linked(providers, viewer.principal) == ["google"]


async def test_an_identity_linked_elsewhere_between_callback_and_confirmation_is_not_moved(
    providers: ProviderWorld,
) -> None:
    bob = await sign_up(providers.world, "bob@example.com")
    pending = await link_code(providers, bob.principal, ANA_AT_GITHUB)
    await providers.sign_in(ANA_AT_GITHUB)  # meanwhile Ana's GitHub gets an account of its own
    with pytest.raises(IdentityLinkedElsewhere):
        await confirm(providers, bob.principal, "github", pending.link_code)
    assert await linked(providers, bob.principal) == []


async def test_a_link_needs_a_sign_in_from_the_last_ten_minutes(providers: ProviderWorld) -> None:
    viewer = await sign_up(providers.world)
    providers.world.clock.advance(timedelta(minutes=10, seconds=1))
    with pytest.raises(ReauthenticationRequired):
        await start_link(providers, viewer.principal, "google")
    assert providers.world.container.identity_adapters.provider_flows()._flows == {}


async def test_an_api_key_cannot_link_a_provider(providers: ProviderWorld) -> None:
    viewer = await sign_up(providers.world)
    through_key = attrs.evolve(viewer.principal, api_key_id=viewer.principal.user_id)
    with pytest.raises(Forbidden):
        await start_link(providers, through_key, "google")


async def test_a_link_refuses_a_return_address_that_is_not_registered(providers: ProviderWorld) -> None:
    viewer = await sign_up(providers.world)
    with pytest.raises(InvalidRedirectUri):
        await start_link(providers, viewer.principal, "google", redirect_uri="https://evil.example/")


async def test_an_identity_linked_to_another_account_is_not_moved(providers: ProviderWorld) -> None:
    await providers.sign_in(ANA_AT_GITHUB)  # Ana's GitHub has an account of its own
    bob = await sign_up(providers.world, "bob@example.com")
    with pytest.raises(IdentityLinkedElsewhere):  # refused at the callback already: no link code
        await link_code(providers, bob.principal, ANA_AT_GITHUB)
    assert await linked(providers, bob.principal) == []


async def test_one_identity_per_provider_and_account(providers: ProviderWorld) -> None:
    viewer = await sign_up(providers.world)
    await link(providers, viewer, ANA_AT_GITHUB)
    with pytest.raises(ProviderAlreadyLinked):
        await start_link(providers, viewer.principal, "github")


async def test_a_second_account_at_the_same_provider_started_before_the_first_finished_is_refused(
    providers: ProviderWorld,
) -> None:
    viewer = await sign_up(providers.world)
    first = await link_code(providers, viewer.principal, ANA_AT_GITHUB)
    second = await link_code(providers, viewer.principal, attrs.evolve(ANA_AT_GITHUB, subject="2"))
    third_url = await start_link(providers, viewer.principal, "github")
    await confirm(providers, viewer.principal, "github", first.link_code)
    with pytest.raises(ProviderAlreadyLinked):  # checked again when confirming
        await confirm(providers, viewer.principal, "github", second.link_code)
    with pytest.raises(ProviderAlreadyLinked):  # and at the callback, once the first is attached
        await providers.callback("github", **_back(providers, third_url, attrs.evolve(ANA_AT_GITHUB, subject="3")))
    assert await linked(providers, viewer.principal) == ["github"]


def _back(providers: ProviderWorld, url: str, identity: ProviderIdentity) -> dict[str, str]:
    back = providers.approve(url, identity)
    return {"state": back.state, "code": back.code}


async def test_linking_what_is_linked_already_changes_nothing(providers: ProviderWorld) -> None:
    viewer = await sign_up(providers.world)
    providers.verify_email("ana@example.com")
    url = await start_link(providers, viewer.principal, "google")
    await providers.sign_in(ANA_AT_GOOGLE)  # meanwhile linked by the verified email
    events = len(providers.world.identity.state.events)
    pending = await providers.callback("google", **_back(providers, url, ANA_AT_GOOGLE))
    assert isinstance(pending, LinkPending)
    again = await confirm(providers, viewer.principal, "google", pending.link_code)
    assert (again.user_id, again.subject) == (viewer.principal.user_id, ANA_AT_GOOGLE.subject)
    assert len(providers.world.identity.state.events) == events
    assert await linked(providers, viewer.principal) == ["google"]


async def test_unlinking_is_recorded_and_the_provider_signs_in_no_more_to_that_account(
    providers: ProviderWorld,
) -> None:
    viewer = await sign_up(providers.world)
    await link(providers, viewer, ANA_AT_GOOGLE)
    providers.world.clock.advance(timedelta(seconds=1))
    await unlink(providers, viewer.principal, "google")
    assert await linked(providers, viewer.principal) == []
    assert (await security_log(providers.world, viewer))[:2] == ["identity_unlinked", "identity_linked"]
    assert providers.world.identity.state.events[-1].details == {"provider": "google"}
    with pytest.raises(ProviderEmailTaken):  # Ana's own email is still unverified here
        await providers.sign_in(ANA_AT_GOOGLE)


async def test_the_last_way_to_sign_in_cannot_be_unlinked(providers: ProviderWorld) -> None:
    ana = await provider_only_account(providers)
    with pytest.raises(LastSignInMethod):
        await unlink(providers, ana, "github")
    assert await linked(providers, ana) == ["github"]


async def test_with_a_second_provider_linked_the_first_can_go_but_not_both(providers: ProviderWorld) -> None:
    ana = await provider_only_account(providers)
    pending = await link_code(providers, ana, attrs.evolve(ANA_AT_GOOGLE, email="a@gmail.com"))
    await confirm(providers, ana, "google", pending.link_code)
    await unlink(providers, ana, "github")
    with pytest.raises(LastSignInMethod):
        await unlink(providers, ana, "google")
    assert await linked(providers, ana) == ["google"]


async def test_unlinking_needs_a_sign_in_from_the_last_ten_minutes(providers: ProviderWorld) -> None:
    viewer = await sign_up(providers.world)
    await link(providers, viewer, ANA_AT_GOOGLE)
    providers.world.clock.advance(timedelta(minutes=10, seconds=1))
    with pytest.raises(ReauthenticationRequired):
        await unlink(providers, viewer.principal, "google")
    assert await linked(providers, viewer.principal) == ["google"]
    assert "identity_unlinked" not in await security_log(providers.world, viewer)


async def test_unlinking_a_provider_that_is_not_linked_is_not_found(providers: ProviderWorld) -> None:
    viewer = await sign_up(providers.world)
    with pytest.raises(IdentityNotLinked):
        await unlink(providers, viewer.principal, "github")
    with pytest.raises(ProviderNotConfigured):
        await unlink(providers, viewer.principal, "gitlab")


async def test_identities_are_listed_for_their_own_account_only(providers: ProviderWorld) -> None:
    ana = await sign_up(providers.world)
    bob = await sign_up(providers.world, "bob@example.com")
    await link(providers, ana, ANA_AT_GITHUB)
    assert await linked(providers, ana.principal) == ["github"]
    assert await linked(providers, bob.principal) == []
