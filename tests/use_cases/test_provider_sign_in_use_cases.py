"""Signing in with a provider, driving the use cases on the fake world with in-memory providers:
the linking rules as they reach accounts, and every attack on the flow the issue lists. The
product story is features/identity/provider_sign_in.feature."""

from __future__ import annotations

import copy
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import attrs
import pytest

from application.identity.complete_provider_sign_in import LoginCodeRedirect
from application.identity.exchange_login_code import ExchangeLoginCodeCommand
from application.identity.identity_provider_ports import ProviderRefused, ProviderUnavailable
from application.identity.log_in import MfaRequired
from application.identity.provider_flow import (
    InvalidLoginCode,
    InvalidOAuthCallback,
    InvalidOAuthState,
    InvalidRedirectUri,
    ProviderAccessDenied,
    ProviderNotConfigured,
    pkce_challenge,
)
from application.identity.tokens import TokenPair
from domain.identity.external_identity import ProviderEmailMissing, ProviderEmailTaken
from domain.identity.user import User
from tests.support.provider_sign_in import ANA_AT_GITHUB, ANA_AT_GOOGLE, APP, ProviderWorld, provider_world
from tests.use_cases.viewers import authenticate, security_log, sign_up, turn_on_two_factor


@pytest.fixture
def providers(tmp_path: Path) -> ProviderWorld:
    return provider_world(tmp_path)


def users(providers: ProviderWorld) -> list[User]:
    return list(providers.world.identity.state.users.values())


def query(url: str) -> dict[str, str]:
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


async def signed_in_as(providers: ProviderWorld, answer: object) -> User:
    assert isinstance(answer, TokenPair)
    principal = (await authenticate(providers.world, answer.access_token)).principal
    return providers.world.identity.state.users[principal.user_id]


# --- the authorization URL ---------------------------------------------------------------------


async def test_the_authorization_url_carries_a_state_and_a_pkce_s256_challenge_never_the_verifier(
    providers: ProviderWorld,
) -> None:
    url = await providers.start("github")
    params = query(url)
    assert params["code_challenge_method"] == "S256"
    assert params["redirect_uri"] == "https://gateway.example/api/v1/auth/oauth/github/callback"
    assert len(params["state"]) >= 43 and len(params["code_challenge"]) == 43
    assert "nonce" not in params
    # The verifier and the state itself are never stored in the clear, only what they unlock is.
    stored = providers.world.container.identity_adapters.provider_flows()._flows
    ((digest, (flow, _)),) = stored.items()
    assert params["state"] not in digest and pkce_challenge(flow.code_verifier) == params["code_challenge"]


async def test_an_openid_connect_provider_also_gets_a_nonce_of_its_own_per_sign_in(providers: ProviderWorld) -> None:
    first, second = query(await providers.start("google")), query(await providers.start("google"))
    assert len(first["nonce"]) >= 43 and first["nonce"] != second["nonce"]
    assert first["state"] != second["state"] and first["code_challenge"] != second["code_challenge"]


async def test_a_provider_that_is_not_configured_is_not_found(providers: ProviderWorld) -> None:
    with pytest.raises(ProviderNotConfigured):
        await providers.start("gitlab")
    with pytest.raises(ProviderNotConfigured):
        await providers.callback("gitlab", state="anything", code="anything")


# --- the linking rules, as they reach accounts --------------------------------------------------


async def test_a_first_sign_in_with_a_verified_email_creates_a_verified_account_without_a_password(
    providers: ProviderWorld,
) -> None:
    ana = await signed_in_as(providers, await providers.sign_in(ANA_AT_GITHUB))
    assert ana.email.value == "ana@example.com" and ana.email_verified is True
    assert ana.password_hash is None and ana.display_name == "Ana"
    (linked,) = providers.world.identity.state.external_identities.values()
    assert (linked.provider, linked.subject, linked.user_id) == ("github", "583231", ana.id)
    event = providers.world.identity.state.events[-1]
    assert event.kind.value == "identity_linked" and event.details == {"provider": "github", "how": "new_account"}


