"""What only the Google adapter does, against the fake Google: the ID token's signature and claims
(each forgery refused, the check named in the log and the token never), the discovery document and
the JWKS (cached; fetched again once for an unknown key id, when the issuer rotated its keys)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from application.identity.identity_provider_ports import ProviderRefused, ProviderUnavailable
from tests.support.fake_google import ANA, FakeGoogle, GoogleUser, Tamper
from tests.support.identity_provider_worlds import ProviderWorld, provider_world


@pytest.fixture
async def google(tmp_path: Path) -> AsyncIterator[ProviderWorld]:
    async with provider_world("google", tmp_path) as world:
        yield world


def fake_of(world: ProviderWorld) -> FakeGoogle:
    assert isinstance(world.fake, FakeGoogle)
    return world.fake


@pytest.mark.parametrize(
    ("tampering", "check"),
    [
        ("aud", "aud"),
        ("audiences", "azp"),
        ("iss", "iss"),
        ("nonce", "nonce"),
        ("expired", "exp"),
        ("future", "iat"),
        ("foreign-key", "signature"),
        ("unknown-kid", "kid"),
        ("alg-none", "alg"),
        ("hs256", "alg"),
    ],
)
async def test_a_forged_or_misdirected_id_token_is_refused_naming_the_check(
    google: ProviderWorld, caplog: pytest.LogCaptureFixture, tampering: Tamper, check: str
) -> None:
    flow, code = await google.granted_code()
    fake_of(google).tamper(tampering)

    with caplog.at_level(logging.INFO), pytest.raises(ProviderRefused):
        await google.identify(flow, code)

    assert f"ID token refused ({check})" in caplog.text
    assert "eyJ" not in caplog.text  # no token, nor any part of one


async def test_the_same_token_untampered_passes_every_check(google: ProviderWorld) -> None:
    identity = await google.identify(*await google.granted_code())

    assert identity.subject == ANA.sub


async def test_an_address_google_has_not_verified_is_reported_unverified(google: ProviderWorld) -> None:
    fake_of(google).sign_in_as(GoogleUser(sub="42", email="ana@example.com", email_verified=False))

    identity = await google.identify(*await google.granted_code())

    assert (identity.email, identity.email_verified) == ("ana@example.com", False)


async def test_no_address_is_no_address(google: ProviderWorld) -> None:
    fake_of(google).sign_in_as(GoogleUser(sub="42", email=None))

    identity = await google.identify(*await google.granted_code())

    assert (identity.email, identity.email_verified) == (None, False)


async def test_the_discovery_document_and_the_keys_are_fetched_once(google: ProviderWorld) -> None:
    fake = fake_of(google)
    for _ in range(3):
        await google.identify(*await google.granted_code())

    assert fake.hits[fake.discovery_path] == 1
    assert fake.hits[fake.jwks_path] == 1


async def test_rotated_keys_are_fetched_again_once_for_the_unknown_key_id(google: ProviderWorld) -> None:
    fake = fake_of(google)
    await google.identify(*await google.granted_code())
    fake.rotate_keys()

    identity = await google.identify(*await google.granted_code())

    assert identity.subject == ANA.sub
    assert fake.hits[fake.jwks_path] == 2


async def test_unknown_key_ids_cannot_make_us_fetch_the_keys_on_every_sign_in(google: ProviderWorld) -> None:
    fake = fake_of(google)
    fake.tamper("unknown-kid")
    for _ in range(3):
        with pytest.raises(ProviderRefused):
            await google.identify(*await google.granted_code())

    assert fake.hits[fake.jwks_path] == 2  # the first fetch, and one more for the unknown kid


async def test_a_discovery_document_of_another_issuer_is_not_trusted(google: ProviderWorld) -> None:
    fake_of(google).discovery_issuer = "https://accounts.evil.example"

    with pytest.raises(ProviderUnavailable):
        await google.provider.authorization_url(google.new_flow().request())


async def test_keys_that_cannot_be_read_are_unavailable_not_refused(google: ProviderWorld) -> None:
    flow, code = await google.granted_code()
    fake = fake_of(google)
    fake.garble(under=fake.jwks_path)

    with pytest.raises(ProviderUnavailable):
        await google.identify(flow, code)

    assert fake.hits[fake.jwks_path] == 1
