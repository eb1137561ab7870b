"""Linking and unlinking providers from an account's settings, on the fake world with in-memory
providers: a recent sign-in to add a way in, one identity per provider and per account, and
never removing the last way to sign in."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import attrs
import pytest

from application.identity.complete_provider_sign_in import IdentityLinked
from application.identity.identity_links import StartLinkIdentityCommand, UnlinkIdentityCommand
from application.identity.principal import Principal
from application.identity.provider_flow import InvalidRedirectUri, ProviderNotConfigured
from application.identity.tokens import TokenPair
from domain.identity.external_identity import (
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


async def link(providers: ProviderWorld, viewer: Viewer, identity: object, **kwargs: str) -> object:
    assert isinstance(identity, type(ANA_AT_GITHUB))
    url = await start_link(providers, viewer.principal, identity.provider, **kwargs)
    back = providers.approve(url, identity)
    return await providers.callback(identity.provider, state=back.state, code=back.code)


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
    assert await link(providers, viewer, other_address) == IdentityLinked(provider="google", location=None)
    assert await linked(providers, viewer.principal) == ["google"]
    assert (await security_log(providers.world, viewer))[0] == "identity_linked"
    assert providers.world.identity.state.events[-1].details == {"provider": "google", "how": "settings"}
    signed_in = await providers.sign_in(other_address)
    assert isinstance(signed_in, TokenPair)
    assert (await authenticate(providers.world, signed_in.access_token)).principal.user_id == viewer.principal.user_id


async def test_a_link_can_return_to_the_client_app_without_a_login_code(providers: ProviderWorld) -> None:
    viewer = await sign_up(providers.world)
    done = await link(providers, viewer, ANA_AT_GOOGLE, redirect_uri=APP, client_state="s1")
    assert isinstance(done, IdentityLinked) and done.location is not None
    assert parse_qs(urlsplit(done.location).query) == {"linked": ["google"], "state": ["s1"]}


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
    with pytest.raises(IdentityLinkedElsewhere):
        await link(providers, bob, ANA_AT_GITHUB)
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
    first = await start_link(providers, viewer.principal, "github")
    second = await start_link(providers, viewer.principal, "github")
    await providers.callback("github", **_back(providers, first, ANA_AT_GITHUB))
    with pytest.raises(ProviderAlreadyLinked):
        await providers.callback("github", **_back(providers, second, attrs.evolve(ANA_AT_GITHUB, subject="2")))
    assert await linked(providers, viewer.principal) == ["github"]


def _back(providers: ProviderWorld, url: str, identity: object) -> dict[str, str]:
    assert isinstance(identity, type(ANA_AT_GITHUB))
    back = providers.approve(url, identity)
    return {"state": back.state, "code": back.code}


async def test_linking_what_is_linked_already_changes_nothing(providers: ProviderWorld) -> None:
    viewer = await sign_up(providers.world)
    providers.verify_email("ana@example.com")
    await providers.sign_in(ANA_AT_GOOGLE)  # linked by the verified email
    events = len(providers.world.identity.state.events)
    url = await start_link(providers, viewer.principal, "github")
    await providers.callback("github", **_back(providers, url, ANA_AT_GITHUB))
    assert len(providers.world.identity.state.events) == events + 1
    assert await linked(providers, viewer.principal) == ["github", "google"]


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
    url = await start_link(providers, ana, "google")
    await providers.callback("google", **_back(providers, url, attrs.evolve(ANA_AT_GOOGLE, email="a@gmail.com")))
    await unlink(providers, ana, "github")
    with pytest.raises(LastSignInMethod):
        await unlink(providers, ana, "google")
    assert await linked(providers, ana) == ["google"]


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