async def test_the_identity_is_keyed_by_the_providers_id_not_by_login_or_email(providers: ProviderWorld) -> None:
    ana = await signed_in_as(providers, await providers.sign_in(ANA_AT_GITHUB))
    renamed = attrs.evolve(ANA_AT_GITHUB, email="ana@new.example", login="ana-renamed")
    assert (await signed_in_as(providers, await providers.sign_in(renamed))).id == ana.id
    someone_else = attrs.evolve(ANA_AT_GITHUB, subject="999", email="bob@example.com", login="ana")
    assert (await signed_in_as(providers, await providers.sign_in(someone_else))).id != ana.id
    assert len(users(providers)) == 2


async def test_signing_in_again_records_the_sign_in_on_the_identity(providers: ProviderWorld) -> None:
    await providers.sign_in(ANA_AT_GITHUB)
    providers.world.clock.advance(timedelta(days=3))
    await providers.sign_in(ANA_AT_GITHUB)
    (linked,) = providers.world.identity.state.external_identities.values()
    assert linked.last_sign_in_at == providers.world.clock.now()
    assert linked.linked_at == providers.world.clock.now() - timedelta(days=3)


async def test_both_sides_verified_links_the_provider_to_the_existing_account(providers: ProviderWorld) -> None:
    viewer = await sign_up(providers.world)
    providers.verify_email("ana@example.com")
    ana = await signed_in_as(providers, await providers.sign_in(ANA_AT_GOOGLE))
    assert ana.id == viewer.principal.user_id and len(users(providers)) == 1
    assert (await security_log(providers.world, viewer))[0] == "identity_linked"
    assert providers.world.identity.state.events[-1].details == {"provider": "google", "how": "verified_email"}


async def test_an_unverified_provider_email_matching_an_account_is_refused_and_nothing_changes(
    providers: ProviderWorld,
) -> None:
    await sign_up(providers.world)
    providers.verify_email("ana@example.com")
    before = copy.deepcopy(providers.world.identity.state.users)
    with pytest.raises(ProviderEmailTaken, match="link github from your settings"):
        await providers.sign_in(attrs.evolve(ANA_AT_GITHUB, email_verified=False))
    assert providers.world.identity.state.external_identities == {}
    assert providers.world.identity.state.users == before


async def test_a_local_account_that_never_proved_the_email_is_not_taken_over_by_the_real_owner(
    providers: ProviderWorld,
) -> None:
    """Pre-account hijacking: someone registers Ana's address with a password of theirs before
    Ana ever signs in. Her verified Google sign-in must not join her to that account (the
    squatter's password would keep working in it)."""
    squatter = await sign_up(providers.world, "ana@example.com")
    with pytest.raises(ProviderEmailTaken):
        await providers.sign_in(ANA_AT_GOOGLE)
    assert providers.world.identity.state.external_identities == {}
    assert await security_log(providers.world, squatter) == []


async def test_an_unverified_provider_email_creates_an_account_only_with_the_email_unverified(
    providers: ProviderWorld,
) -> None:
    ana = await signed_in_as(providers, await providers.sign_in(attrs.evolve(ANA_AT_GITHUB, email_verified=False)))
    assert ana.email.value == "ana@example.com" and ana.email_verified is False


async def test_an_account_made_from_an_unverified_provider_email_is_never_linked_to_by_email(
    providers: ProviderWorld,
) -> None:
    """The pre-hijack path the other way: the squatter signs up at a provider that does not
    verify addresses, with Ana's. Ana's verified Google sign-in is refused, not joined to it."""
    squatter = await providers.sign_in(attrs.evolve(ANA_AT_GITHUB, subject="666", email_verified=False))
    assert isinstance(squatter, TokenPair)
    with pytest.raises(ProviderEmailTaken):
        await providers.sign_in(ANA_AT_GOOGLE)
    assert [i.provider for i in providers.world.identity.state.external_identities.values()] == ["github"]


async def test_a_provider_that_shares_no_email_cannot_make_an_account(providers: ProviderWorld) -> None:
    for email in (None, "not-an-address"):
        with pytest.raises(ProviderEmailMissing):
            await providers.sign_in(attrs.evolve(ANA_AT_GITHUB, email=email, email_verified=True))
    assert users(providers) == []


