"""The pre-account-hijack path, closed from the mailbox side: someone makes an account with Ana's
address before she does (with a password, or through a provider that did not verify it), and when
Ana proves her mailbox with a password reset, every way in that did not prove that address goes."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from application.identity.api_keys import CreateApiKeyCommand
from application.identity.log_in import LogInCommand
from application.identity.password_reset import RequestPasswordResetCommand, ResetPasswordCommand
from application.identity.tokens import TokenPair
from domain.identity.errors import InvalidApiKey
from tests.support.accounts import PASSWORD
from tests.support.mailbox import token_in
from tests.support.provider_sign_in import ANA_AT_GITHUB, ANA_AT_GOOGLE, ProviderWorld, provider_world
from tests.use_cases.viewers import authenticate, security_log, sign_up

ANA = "ana@example.com"
ANAS_NEW_PASSWORD = "only ana knows this one"
SQUATTER_AT_GITHUB = attrs.evolve(ANA_AT_GITHUB, subject="999", login="squatter", email_verified=False)


@pytest.fixture
def providers(tmp_path: Path) -> ProviderWorld:
    return provider_world(tmp_path)


async def ana_resets_her_password(providers: ProviderWorld) -> None:
    identity = providers.world.container.identity
    await identity.request_password_reset()(RequestPasswordResetCommand(ANA))
    token = token_in(providers.world.identity.state.outgoing_mail[-1], "reset-password")
    await identity.reset_password()(ResetPasswordCommand(token=token, new_password=ANAS_NEW_PASSWORD))


async def linked_providers(providers: ProviderWorld) -> list[str]:
    return sorted(i.provider for i in providers.world.identity.state.external_identities.values())


async def test_a_provider_that_never_verified_the_address_is_unlinked_when_ana_resets_the_password(
    providers: ProviderWorld,
) -> None:
    squatter = await providers.sign_in(SQUATTER_AT_GITHUB)  # no local account: one is made, unverified
    assert isinstance(squatter, TokenPair)
    await ana_resets_her_password(providers)
    assert await linked_providers(providers) == []
    # The squatter's GitHub now makes a new, separate account attempt: Ana's address is taken, so refused.
    with pytest.raises(Exception, match="already uses this email"):
        await providers.sign_in(SQUATTER_AT_GITHUB)
    signed_in = await providers.world.container.identity.log_in()(LogInCommand(ANA, ANAS_NEW_PASSWORD))
    assert isinstance(signed_in, TokenPair)


async def test_a_provider_that_verified_the_same_address_stays_linked(providers: ProviderWorld) -> None:
    await providers.sign_in(ANA_AT_GOOGLE)  # Google verified ana@example.com: the account is verified
    await ana_resets_her_password(providers)
    assert await linked_providers(providers) == ["google"]


async def test_api_keys_made_before_the_address_was_proven_are_revoked_by_the_reset(providers: ProviderWorld) -> None:
    squatter = await sign_up(providers.world, ANA)  # a password account on Ana's address, never verified
    create = providers.world.container.identity.create_api_key()
    key = await create(CreateApiKeyCommand(squatter.principal, "backdoor", ["read"], PASSWORD))
    await ana_resets_her_password(providers)
    with pytest.raises(InvalidApiKey):
        await authenticate(providers.world, key.key)
    assert "api_key_revoked" in await security_log(providers.world, squatter)


async def test_a_verified_account_keeps_its_api_keys_through_a_reset(providers: ProviderWorld) -> None:
    ana = await sign_up(providers.world, ANA)
    providers.verify_email(ANA)
    key = await providers.world.container.identity.create_api_key()(
        CreateApiKeyCommand(ana.principal, "my script", ["read"], PASSWORD)
    )
    await ana_resets_her_password(providers)
    assert (await authenticate(providers.world, key.key)).principal.user_id == ana.principal.user_id