async def test_a_provider_name_with_invisible_characters_falls_back_to_the_email(providers: ProviderWorld) -> None:
    tricky = attrs.evolve(ANA_AT_GITHUB, display_name="Ana\u202egnp.exe", login=None)
    assert (await signed_in_as(providers, await providers.sign_in(tricky))).display_name == "ana"


# --- attacks on the flow ------------------------------------------------------------------------


async def test_a_callback_without_a_state_is_refused(providers: ProviderWorld) -> None:
    back = providers.approve(await providers.start("github"), ANA_AT_GITHUB)
    for state in (None, ""):
        with pytest.raises(InvalidOAuthState):
            await providers.callback("github", state=state, code=back.code)
    assert users(providers) == []


async def test_a_forged_state_is_refused(providers: ProviderWorld) -> None:
    back = providers.approve(await providers.start("github"), ANA_AT_GITHUB)
    with pytest.raises(InvalidOAuthState):
        await providers.callback("github", state=back.state + "x", code=back.code)


async def test_a_state_works_once(providers: ProviderWorld) -> None:
    url = await providers.start("github")
    back = providers.approve(url, ANA_AT_GITHUB)
    assert isinstance(await providers.callback("github", state=back.state, code=back.code), TokenPair)
    again = providers.approve(url, ANA_AT_GITHUB)  # even with a fresh code for it
    with pytest.raises(InvalidOAuthState):
        await providers.callback("github", state=again.state, code=again.code)


async def test_a_state_lapses_after_ten_minutes(providers: ProviderWorld) -> None:
    back = providers.approve(await providers.start("github"), ANA_AT_GITHUB)
    providers.world.clock.advance(timedelta(minutes=10))
    with pytest.raises(InvalidOAuthState):
        await providers.callback("github", state=back.state, code=back.code)


async def test_a_state_of_one_provider_does_not_complete_another(providers: ProviderWorld) -> None:
    back = providers.approve(await providers.start("github"), ANA_AT_GITHUB)
    with pytest.raises(InvalidOAuthState):
        await providers.callback("google", state=back.state, code=back.code)


async def test_a_code_with_the_state_of_another_flow_fails_on_its_pkce_verifier(providers: ProviderWorld) -> None:
    """Code injection: the attacker's own code pasted into the victim's callback. The victim's
    flow holds another verifier, which the provider refuses for that code."""
    attackers = providers.approve(await providers.start("github"), attrs.evolve(ANA_AT_GITHUB, subject="666"))
    victims = providers.approve(await providers.start("github"), ANA_AT_GITHUB)
    with pytest.raises(ProviderRefused, match="code_verifier"):
        await providers.callback("github", state=victims.state, code=attackers.code)
    assert users(providers) == []


async def test_an_id_token_carrying_another_nonce_is_refused(providers: ProviderWorld) -> None:
    """The authorization was made with a nonce that is not this flow's (an ID token minted for
    another sign-in): the provider's token comes back bound to it, and the flow's nonce differs."""
    url = await providers.start("google")
    tampered = url.replace(f"nonce={query(url)['nonce']}", "nonce=the-attackers-nonce")
    back = providers.approve(tampered, ANA_AT_GOOGLE)
    with pytest.raises(ProviderRefused, match="nonce"):
        await providers.callback("google", state=back.state, code=back.code)
    assert users(providers) == []


async def test_a_code_works_once(providers: ProviderWorld) -> None:
    back = providers.approve(await providers.start("github"), ANA_AT_GITHUB)
    await providers.callback("github", state=back.state, code=back.code)
    fresh = query(await providers.start("github"))
    with pytest.raises(ProviderRefused, match="used already"):
        await providers.callback("github", state=fresh["state"], code=back.code)


async def test_a_callback_without_a_code_is_refused_and_spends_the_state(providers: ProviderWorld) -> None:
    back = providers.approve(await providers.start("github"), ANA_AT_GITHUB)
    with pytest.raises(InvalidOAuthCallback):
        await providers.callback("github", state=back.state, code=None)
    with pytest.raises(InvalidOAuthState):
        await providers.callback("github", state=back.state, code=back.code)


async def test_declining_at_the_provider_is_refused_and_spends_the_state(providers: ProviderWorld) -> None:
    state = query(await providers.start("github"))["state"]
    with pytest.raises(ProviderAccessDenied):
        await providers.callback("github", state=state, error="access_denied")
    with pytest.raises(InvalidOAuthState):
        await providers.callback("github", state=state, error="access_denied")


async def test_a_provider_outage_is_reported_as_such(providers: ProviderWorld) -> None:
    back = providers.approve(await providers.start("github"), ANA_AT_GITHUB)
    providers.github.failing_with = ProviderUnavailable("GitHub answered 502", retry_after_seconds=30)
    with pytest.raises(ProviderUnavailable):
        await providers.callback("github", state=back.state, code=back.code)
    assert users(providers) == []


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "https://evil.example/after-sign-in",
        APP + "/../../evil",
        APP + "?next=https://evil.example",
        APP + "#x",
        APP.upper(),
        APP + "/",
        "https://app.example.evil.example/after-sign-in",
        "",
    ],
)
async def test_only_a_registered_return_address_exactly_is_accepted(
    providers: ProviderWorld, redirect_uri: str
) -> None:
    with pytest.raises(InvalidRedirectUri):
        await providers.start("github", redirect_uri=redirect_uri)
    assert providers.world.container.identity_adapters.provider_flows()._flows == {}


# --- the client app's login code ----------------------------------------------------------------


async def redirected(providers: ProviderWorld, client_state: str | None = "app-csrf-1") -> dict[str, str]:
    answer = await providers.sign_in(ANA_AT_GITHUB, redirect_uri=APP, client_state=client_state)
    assert isinstance(answer, LoginCodeRedirect)
    assert answer.location.startswith(APP + "?")
    return query(answer.location)


async def test_the_client_app_gets_a_login_code_and_its_own_state_back_never_tokens(providers: ProviderWorld) -> None:
    params = await redirected(providers)
    assert set(params) == {"code", "state"} and params["state"] == "app-csrf-1"
    assert providers.world.identity.state.sessions == {}  # no session exists until the code is exchanged


async def test_a_login_code_gives_the_token_pair_once(providers: ProviderWorld) -> None:
    code = (await redirected(providers))["code"]
    exchange = providers.world.container.identity.exchange_login_code()
    ana = await signed_in_as(providers, await exchange(ExchangeLoginCodeCommand(code)))
    assert ana.email.value == "ana@example.com"
    with pytest.raises(InvalidLoginCode):
        await exchange(ExchangeLoginCodeCommand(code))


async def test_a_login_code_lapses_after_sixty_seconds(providers: ProviderWorld) -> None:
    code = (await redirected(providers, client_state=None))["code"]
    providers.world.clock.advance(timedelta(seconds=60))
    with pytest.raises(InvalidLoginCode):
        await providers.world.container.identity.exchange_login_code()(ExchangeLoginCodeCommand(code))


async def test_a_made_up_login_code_is_refused(providers: ProviderWorld) -> None:
    with pytest.raises(InvalidLoginCode):
        await providers.world.container.identity.exchange_login_code()(ExchangeLoginCodeCommand("guess"))


async def test_the_session_keeps_the_time_of_the_provider_sign_in(providers: ProviderWorld) -> None:
    code = (await redirected(providers))["code"]
    signed_in_at = providers.world.clock.now()
    providers.world.clock.advance(timedelta(seconds=30))
    pair = await providers.world.container.identity.exchange_login_code()(ExchangeLoginCodeCommand(code))
    assert isinstance(pair, TokenPair)
    assert (await authenticate(providers.world, pair.access_token)).principal.auth_time == signed_in_at


# --- the second factor --------------------------------------------------------------------------


async def test_a_provider_sign_in_never_skips_the_second_factor(providers: ProviderWorld) -> None:
    viewer = await sign_up(providers.world)
    providers.verify_email("ana@example.com")
    await turn_on_two_factor(providers.world, viewer)
    direct = await providers.sign_in(ANA_AT_GOOGLE)
    assert isinstance(direct, MfaRequired) and direct.mfa_token
    code = (await redirected(providers))["code"]
    through_app = await providers.world.container.identity.exchange_login_code()(ExchangeLoginCodeCommand(code))
    assert isinstance(through_app, MfaRequired)
    assert len(providers.world.identity.state.sessions) == 1  # only the password sign-in's
